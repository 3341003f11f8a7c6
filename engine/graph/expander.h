// Expansion: AppModel + template -> tasks and edges in a TaskGraph.
//
// ExpandApp() adds an app's app-scoped tasks (its discover task). ExpandVersions() instantiates the
// per-version subgraph for each selected version, at run time, once discover has answered (the
// graph grows like ninja's dyndep). ExpandPlaceholder() adds the subgraph for the placeholder
// version "{version}" so `graph` can draw an app before any network call.
//
// Instances connect on shared coordinates: a node after an app-scoped node depends on that app's
// instance; after a version-scoped node, on the instance of the same image and version; after a
// platform-scoped node, on the same platform's instance (or, from a version-scoped node, on every
// platform's). An image that depends_on another image has its build tasks wait for the other
// image's merge task of the same version. All functions are idempotent: re-adding is a no-op.
#pragma once

#include <optional>
#include <vector>

#include "graph/app_model.h"
#include "graph/task_graph.h"

namespace mg {

// Returns the index of the app's discover task.
TaskGraph::Index ExpandApp(TaskGraph& graph, const AppModel& app, const TargetRegistry& registry);

void ExpandVersions(TaskGraph& graph, const AppModel& app, const TargetRegistry& registry,
                    const std::vector<VersionInfo>& versions);

void ExpandPlaceholder(TaskGraph& graph, const AppModel& app, const TargetRegistry& registry);

// Pool names used by the expander (docs/architecture.md lists their default capacities).
std::string PoolFor(const Task& task);

// Reads the version list out of a discover task's result JSON ({"versions":[{"version","tag",
// "commit"}...]}). Malformed entries are skipped (the discover task validated them).
std::vector<VersionInfo> VersionsFromDiscoverResult(const Json& result);

}  // namespace mg
