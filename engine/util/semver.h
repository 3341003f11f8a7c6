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
  // When the upstream published it, as the source gives it (RFC 3339, "2024-05-16T12:00:00Z");
  // empty when the source has no dates (git tags). Only the "published" window reads it.
  std::string published;

  bool operator==(const Candidate&) const = default;
};

// Which versions the window keeps (docs/versions.md, "The window").
enum class Window {
  kNewest,     // the highest max_versions by version order
  kPublished,  // the max_versions most recently published (patch releases of older lines included)
};

// "newest" / "published".
const char* WindowName(Window w);
// "newest" -> kNewest, "published" -> kPublished; nullopt for anything else.
std::optional<Window> ParseWindow(std::string_view text);

struct Selection {
  std::vector<Candidate> versions;  // selected, newest first
  std::string latest;  // version text of the highest non-prerelease in `versions`; empty if none
  // Candidates not selected, with the reason: "not a version", "duplicate of v1.2.0",
  // "below the 10 newest versions", "older than the 10 most recently published", "not the latest
  // release". In decision order.
  std::vector<std::pair<std::string, std::string>> dropped;
  Window window = Window::kNewest;  // the window applied (kNewest after a fallback, see `note`)
  // Non-empty when the window asked for could not be applied as such: why, and what was done.
  std::string note;
};

// Chooses the versions to mirror: drops candidates whose version does not parse; among
// candidates that are SameVersion(), keeps the one whose tag sorts first (bytewise) and drops the
// rest; sorts newest first; keeps `max_versions` of them (<= 0: no limit): with Window::kNewest
// the highest by version, with Window::kPublished the most recently published (ties by version),
// which needs every remaining candidate's `published` — when one lacks it, the selection falls
// back to kNewest and says so in `note`. `versions` is newest first (by version) either way and
// `latest` the highest non-prerelease among them. With `latest_only`, keeps only the highest
// non-prerelease (nothing when there is none; the window does not apply).
// Deterministic: the result does not depend on the input order.
Selection SelectVersions(std::vector<Candidate> candidates, int max_versions, bool latest_only,
                         Window window = Window::kNewest);

}  // namespace mg
