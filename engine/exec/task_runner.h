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
  std::function<void(std::string_view line)> log;  // appends to the task's log file
};

struct TaskOutcome {
  Status status;  // non-OK: the task failed with this message
  Json result;    // the typed result (canonical JSON) when OK
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
