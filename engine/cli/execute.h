// Running (or planning) a session's graph: shared by run/plan and by the commands that need a
// plan's observations first (prune).
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "cli/session.h"
#include "exec/executor.h"
#include "graph/task_graph.h"

namespace mg {

// What one execution produced.
struct Outcome {
  TaskGraph graph;
  RunStates states;
  RunSummary summary;
  std::string run_id;
};

// Runs (or, with dry_run, plans: read-only, no lock, no journal) the session's graph. `quiet`:
// no status lines. Returns an exit code when it could not start (after printing why); nullopt
// when it ran, whatever the tasks did (see out->summary).
std::optional<int> Execute(Session& session, bool dry_run, const std::atomic<int>* interrupt, Outcome* out,
                           bool quiet);

}  // namespace mg
