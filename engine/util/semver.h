// Upstream version numbers: parsing, a total order, and choosing which versions to mirror.
// docs/versions.md explains the rules with examples.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mg {

// "1.2.3-rc.1+build5" -> numbers {1,2,3}, prerelease {"rc","1"}, text "1.2.3-rc.1+build5".
struct Version {
  std::vector<uint64_t> numbers;        // at least one
  std::vector<std::string> prerelease;  // empty for a release
  std::string text;                     // exactly as parsed

  bool is_prerelease() const { return !prerelease.empty(); }
};

// Accepts N(.N)* with N decimal digits (any number of parts, leading zeros allowed, each fitting
// in 64 bits), then optionally "-" and dot-separated non-empty [0-9A-Za-z-] identifiers, then
// optionally "+" and dot-separated non-empty [0-9A-Za-z-] build identifiers (ignored for
// ordering). A leading "v" is NOT accepted: the source's tag pattern strips it.
std::optional<Version> ParseVersion(std::string_view text);

// A total order; returns <0, 0 or >0. Numeric parts compare piecewise with missing parts = 0
// (1.2 == 1.2.0 < 1.10); then a release sorts above every prerelease of the same numbers; then
// prerelease identifiers compare per SemVer 2.0 (numeric < alphanumeric, numeric by value,
// alphanumeric by ASCII, a shorter list that is a prefix sorts lower); then the text breaks ties.
int CompareVersions(const Version& a, const Version& b);

// True when a and b compare equal ignoring their text (1.2 vs 1.2.0, 1.0+a vs 1.0+b).
bool SameVersion(const Version& a, const Version& b);

// One upstream version as a source reports it.
struct Candidate {
  std::string version;  // the version text (the tag pattern's capture)
  std::string tag;      // the upstream tag or release name
  std::string commit;   // the commit SHA the tag points to; may be empty for sources without one

  bool operator==(const Candidate&) const = default;
};

struct Selection {
  std::vector<Candidate> versions;  // selected, newest first
  std::string latest;  // version text of the highest non-prerelease in `versions`; empty if none
  // Candidates not selected, with the reason: "not a version", "duplicate of v1.2.0",
  // "older than the newest 10", "not the latest release". In decision order.
  std::vector<std::pair<std::string, std::string>> dropped;
};

// Chooses the versions to mirror: drops candidates whose version does not parse; among
// candidates that are SameVersion(), keeps the one whose tag sorts first (bytewise) and drops the
// rest; sorts newest first; keeps the newest `max_versions` (<= 0: no limit). With
// `latest_only`, keeps only the highest non-prerelease (nothing when there is none).
// Deterministic: the result does not depend on the input order.
Selection SelectVersions(std::vector<Candidate> candidates, int max_versions, bool latest_only);

}  // namespace mg
