// The JSON summary `run --notify URL` posts (docs/metrics.md has the schema).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "exec/executor.h"
#include "graph/task_graph.h"
#include "util/json.h"

namespace mg {

// True when the run is worth a notification: a build or merge ran, or a task failed or was
// blocked. A run that only checked (nothing to do) is not.
bool RunIsNotable(const TaskGraph& graph, const RunStates& states);

// {"schema":"mirrorgraph.notify/v1","run_id","command","outcome":"built"|"failed"|"blocked"|"interrupted",
//  "exit_code","started_at","finished_at" (RFC 3339, milliseconds),"duration_seconds","counts":{status:n},
//  "apps":[{"app","built":[{"version","duration_seconds"}],"failed":[{"id","error","duration_seconds"}],
//           "blocked":[{"id","reason"}]}]}
// Apps sorted by name, versions and ids sorted; only apps with something to say are listed.
Json NotifySummaryJson(const TaskGraph& graph, const RunStates& states, const RunSummary& summary,
                       const std::string& run_id, const std::string& command, int64_t started_ms, int64_t finished_ms);

}  // namespace mg
