#include "report/run_metrics.h"

#include <set>

namespace mg {
namespace {

constexpr const char* kTasks = "mirrorgraph_tasks_total";
constexpr const char* kDuration = "mirrorgraph_task_duration_seconds";
constexpr const char* kCacheHits = "mirrorgraph_cache_hits_total";
constexpr const char* kPushed = "mirrorgraph_pushed_bytes_total";
constexpr const char* kRequests = "mirrorgraph_http_requests_total";
constexpr const char* kFailures = "mirrorgraph_http_request_failures_total";
constexpr const char* kRuns = "mirrorgraph_runs_total";
constexpr const char* kLastRun = "mirrorgraph_last_run_timestamp_seconds";
constexpr const char* kLastDuration = "mirrorgraph_last_run_duration_seconds";
constexpr const char* kLastExit = "mirrorgraph_last_run_exit_code";
constexpr const char* kRateLimit = "mirrorgraph_forge_rate_limit_remaining";
constexpr const char* kAppSuccess = "mirrorgraph_app_last_success_timestamp_seconds";
constexpr const char* kAppPublish = "mirrorgraph_app_last_publish_timestamp_seconds";

int64_t IntMember(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return 0;
  return it->get<int64_t>();
}

bool IsLabelName(const std::string& s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string RunResult(const RunSummary& s) {
  if (s.interrupted) return "interrupted";
  if (!s.state_error.empty()) return "state_error";
  return s.ExitCode() == 0 ? "success" : "failed";
}

}  // namespace

AppRecords ParseAppRecords(const Json& doc) {
  AppRecords out;
  if (!doc.is_object() || IntMember(doc, "version") != 1) return out;
  auto apps = doc.find("apps");
  if (apps == doc.end() || !apps->is_object()) return out;
  for (const auto& [name, rec] : apps->items()) {
    if (!rec.is_object()) continue;
    out[name] = AppRecord{IntMember(rec, "last_success"), IntMember(rec, "last_publish")};
  }
  return out;
}

Json AppRecordsJson(const AppRecords& records) {
  Json apps = Json::object();
  for (const auto& [name, r] : records) apps[name] = {{"last_success", r.last_success}, {"last_publish", r.last_publish}};
  return {{"version", 1}, {"apps", apps}};
}

void UpdateAppRecords(const TaskGraph& graph, const RunStates& states, const RunSummary& summary,
                      int64_t now_ms, AppRecords* records) {
  std::set<std::string> checked, bad, published;
  for (TaskGraph::Index i = 0; i < graph.size() && i < states.size(); ++i) {
    const Task& t = graph.task(i);
    if (t.placeholder) continue;
    const TaskStatus s = states[i].status;
    if (t.type == TaskType::kDiscover && HasResult(s)) checked.insert(t.coords.app);
    if (s == TaskStatus::kFailed || s == TaskStatus::kBlocked || !IsFinished(s)) bad.insert(t.coords.app);
    if (t.type == TaskType::kMerge && s == TaskStatus::kRan) published.insert(t.coords.app);
  }
  for (const std::string& app : published) (*records)[app].last_publish = now_ms;
  if (summary.interrupted) return;
  for (const std::string& app : checked) {
    if (!bad.count(app)) (*records)[app].last_success = now_ms;
  }
}

MetricSet RunMetrics(const RunMetricsInput& in) {
  MetricSet m;
  m.Declare(kTasks, MetricType::kCounter, "Tasks finished, by task type and final status.");
  m.Declare(kDuration, MetricType::kSummary, "Wall time of the tasks that ran (or ran and failed), by task type.");
  m.Declare(kCacheHits, MetricType::kCounter, "Tasks reused from a cache, by the tier the entry came from.");
  m.Declare(kPushed, MetricType::kCounter, "Request body bytes the registries accepted (blob and manifest uploads), by host role.");
  m.Declare(kRequests, MetricType::kCounter, "HTTP responses received, by host role and status code.");
  m.Declare(kFailures, MetricType::kCounter, "HTTP requests that got no response (connection, TLS, timeout, cancelled), by host role.");
  m.Declare(kRuns, MetricType::kCounter, "Runs, by result (success, failed, interrupted, state_error).");
  m.Declare(kLastRun, MetricType::kGauge, "When the last run finished, in Unix seconds.");
  m.Declare(kLastDuration, MetricType::kGauge, "How long the last run took.");
  m.Declare(kLastExit, MetricType::kGauge, "The last run's exit code (docs/cli.md).");
  m.Declare(kRateLimit, MetricType::kGauge, "The forge API rate-limit remaining value last seen in the last run, by host:port.");
  m.Declare(kAppSuccess, MetricType::kGauge, "When a run last checked the app with no failed or blocked task, in Unix seconds.");
  m.Declare(kAppPublish, MetricType::kGauge, "When a run last merged (pushed and tagged) a version of the app, in Unix seconds.");

  if (in.graph != nullptr && in.states != nullptr) {
    for (TaskGraph::Index i = 0; i < in.graph->size() && i < in.states->size(); ++i) {
      const Task& t = in.graph->task(i);
      const TaskRunState& s = (*in.states)[i];
      if (t.placeholder || !IsFinished(s.status)) continue;
      const std::string type = TaskTypeName(t.type);
      m.Add(kTasks, {{"status", TaskStatusName(s.status)}, {"type", type}}, 1);
      if ((s.status == TaskStatus::kRan || s.status == TaskStatus::kFailed) && s.started_at > 0 &&
          s.finished_at >= s.started_at) {
        m.Add(kDuration, {{"type", type}}, static_cast<double>(s.finished_at - s.started_at) / 1000.0, "_sum");
        m.Add(kDuration, {{"type", type}}, 1, "_count");
      }
      if (s.status == TaskStatus::kCached) m.Add(kCacheHits, {{"tier", s.cache_tier == CacheTier::kRemote ? "remote" : "local"}}, 1);
    }
  }
  if (in.http != nullptr) {
    for (const auto& [key, n] : in.http->responses) m.Add(kRequests, {{"code", key.second}, {"role", key.first}}, n);
    for (const auto& [role, n] : in.http->failures) m.Add(kFailures, {{"role", role}}, n);
    for (const auto& [role, n] : in.http->sent_bytes) {
      if (role == "registry" || role == "cache") m.Add(kPushed, {{"role", role}}, n);
    }
    for (const auto& [host, n] : in.http->rate_limit_remaining) m.Set(kRateLimit, {{"host", host}}, n);
  }
  if (in.summary != nullptr) {
    m.Add(kRuns, {{"result", RunResult(*in.summary)}}, 1);
    m.Set(kLastExit, {}, in.summary->ExitCode());
  }
  m.Set(kLastRun, {}, static_cast<double>(in.finished_ms) / 1000.0);
  if (in.finished_ms >= in.started_ms) m.Set(kLastDuration, {}, static_cast<double>(in.finished_ms - in.started_ms) / 1000.0);
  for (const auto& [app, r] : in.apps) {
    if (r.last_success > 0) m.Set(kAppSuccess, {{"app", app}}, static_cast<double>(r.last_success) / 1000.0);
    if (r.last_publish > 0) m.Set(kAppPublish, {{"app", app}}, static_cast<double>(r.last_publish) / 1000.0);
  }
  return m;
}

Json AddTotals(const Json& previous, MetricSet* metrics) {
  if (previous.is_object() && IntMember(previous, "version") == 1) {
    auto samples = previous.find("samples");
    if (samples != previous.end() && samples->is_array()) {
      for (const Json& s : *samples) {
        if (!s.is_object()) continue;
        auto name = s.find("name");
        auto suffix = s.find("suffix");
        auto labels = s.find("labels");
        auto value = s.find("value");
        if (name == s.end() || !name->is_string() || suffix == s.end() || !suffix->is_string() ||
            labels == s.end() || !labels->is_object() || value == s.end() || !value->is_number()) {
          continue;
        }
        auto type = metrics->TypeOf(name->get<std::string>());
        if (!type || *type == MetricType::kGauge) continue;
        const std::string sfx = suffix->get<std::string>();
        if (*type == MetricType::kCounter ? !sfx.empty() : (sfx != "_sum" && sfx != "_count")) continue;
        std::map<std::string, std::string> l;
        bool ok = true;
        for (const auto& [k, v] : labels->items()) {
          if (!v.is_string() || !IsLabelName(k)) ok = false;
          else l[k] = v.get<std::string>();
        }
        const double x = value->get<double>();
        if (!ok || !(x >= 0)) continue;
        metrics->Add(name->get<std::string>(), l, x, suffix->get<std::string>());
      }
    }
  }
  Json out = Json::array();
  metrics->ForEachSample([&out](const std::string& name, MetricType type, const std::string& suffix,
                                const std::map<std::string, std::string>& labels, double value) {
    if (type == MetricType::kGauge) return;
    out.push_back({{"name", name}, {"suffix", suffix}, {"labels", labels}, {"value", value}});
  });
  return {{"version", 1}, {"samples", out}};
}

}  // namespace mg
