// DiscoverGrowth: when an app's discover task answers, instantiate its per-version subgraph.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "exec/task_runner.h"
#include "tasks/app_resolver.h"

namespace mg {

class DiscoverGrowth : public GraphGrowth {
 public:
  // `apps` must outlive this object.
  DiscoverGrowth(const std::vector<ResolvedApp>& apps, TargetRegistry registry);
  void OnResult(TaskGraph& graph, TaskGraph::Index index, const Json& result) override;

 private:
  std::map<std::string, const ResolvedApp*> apps_;
  TargetRegistry registry_;
};

}  // namespace mg
