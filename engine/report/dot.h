// Graph output: Graphviz DOT and JSON, deterministic (nodes and edges sorted by task id).
//
// Nodes are filled by task type; when run states are given, the border colour, the style and the
// label also show each task's status (ran, cached, failed, blocked, unneeded, would-run).
#pragma once

#include <ostream>
#include <vector>

#include "exec/run_state.h"
#include "graph/task_graph.h"

namespace mg {

// `states` may be null or shorter than the graph (tasks without a state are drawn without one).
void WriteDot(std::ostream& out, const TaskGraph& graph, const RunStates* states);
Json GraphJson(const TaskGraph& graph, const RunStates* states);

}  // namespace mg
