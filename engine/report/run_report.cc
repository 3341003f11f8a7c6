#include "report/run_report.h"

#include <algorithm>
#include <iomanip>

#include "report/discover_view.h"
#include "util/atomic_file.h"

namespace mg {

Status WriteRunReport(const std::string& path, const Json& report) {
  return WriteFileAtomic(path, PrettyJson(report) + "\n");
}

namespace {

// A plan runs only observations: what ran there was checked, in the text and the JSON alike.
std::string StatusWord(TaskStatus s, bool plan) { return plan && s == TaskStatus::kRan ? "checked" : TaskStatusName(s); }

}  // namespace

std::string SummaryLine(const RunSummary& summary, bool plan) {
  static const TaskStatus kOrder[] = {TaskStatus::kRan,     TaskStatus::kCached,   TaskStatus::kWouldRun,
                                      TaskStatus::kFailed,  TaskStatus::kBlocked,  TaskStatus::kUnneeded};
  std::string out;
  for (TaskStatus s : kOrder) {
    auto it = summary.counts.find(s);
    if (it == summary.counts.end() || it->second == 0) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(it->second) + " " + StatusWord(s, plan);
    if (s == TaskStatus::kCached && summary.remote.reused > 0) {
      out += " (" + std::to_string(summary.remote.reused) + " from the remote cache)";
    }
  }
  if (summary.remote.enabled) {
    const RemoteCacheStats& r = summary.remote;
    const size_t warnings = r.rejected.size() + r.errors.size() + r.write_failures.size();
    if (r.writes > 0 || warnings > 0) {
      out += (out.empty() ? "" : "; ") + std::string("remote cache: ") + std::to_string(r.writes) + " written";
      if (warnings > 0) out += ", " + std::to_string(warnings) + " warning(s)";
    }
  }
  return out.empty() ? "nothing to do" : out;
}

Json RemoteCacheJson(const RemoteCacheStats& r) {
  auto warnings = [](const std::vector<RemoteWarning>& items) {
    Json out = Json::array();
    for (const RemoteWarning& w : items) out.push_back({{"id", w.id}, {"reason", w.message}});
    return out;
  };
  return Json{{"where", r.where},
              {"lookups", r.lookups},
              {"hits", r.hits},
              {"reused", r.reused},
              {"misses", r.misses},
              {"rejected", r.rejected.size()},
              {"errors", r.errors.size()},
              {"writes", r.writes},
              {"write_failures", r.write_failures.size()},
              {"warnings", {{"rejected", warnings(r.rejected)},
                            {"errors", warnings(r.errors)},
                            {"write_failures", warnings(r.write_failures)}}}};
}

Json RunSummaryJson(const RunSummary& summary, bool plan) {
  Json counts = Json::object();
  for (const auto& [st, n] : summary.counts) counts[StatusWord(st, plan)] = n;
  return counts;
}

Json RunReportJson(const TaskGraph& graph, const RunStates& states, const RunSummary& summary,
                   const std::string& run_id, const std::string& command) {
  const bool plan = command == "plan";
  std::vector<TaskGraph::Index> order;
  for (TaskGraph::Index i = 0; i < graph.size() && i < states.size(); ++i) {
    if (!graph.task(i).placeholder) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return graph.task(a).id < graph.task(b).id; });
  Json tasks = Json::array();
  for (TaskGraph::Index i : order) {
    const Task& t = graph.task(i);
    const TaskRunState& s = states[i];
    Json j = {{"id", t.id}, {"type", TaskTypeName(t.type)}, {"status", StatusWord(s.status, plan)},
              {"reason", s.reason}, {"app", t.coords.app}};
    if (!t.coords.version.empty()) j["version"] = t.coords.version;
    if (!t.coords.platform.empty()) j["platform"] = t.coords.platform;
    if (!s.details.empty()) j["details"] = s.details;
    if (!s.error.empty()) j["error"] = s.error;
    if (!s.key.empty()) j["key"] = s.key.str();
    if (s.status == TaskStatus::kCached && s.cache_tier != CacheTier::kNone) j["cache_tier"] = CacheTierName(s.cache_tier);
    if (s.started_at != 0) {
      j["started_at"] = s.started_at;
      j["finished_at"] = s.finished_at;
    }
    j["duration_ms"] = s.started_at != 0 ? s.finished_at - s.started_at : 0;
    // Results held in memory: observations, and tasks that ran (a cached task's result stays in
    // the cache unless a dependent needed it).
    if (HasResult(s.status) && !s.result.is_null()) j["result"] = s.result;
    tasks.push_back(std::move(j));
  }
  Json report{{"run_id", run_id},
              {"command", command},
              {"exit_code", summary.ExitCode()},
              {"interrupted", summary.interrupted},
              {"summary", RunSummaryJson(summary, plan)},
              {"tasks", std::move(tasks)}};
  if (!summary.state_error.empty()) report["state_error"] = summary.state_error;
  if (summary.remote.enabled) report["remote_cache"] = RemoteCacheJson(summary.remote);
  return report;
}

void WritePlan(std::ostream& out, const TaskGraph& graph, const RunStates& states) {
  size_t width = 0;
  std::vector<TaskGraph::Index> order;
  for (TaskGraph::Index i : graph.TopologicalOrder()) {
    if (i >= states.size() || graph.task(i).placeholder) continue;
    order.push_back(i);
    width = std::max(width, graph.task(i).id.size());
  }
  for (TaskGraph::Index i : order) {
    const TaskRunState& s = states[i];
    std::string status = TaskStatusName(s.status);
    if (IsObservation(graph.task(i).type) && s.status == TaskStatus::kRan) status = "checked";
    out << std::left << std::setw(10) << status << "  " << std::setw(static_cast<int>(width)) << graph.task(i).id
        << "  " << s.reason;
    if (IsObservation(graph.task(i).type) && HasResult(s.status)) {
      const Json& r = s.result;
      if (graph.task(i).type == TaskType::kProbe && r.is_object()) {
        out << " -> " << r.value("state", "?");
        if (r.contains("missing_platforms") && r["missing_platforms"].is_array() && !r["missing_platforms"].empty()) {
          out << " (missing " << CanonicalJson(r["missing_platforms"]) << ")";
        }
      } else if (graph.task(i).type == TaskType::kDiscover && r.is_object()) {
        out << " -> " << (r.contains("versions") ? r["versions"].size() : 0) << " version(s), latest "
            << (r.value("latest", "").empty() ? "(none)" : r.value("latest", ""));
      }
    }
    if (!s.error.empty() && s.reason.find(s.error) == std::string::npos) out << ": " << s.error;
    out << "\n";
    // What was selected and every version left out, with its reason, under the discover line.
    if (graph.task(i).type == TaskType::kDiscover && HasResult(s.status) && s.result.is_object()) {
      for (const std::string& line : DiscoverPlanLines(s.result)) out << std::string(12, ' ') << line << "\n";
    }
  }
}

}  // namespace mg
