// Run state: what happened to each task of a TaskGraph in one run, kept beside the graph.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/chunked_vector.h"
#include "util/inline_string.h"
#include "util/json.h"
#include "util/keep_until_exit.h"

namespace mg {

enum class TaskStatus : uint8_t {
  kPending,   // waiting for dependencies
  kQueued,    // ready, waiting for a job slot or its pool
  kRunning,
  kRan,       // executed and succeeded this run
  kCached,    // reused from the action cache
  kFailed,
  kBlocked,   // not started: a dependency failed, or the run was stopped
  kUnneeded,  // not needed: the registry already holds the complete image
  kWouldRun,  // plan only: would execute
};

// The cache tier a cached task's entry came from.
enum class CacheTier : uint8_t { kNone, kLocal, kRemote };

// "pending", "queued", "running", "ran", "cached", "failed", "blocked", "unneeded", "would-run".
const char* TaskStatusName(TaskStatus status);
bool IsFinished(TaskStatus status);
// "" (kNone), "local", "remote".
const char* CacheTierName(CacheTier tier);
// Ran or cached: the task has a result that dependents may consume.
inline bool HasResult(TaskStatus s) { return s == TaskStatus::kRan || s == TaskStatus::kCached; }

// 64 hex digits of a SHA-256 (a task key, a result hash), or empty: held inline, one heap block
// fewer each, twice per task (util/inline_string.h).
using HexDigestText = InlineString<64>;

// Members ordered to pack: the flags and the dependency count share the first 8 bytes.
struct TaskRunState {
  TaskStatus status = TaskStatus::kPending;
  bool recheck = false;             // a cache hit handed to the runner to re-check (RechecksCachedResult)
  bool remote_lookup = false;       // a local miss handed to a worker that asks the remote tier first
  CacheTier cache_tier = CacheTier::kNone;  // kCached: the tier the entry came from
  uint32_t pending_deps = 0;        // unfinished dependencies (a graph holds fewer than 2^32 tasks)
  HexDigestText key;                // empty until the task's inputs are known
  HexDigestText result_hash;        // SHA-256 of the canonical result (ran/cached)
  Json result;                      // kept for ran tasks and observations; else fetched from the cache
  std::string reason;               // one line: why it ran, was reused, skipped or blocked
  std::vector<std::string> details; // more reasons (explain): parameter and identity changes
  std::string error;                // failure message (kFailed)
  int64_t started_at = 0;           // ms since epoch; 0 when it did not run
  int64_t finished_at = 0;
};

// The run state of a graph's tasks, indexed like the graph. Chunked: a state's address stays valid
// while the graph (and so this) grows (util/chunked_vector.h).
using RunStates = ChunkedVector<TaskRunState>;

// Strings, vectors and JSON values: memory only (util/keep_until_exit.h).
template <>
inline constexpr bool kKeepableUntilExit<RunStates> = true;

}  // namespace mg
