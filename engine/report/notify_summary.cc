#include "report/notify_summary.h"

#include <map>

#include "util/clock.h"

namespace mg {
namespace {

double Seconds(const TaskRunState& s) {
  if (s.started_at <= 0 || s.finished_at < s.started_at) return 0;
  return static_cast<double>(s.finished_at - s.started_at) / 1000.0;
}

struct AppNews {
  std::map<std::string, double> built;  // version -> build and merge seconds
  std::map<std::string, Json> failed;   // id -> entry
  std::map<std::string, Json> blocked;
};

}  // namespace

bool RunIsNotable(const TaskGraph& graph, const RunStates& states) {
  for (TaskGraph::Index i = 0; i < graph.size() && i < states.size(); ++i) {
    const Task& t = graph.task(i);
    if (t.placeholder) continue;
    const TaskStatus s = states[i].status;
    if (s == TaskStatus::kFailed || s == TaskStatus::kBlocked) return true;
    if (s == TaskStatus::kRan && (t.type == TaskType::kBuild || t.type == TaskType::kMerge)) return true;
  }
  return false;
}

Json NotifySummaryJson(const TaskGraph& graph, const RunStates& states, const RunSummary& summary,
                       const std::string& run_id, const std::string& command, int64_t started_ms, int64_t finished_ms) {
  std::map<std::string, AppNews> apps;
  std::map<std::string, double> version_seconds;  // "app@version" -> build and merge seconds
  bool any_failed = false, any_blocked = false;
  for (TaskGraph::Index i = 0; i < graph.size() && i < states.size(); ++i) {
    const Task& t = graph.task(i);
    const TaskRunState& s = states[i];
    if (t.placeholder) continue;
    const std::string& app = t.coords.app;
    if ((t.type == TaskType::kBuild || t.type == TaskType::kMerge) && s.status == TaskStatus::kRan) {
      version_seconds[app + "@" + t.coords.version] += Seconds(s);
      if (t.type == TaskType::kMerge) apps[app].built[t.coords.version] = 0;
    }
    if (s.status == TaskStatus::kFailed) {
      any_failed = true;
      apps[app].failed[t.id] = {{"id", t.id}, {"error", s.error}, {"duration_seconds", Seconds(s)}};
    } else if (s.status == TaskStatus::kBlocked) {
      any_blocked = true;
      apps[app].blocked[t.id] = {{"id", t.id}, {"reason", s.reason}};
    }
  }
  Json list = Json::array();
  for (auto& [app, news] : apps) {
    Json built = Json::array(), failed = Json::array(), blocked = Json::array();
    for (const auto& [version, unused] : news.built) {
      built.push_back({{"version", version}, {"duration_seconds", version_seconds[app + "@" + version]}});
    }
    for (auto& [id, e] : news.failed) failed.push_back(std::move(e));
    for (auto& [id, e] : news.blocked) blocked.push_back(std::move(e));
    list.push_back({{"app", app}, {"built", built}, {"failed", failed}, {"blocked", blocked}});
  }
  Json counts = Json::object();
  for (const auto& [status, n] : summary.counts) {
    if (n > 0) counts[TaskStatusName(status)] = n;
  }
  const char* outcome = summary.interrupted ? "interrupted" : any_failed ? "failed" : any_blocked ? "blocked" : "built";
  return {{"schema", "mirrorgraph.notify/v1"},
          {"run_id", run_id},
          {"command", command},
          {"outcome", outcome},
          {"exit_code", summary.ExitCode()},
          {"started_at", FormatRfc3339(started_ms)},
          {"finished_at", FormatRfc3339(finished_ms)},
          {"duration_seconds", finished_ms >= started_ms ? static_cast<double>(finished_ms - started_ms) / 1000.0 : 0.0},
          {"counts", counts},
          {"apps", list}};
}

}  // namespace mg
