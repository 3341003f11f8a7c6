#include "cli/units.h"

#include <algorithm>
#include <set>

#include "exec/selection.h"
#include "util/quote_value.h"
#include "util/strings.h"

namespace mg {
namespace {

constexpr const char* kExample = "units look like APP@VERSION/OS/ARCH, e.g. hello@1.2.0/linux/arm64 (the ids "
                                 "`mirrorgraph plan --matrix FILE` lists)";

}  // namespace

Status CheckUnitId(const std::string& unit, const std::vector<ResolvedApp>& apps) {
  const std::string quoted = QuoteValue(unit);
  if (StartsWith(unit, "build:")) {
    return Status::InvalidArgument("unit " + quoted + " is a task id; " + kExample);
  }
  UnitId u;
  if (!ParseUnit(unit, &u)) return Status::InvalidArgument("unit " + quoted + " lacks an app, a version or a platform: " + kExample);
  auto it = std::find_if(apps.begin(), apps.end(), [&](const ResolvedApp& a) { return a.model.app == u.app; });
  if (it == apps.end()) {
    std::vector<std::string> names;
    for (const ResolvedApp& a : apps) names.push_back(a.model.app);
    auto hint = DidYouMean(u.app, names);
    return Status::InvalidArgument("unit " + quoted + ": no enabled app " + QuoteValue(u.app) + " in the config" +
                                   (hint ? "; did you mean '" + *hint + "'?" : " (apps: " + Join(names, ", ") + ")"));
  }
  const AppModel& m = it->model;
  if (std::find(m.platforms.begin(), m.platforms.end(), u.platform) == m.platforms.end()) {
    return Status::InvalidArgument("unit " + quoted + ": app " + u.app + " is not built for " + QuoteValue(u.platform) +
                                   " (its platforms: " + Join(m.platforms, ", ") + ")");
  }
  return Status::OK();
}

Json MatrixJson(const TaskGraph& graph, const RunStates& states, const Config& config) {
  std::set<std::string> seen;
  std::vector<const Task*> legs;
  for (TaskGraph::Index i = 0; i < graph.size() && i < states.size(); ++i) {
    const Task& t = graph.task(i);
    if (t.type != TaskType::kBuild || t.placeholder || states[i].status != TaskStatus::kWouldRun) continue;
    if (seen.insert(FormatUnit(t.coords)).second) legs.push_back(&t);
  }
  std::sort(legs.begin(), legs.end(), [](const Task* a, const Task* b) { return FormatUnit(a->coords) < FormatUnit(b->coords); });
  Json include = Json::array();
  for (const Task* t : legs) {
    auto runner = config.runners.find(t->coords.platform);
    include.push_back({{"unit", FormatUnit(t->coords)},
                       {"app", t->coords.app},
                       {"version", t->coords.version},
                       {"platform", t->coords.platform},
                       {"runner", runner != config.runners.end() ? runner->second : config.ci.runner}});
  }
  return Json{{"include", std::move(include)}};
}

}  // namespace mg
