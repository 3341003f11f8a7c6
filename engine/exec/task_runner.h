// The seam between scheduling and doing: the executor hands a ready task to a TaskRunner.
// The real runner (tasks/) talks to plugins, git and the registry; tests use fakes.
#pragma once

#include <atomic>
#include <functional>
#include <string_view>

#include "graph/task.h"
#include "graph/task_graph.h"
#include "util/json.h"
#include "util/status.h"

namespace mg {

struct TaskContext {
  const Task& task;                 // valid for the duration of Run()
  Json inputs;                      // dependency id -> its result, for dependencies that have one
  const Json* previous_result;      // the last cached result of this task id, or nullptr
  const std::atomic<bool>& cancel;  // set on Ctrl-C or --fail-fast: stop early, kill children
  // Appends one line to the task's log file (exec/task_log.h). Thread-safe: callable from any
  // thread, concurrently, until Run() returns; each line is written whole.
  std::function<void(std::string_view line)> log;
  // Non-null for a cache hit of a task that RechecksCachedResult(): the cached result, which the
  // runner checks against the world (is the digest still in the registry?). Still valid: return it
  // with `reused` set (the task counts as cached). Not valid: do the work and return a new result.
  const Json* cached_result = nullptr;
  // Only for a task that ReadsRecordedResults(): what earlier runs recorded for the dependencies
  // that are unneeded in this run (their gate probe found the image complete), and transitively
  // for those dependencies' own unneeded dependencies — id -> {"result": the action cache's latest
  // result for that id, "identity": the identity it was recorded under}. Ids with no record are
  // absent. Facts about how the image was made, to be checked against the registry by the runner
  // (the record may name another digest); never part of the key. Null otherwise.
  const Json* recorded = nullptr;
  // cached_result may come from the remote cache tier — in this run, or copied into the action
  // cache by an earlier one (ActionCache::Record::from_remote) — where anyone with push rights to
  // the cache repository may have written it. Its facts may be re-checked against the registry,
  // never signed as they are (docs/cache.md).
  bool cached_result_remote = false;
};

struct TaskOutcome {
  TaskOutcome() = default;
  TaskOutcome(Status s, Json r, bool reused_result = false, std::string note_text = "")
      : status(std::move(s)), result(std::move(r)), reused(reused_result), note(std::move(note_text)) {}

  Status status;  // non-OK: the task failed with this message
  Json result;    // the typed result (canonical JSON) when OK
  bool reused = false;  // OK and ctx.cached_result re-checked and still valid: `result` is ignored
  // OK and `result` is ctx.cached_result amended (e.g. re-tagged): it keeps the cached entry's
  // origin (TaskContext::cached_result_remote), so a remote result is not recorded as this run's.
  bool from_cached = false;
  std::string note;     // one line for the task's reason ("re-checked sha256:... in the registry")
};

class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  // Runs one task. Called from worker threads, concurrently for different tasks: thread-safe.
  // Never throws (an exception escaping is caught by the executor and reported as a failure).
  virtual TaskOutcome Run(const TaskContext& ctx) = 0;
};

// Grows the graph when a task finishes (a discover result instantiates its app's versions).
// Called on the coordinator thread only, which owns the graph.
class GraphGrowth {
 public:
  virtual ~GraphGrowth() = default;
  virtual void OnResult(TaskGraph& graph, TaskGraph::Index index, const Json& result) = 0;
};

}  // namespace mg
