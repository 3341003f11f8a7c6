// Typed tasks: the nodes of the run graph.
//
// A Task is immutable once added to a TaskGraph. Its id is stable and readable
// ("build:hello@1.2.0/linux/arm64", "probe:outline/base-outline@0.80.0"), its parameters are typed
// JSON (no floats) and, with the implementation identity and its inputs, make the task's cache key.
// Parameters and identity are held as canonical JSON text, the form the key hashes: a large graph
// keeps one string per task (and one identity per app and type) instead of a tree of JSON nodes,
// and the few consumers of values (the runner, reports) parse them on demand.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/json.h"

namespace mg {

enum class TaskType : uint8_t { kDiscover, kProbe, kBuild, kMerge, kSbom, kSign, kProvenance };
constexpr int kTaskTypeCount = 7;

const char* TaskTypeName(TaskType type);
std::optional<TaskType> ParseTaskType(std::string_view name);
// Observations look at the outside world without changing it (discover, probe): they are re-checked
// every run unless --offline, and their results never enter dependents' keys (docs/architecture.md).
bool IsObservation(TaskType type);
// Tasks whose results name things in the registry (build: a pushed digest; merge: a tagged index;
// sign, sbom, provenance: signatures and attestations attached to the version's digests).
// A cache hit of one is re-checked by the runner before reuse, and redone when the registry lost
// what it names (docs/architecture.md, "Re-checked cache hits").
bool RechecksCachedResult(TaskType type);
// Attestations (sign, sbom, provenance) follow the registry, not their inputs: their key is their
// parameters and identity only, and the re-check of a cache hit compares what was attested with
// the version's current index. So a run whose merge was unneeded (the image already complete)
// finds them cached just like the run whose merge wrote the index.
bool KeyIgnoresInputs(TaskType type);
// Tasks that are told what earlier runs recorded for dependencies that did not run in this one
// (provenance: the merge and build results of an image that was already complete), as facts about
// the past, never as key inputs (TaskContext::recorded).
bool ReadsRecordedResults(TaskType type);

struct TaskCoords {
  std::string app;
  std::string image;     // empty or == app for single-image apps
  std::string version;   // empty for app-scoped tasks; "{version}" in placeholder subgraphs
  std::string platform;  // empty unless platform-scoped
};

// type:app[/image][@version][/platform]; image omitted when it equals the app name.
std::string FormatTaskId(TaskType type, const TaskCoords& coords);
// A task id as a file name, injective (distinct ids never share a stem) and readable:
// [A-Za-z0-9.@-] stay, '/' becomes '_', ':' becomes '+', and every other byte ('_', '+', '%'
// included) becomes %XX (uppercase hex). "build:hello@1.0.0/linux/arm64" ->
// "build+hello@1.0.0_linux_arm64"; "build:foo_bar@1" -> "build+foo%5Fbar@1", which no longer
// meets "build:foo/bar@1" -> "build+foo_bar@1". Log files and build work directories are named
// with it (docs/architecture.md, "State files").
std::string TaskFileStem(const std::string& task_id);
// The work directory name of one attempt of a task: "<stem>.<pid>".
std::string TaskAttemptDirName(const std::string& task_id, long pid);

inline constexpr std::string_view kPlaceholderVersion = "{version}";

struct Task {
  std::string id;
  TaskType type = TaskType::kDiscover;
  TaskCoords coords;
  std::string node;       // template node name ("build")
  // Typed parameters, canonical JSON (util/json.h); hashed into the key as is.
  std::string params_text = "null";
  // Implementation identity ({"engine":..., "plugin":{...}, "builder":...}), canonical JSON, shared
  // by the tasks of one app and type; null stands for JSON null.
  std::shared_ptr<const std::string> identity_text;
  std::string pool;       // resource pool name ("registry:ghcr.io", "build:linux/arm64"); empty: none
  int64_t gate_probe = -1;       // index of this image-version's probe task, or -1
  bool skip_when_complete = false;  // unneeded when gate_probe found the image complete
  bool placeholder = false;         // drawn before discovery; never runs
  // Position of the task's version in its app's discover result (0: the first listed); -1 for
  // app-scoped tasks. Not part of the key: --shard spreads versions by it (exec/selection.h).
  int version_rank = -1;

  // Parsed copies (JSON null when the text does not parse, which SetParams/SetIdentity exclude).
  Json Params() const;
  Json Identity() const;
  std::string_view IdentityText() const { return identity_text ? std::string_view(*identity_text) : "null"; }
  void SetParams(const Json& params);
  void SetIdentity(const Json& identity);
};

}  // namespace mg
