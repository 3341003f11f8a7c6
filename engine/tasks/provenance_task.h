// The provenance task's pieces that are worth testing on their own (the task itself is
// RunProvenanceTask in tasks/attest_tasks.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/json.h"

namespace mg {

// When the builds of one version ran, from the run journals (<state_dir>/runs/<run-id>.log).
struct BuildTimes {
  int64_t started_on = 0;   // Unix ms: the earliest start of the platforms' builds
  int64_t finished_on = 0;  // Unix ms: the latest finish
  std::string run_id;       // the run whose build finished last
};

// Looks for the build events ({"event":"task","type":"build","status":"ran"}) of
// "<build_id_prefix>/<platform>" for every one of `platforms` (compared normalised, so
// "linux/arm64" matches "linux/arm64/v8"), newest run first (run ids sort by time), taking each
// platform's newest run, among at most `max_runs` journals. nullopt unless every platform is found
// (a partly known interval would be invented). Unreadable journals are skipped. Thread-safe:
// journals are only read (the running one's torn tail is ignored).
std::optional<BuildTimes> FindBuildTimes(const std::string& state_dir, const std::string& build_id_prefix,
                                         const std::vector<std::string>& platforms, size_t max_runs = 64);

// The build times a merge result carries: every entry of merge["manifests"] with a "build" whose
// "ran" is {"run_id", "started_on", "finished_on"} (Unix ms; build results record it since the
// remote cache tier, so that they travel with the result to another runner). nullopt unless all
// `platforms` manifests have valid times (a partly known interval would be invented). Wrong types
// are absent values, never exceptions. Pure.
std::optional<BuildTimes> BuildTimesFromMerge(const Json& merge, size_t platforms);

// A base image as a resolved-dependency URI, the form BuildKit writes:
// "docker.io/library/debian:12" + "linux/arm64" -> "pkg:docker/docker.io/library/debian@12?platform=linux%2Farm64"
// (no tag: "@latest"; a name with "@sha256:..." keeps only the repository). Pure.
std::string BaseImageUri(const std::string& name, const std::string& platform);

// What `mirrorgraph explain provenance:APP@V` says about the provenance a result (the task's
// last cached result) attached: where its facts came from; for a reconstructed one, why and what
// it does not say, and — when `recorded_merge` (the merge task's last cached result, or null)
// names the same index — that the next run replaces it; for one that replaced a reconstructed
// one, why that one had been reconstructed. One line each, without indentation. Pure.
std::vector<std::string> ExplainProvenanceResult(const Json& result, const Json* recorded_merge);

}  // namespace mg
