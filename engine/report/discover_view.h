// What a discover task's result says about each upstream version, in the words plan, explain and
// the JSON report share (docs/cli.md, "Reading a plan"). Pure functions over the stored result
// ({"versions":[{"version","tag"}], "latest", "excluded":[{"version","reason"}] from the plugin
// and its source, "dropped":[{"version","reason"}] from the engine's window}); entries of the wrong
// shape are shown as such, never skipped and never thrown on. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/json.h"

namespace mg {

struct VersionVerdict {
  std::string version;  // or the tag, for a tag the pattern did not match
  std::string reason;   // "below the 3 newest versions", "prerelease", "tag does not match ..."
};

// The selected versions, newest first, as stored.
std::vector<std::string> SelectedVersions(const Json& discover_result);

// Every version left out: the plugin's and source's exclusions (gates, drafts, prereleases, tag
// pattern), then the engine's (window, duplicates, not a version), each in stored order.
std::vector<VersionVerdict> ExcludedVersions(const Json& discover_result);

// Why `version` is not among the selected: its exclusion reason, or nullopt when the result does
// not mention it (the upstream has no such version).
std::optional<std::string> WhyNotSelected(const Json& discover_result, const std::string& version);

// The lines a plan prints under a discover task: "selected 1.2.0 (latest), 1.1.0", then the
// result's "note" when it has one ("note: window \"published\": ... kept instead"), then one
// "excluded <version>: <reason>" per exclusion — a version the window left out says which window:
// "below the 3 newest versions" or "older than the 3 most recently published" — except that a run of more than kPlanRunLimit
// consecutive exclusions with the same reason is one line naming the first kPlanRunLimit
// ("excluded 9.11.8, 9.11.7, 9.11.6 and 212 more: <reason>"); explain and the JSON list them all.
inline constexpr size_t kPlanRunLimit = 3;
std::vector<std::string> DiscoverPlanLines(const Json& discover_result);

}  // namespace mg
