#include "tasks/growth.h"

#include "graph/expander.h"

namespace mg {

DiscoverGrowth::DiscoverGrowth(const std::vector<ResolvedApp>& apps, TargetRegistry registry)
    : registry_(std::move(registry)) {
  for (const ResolvedApp& a : apps) apps_[a.model.app] = &a;
}

void DiscoverGrowth::OnResult(TaskGraph& graph, TaskGraph::Index index, const Json& result) {
  auto it = apps_.find(graph.task(index).coords.app);
  if (it == apps_.end()) return;
  ExpandVersions(graph, it->second->model, registry_, VersionsFromDiscoverResult(result));
}

}  // namespace mg
