// The run's metrics from a graph and its states, the counters carried across runs, the per-app
// records, and the notification summary.
#include "report/run_metrics.h"

#include <boost/test/unit_test.hpp>

#include "report/notify_summary.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;

namespace {

struct Run {
  TaskGraph graph;
  RunStates states;
  RunSummary summary;

  void Add(TaskType type, const std::string& app, const std::string& version, const std::string& platform,
           TaskStatus status, int64_t started = 0, int64_t finished = 0, CacheTier tier = CacheTier::kNone) {
    Task t;
    t.type = type;
    t.coords = {app, "", version, platform};
    t.id = FormatTaskId(type, t.coords);
    graph.Add(t);
    TaskRunState s;
    s.status = status;
    s.started_at = started;
    s.finished_at = finished;
    s.cache_tier = tier;
    if (status == TaskStatus::kFailed) s.error = "boom in " + t.id;
    if (status == TaskStatus::kBlocked) s.reason = "blocked: a dependency failed";
    states.push_back(s);
    ++summary.counts[status];
  }
};

// hello: checked, one version built (merge ran); world: a build failed, its merge blocked;
// idle: discovered, everything unneeded.
Run Sample() {
  Run r;
  r.Add(TaskType::kDiscover, "hello", "", "", TaskStatus::kRan, 1000, 1500);
  r.Add(TaskType::kBuild, "hello", "1.0.0", "linux/amd64", TaskStatus::kRan, 2000, 12000);
  r.Add(TaskType::kMerge, "hello", "1.0.0", "", TaskStatus::kRan, 12000, 13000);
  r.Add(TaskType::kBuild, "hello", "0.9.0", "linux/amd64", TaskStatus::kCached, 0, 0, CacheTier::kRemote);
  r.Add(TaskType::kSign, "hello", "0.9.0", "", TaskStatus::kCached, 0, 0, CacheTier::kLocal);
  r.Add(TaskType::kDiscover, "world", "", "", TaskStatus::kRan, 1000, 1250);
  r.Add(TaskType::kBuild, "world", "2.0.0", "linux/arm64", TaskStatus::kFailed, 2000, 4000);
  r.Add(TaskType::kMerge, "world", "2.0.0", "", TaskStatus::kBlocked);
  r.Add(TaskType::kDiscover, "idle", "", "", TaskStatus::kCached);
  r.Add(TaskType::kProbe, "idle", "3.0.0", "", TaskStatus::kUnneeded);
  return r;
}

bool Has(const std::string& text, const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(run_metrics_test)

BOOST_AUTO_TEST_CASE(tasks_durations_cache_tiers_and_http) {
  Run r = Sample();
  HttpCounts http;
  http.responses[{"registry", "201"}] = 4;
  http.responses[{"forge", "200"}] = 2;
  http.failures["upstream"] = 1;
  http.sent_bytes["registry"] = 4096;
  http.sent_bytes["sigstore"] = 99;  // not a push
  http.rate_limit_remaining["api.github.com:443"] = 4321;
  RunMetricsInput in{&r.graph, &r.states, &r.summary, &http, {}, 1000, 15000};
  UpdateAppRecords(r.graph, r.states, r.summary, 15000, &in.apps);
  const std::string text = RunMetrics(in).Text();
  BOOST_TEST(Has(text, "mirrorgraph_tasks_total{status=\"ran\",type=\"build\"} 1"), text);
  BOOST_TEST(Has(text, "mirrorgraph_tasks_total{status=\"failed\",type=\"build\"} 1"), text);
  BOOST_TEST(Has(text, "mirrorgraph_tasks_total{status=\"cached\",type=\"build\"} 1"), text);
  BOOST_TEST(Has(text, "mirrorgraph_tasks_total{status=\"blocked\",type=\"merge\"} 1"), text);
  BOOST_TEST(Has(text, "mirrorgraph_tasks_total{status=\"ran\",type=\"discover\"} 2"), text);
  BOOST_TEST(Has(text, "mirrorgraph_task_duration_seconds_sum{type=\"build\"} 12"), text);
  BOOST_TEST(Has(text, "mirrorgraph_task_duration_seconds_count{type=\"build\"} 2"), text);
  BOOST_TEST(Has(text, "mirrorgraph_task_duration_seconds_sum{type=\"discover\"} 0.75"), text);
  BOOST_TEST(Has(text, "mirrorgraph_cache_hits_total{tier=\"remote\"} 1"), text);
  BOOST_TEST(Has(text, "mirrorgraph_cache_hits_total{tier=\"local\"} 2"), text);
  BOOST_TEST(Has(text, "mirrorgraph_http_requests_total{code=\"201\",role=\"registry\"} 4"), text);
  BOOST_TEST(Has(text, "mirrorgraph_http_requests_total{code=\"200\",role=\"forge\"} 2"), text);
  BOOST_TEST(Has(text, "mirrorgraph_http_request_failures_total{role=\"upstream\"} 1"), text);
  BOOST_TEST(Has(text, "mirrorgraph_pushed_bytes_total{role=\"registry\"} 4096"), text);
  BOOST_TEST(text.find("role=\"sigstore\"") == std::string::npos, text);
  BOOST_TEST(Has(text, "mirrorgraph_forge_rate_limit_remaining{host=\"api.github.com:443\"} 4321"), text);
  BOOST_TEST(Has(text, "mirrorgraph_runs_total{result=\"failed\"} 1"), text);
  BOOST_TEST(Has(text, "mirrorgraph_last_run_exit_code 1"), text);
  BOOST_TEST(Has(text, "mirrorgraph_last_run_duration_seconds 14"), text);
  BOOST_TEST(Has(text, "mirrorgraph_last_run_timestamp_seconds 15"), text);
  // hello and idle succeeded; world failed. Only hello published.
  BOOST_TEST(Has(text, "mirrorgraph_app_last_success_timestamp_seconds{app=\"hello\"} 15"), text);
  BOOST_TEST(Has(text, "mirrorgraph_app_last_success_timestamp_seconds{app=\"idle\"} 15"), text);
  BOOST_TEST(text.find("last_success_timestamp_seconds{app=\"world\"}") == std::string::npos, text);
  BOOST_TEST(Has(text, "mirrorgraph_app_last_publish_timestamp_seconds{app=\"hello\"} 15"), text);
  BOOST_TEST(text.find("last_publish_timestamp_seconds{app=\"idle\"}") == std::string::npos, text);
  BOOST_TEST(text.substr(text.size() - 6) == "# EOF\n");
}

BOOST_AUTO_TEST_CASE(app_records_keep_earlier_values_for_apps_with_nothing_new) {
  AppRecords before = {{"world", {5000, 4000}}, {"gone", {100, 50}}};
  Json doc = AppRecordsJson(before);
  AppRecords records = ParseAppRecords(doc);
  BOOST_TEST(records.size() == 2u);
  BOOST_TEST(records["world"].last_success == 5000);
  Run r = Sample();
  UpdateAppRecords(r.graph, r.states, r.summary, 90000, &records);
  BOOST_TEST(records["world"].last_success == 5000);  // failed now: the earlier success stays
  BOOST_TEST(records["world"].last_publish == 4000);
  BOOST_TEST(records["gone"].last_success == 100);     // not in this run at all
  BOOST_TEST(records["hello"].last_success == 90000);
  BOOST_TEST(records["hello"].last_publish == 90000);
  BOOST_TEST(records["idle"].last_publish == 0);
  // An interrupted run records publishes only.
  AppRecords interrupted;
  r.summary.interrupted = true;
  UpdateAppRecords(r.graph, r.states, r.summary, 7, &interrupted);
  BOOST_TEST(interrupted["hello"].last_publish == 7);
  BOOST_TEST(interrupted["hello"].last_success == 0);
}

BOOST_AUTO_TEST_CASE(app_records_of_the_wrong_shape_are_empty_or_skipped_never_thrown) {
  BOOST_TEST(ParseAppRecords(Json()).empty());
  BOOST_TEST(ParseAppRecords(Json::array()).empty());
  BOOST_TEST(ParseAppRecords(Json{{"version", 2}, {"apps", Json::object()}}).empty());
  BOOST_TEST(ParseAppRecords(Json{{"version", "1"}, {"apps", Json::object()}}).empty());
  BOOST_TEST(ParseAppRecords(Json{{"version", 1}, {"apps", "x"}}).empty());
  AppRecords r = ParseAppRecords(Json::parse(
      R"({"version":1,"apps":{"a":{"last_success":"soon","last_publish":12},"b":[1],"c":{"last_success":3.5}}})"));
  BOOST_TEST(r.size() == 2u);
  BOOST_TEST(r["a"].last_success == 0);
  BOOST_TEST(r["a"].last_publish == 12);
  BOOST_TEST(r["c"].last_success == 0);
}

BOOST_AUTO_TEST_CASE(counters_add_up_across_runs_and_gauges_do_not) {
  Run r = Sample();
  RunMetricsInput in{&r.graph, &r.states, &r.summary, nullptr, {}, 0, 1000};
  MetricSet first = RunMetrics(in);
  Json totals = AddTotals(Json(), &first);
  MetricSet second = RunMetrics(in);
  Json totals2 = AddTotals(totals, &second);
  const std::string text = second.Text();
  BOOST_TEST(Has(text, "mirrorgraph_tasks_total{status=\"failed\",type=\"build\"} 2"), text);
  BOOST_TEST(Has(text, "mirrorgraph_task_duration_seconds_count{type=\"build\"} 4"), text);
  BOOST_TEST(Has(text, "mirrorgraph_runs_total{result=\"failed\"} 2"), text);
  BOOST_TEST(Has(text, "mirrorgraph_last_run_exit_code 1"), text);  // a gauge: not added up
  BOOST_TEST(totals2["version"] == 1);
  BOOST_TEST(totals2["samples"].size() == totals["samples"].size());
  for (const Json& s : totals2["samples"]) BOOST_TEST(s["name"].get<std::string>().find("last_run") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(unusable_totals_are_ignored) {
  Run r = Sample();
  RunMetricsInput in{&r.graph, &r.states, &r.summary, nullptr, {}, 0, 1000};
  MetricSet m = RunMetrics(in);
  Json bad = Json::parse(R"({"version":1,"samples":[
      {"name":"mirrorgraph_runs_total","suffix":"","labels":{"result":"failed"},"value":"many"},
      {"name":"mirrorgraph_runs_total","suffix":"_sum","labels":{"result":"failed"},"value":5},
      {"name":"mirrorgraph_runs_total","suffix":"","labels":{"bad label":"x"},"value":5},
      {"name":"mirrorgraph_runs_total","suffix":"","labels":{"result":"failed"},"value":-4},
      {"name":"mirrorgraph_last_run_exit_code","suffix":"","labels":{},"value":9},
      {"name":"mirrorgraph_unknown_total","suffix":"","labels":{},"value":9},
      7,
      {"name":"mirrorgraph_runs_total","suffix":"","labels":{"result":"success"},"value":41}]})");
  (void)AddTotals(bad, &m);
  const std::string text = m.Text();
  BOOST_TEST(Has(text, "mirrorgraph_runs_total{result=\"failed\"} 1"), text);
  BOOST_TEST(Has(text, "mirrorgraph_runs_total{result=\"success\"} 41"), text);
  BOOST_TEST(Has(text, "mirrorgraph_last_run_exit_code 1"), text);
  BOOST_TEST(text.find("unknown") == std::string::npos, text);
  BOOST_TEST(text.find("bad label") == std::string::npos, text);
  MetricSet m2 = RunMetrics(in);
  (void)AddTotals(Json::parse(R"({"version":2,"samples":[]})"), &m2);
  (void)AddTotals(Json::parse(R"({"version":1,"samples":{}})"), &m2);
  BOOST_TEST(Has(m2.Text(), "mirrorgraph_runs_total{result=\"failed\"} 1"));
}

BOOST_AUTO_TEST_CASE(notify_summary_lists_built_failed_and_blocked_per_app) {
  Run r = Sample();
  BOOST_TEST(RunIsNotable(r.graph, r.states));
  Json j = NotifySummaryJson(r.graph, r.states, r.summary, "run-9", "run", 1000, 15000);
  BOOST_TEST(j["schema"] == "mirrorgraph.notify/v1");
  BOOST_TEST(j["run_id"] == "run-9");
  BOOST_TEST(j["outcome"] == "failed");
  BOOST_TEST(j["exit_code"] == 1);
  BOOST_TEST(j["duration_seconds"] == 14.0);
  BOOST_TEST(j["counts"]["ran"] == 4);
  BOOST_TEST_REQUIRE(j["apps"].size() == 2u);  // idle has nothing to say
  BOOST_TEST(j["apps"][0]["app"] == "hello");
  BOOST_TEST(j["apps"][0]["built"] == Json::parse(R"([{"version":"1.0.0","duration_seconds":11.0}])"));
  BOOST_TEST(j["apps"][1]["app"] == "world");
  BOOST_TEST(j["apps"][1]["failed"][0]["id"] == "build:world@2.0.0/linux/arm64");
  BOOST_TEST(j["apps"][1]["failed"][0]["error"] == "boom in build:world@2.0.0/linux/arm64");
  BOOST_TEST(j["apps"][1]["blocked"][0]["id"] == "merge:world@2.0.0");
}

BOOST_AUTO_TEST_CASE(a_run_that_only_checked_is_not_notable) {
  Run r;
  r.Add(TaskType::kDiscover, "idle", "", "", TaskStatus::kRan, 1, 2);
  r.Add(TaskType::kProbe, "idle", "1.0.0", "", TaskStatus::kRan, 1, 2);
  r.Add(TaskType::kBuild, "idle", "1.0.0", "linux/amd64", TaskStatus::kUnneeded);
  r.Add(TaskType::kSign, "idle", "0.9.0", "", TaskStatus::kCached);
  BOOST_TEST(!RunIsNotable(r.graph, r.states));
  r.Add(TaskType::kBuild, "idle", "1.1.0", "linux/amd64", TaskStatus::kRan, 1, 2);
  BOOST_TEST(RunIsNotable(r.graph, r.states));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
