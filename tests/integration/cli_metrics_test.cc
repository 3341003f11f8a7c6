// `mirrorgraph run --metrics FILE --notify URL` end to end against the real registry and a local
// HTTP server that records what is posted (tests/servers/notify_sink.py). The upstream has no
// Dockerfile, so builds fail: a run that failed (exit 1), whose outcome the metrics and the
// notification never change. promtool's check of the file is cli_metrics_promtool_test.cc.
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "cli_fixture.h"
#include "metrics_fixture.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::NotifySink;
using mg::testing::ParseMetricsText;

namespace {

mg::testing::TestRegistry& Registry() { return mg::testing::SharedPlainRegistry(); }

void PrepareHello(CliWorkspace& ws, const std::vector<std::string>& tags = {"v1.0.0", "v1.1.0"}) {
  auto url = ws.MakeUpstream("hello", tags);
  BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
  ws.WriteConfig({.registry_host = Registry().host(),
                  .ns = "metricstest",
                  .max_versions = 2,
                  .apps = {{.name = "hello", .url = *url}}});
}

double Value(const std::map<std::string, double>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? -1 : it->second;
}

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_metrics_test)

BOOST_AUTO_TEST_CASE(a_failed_run_writes_its_metrics_and_posts_its_summary) {
  auto sink = NotifySink::Start();
  BOOST_REQUIRE_MESSAGE(sink.ok(), sink.status().ToString());
  CliWorkspace ws;
  PrepareHello(ws);
  fs::create_directories(ws.dir() / "textfile");
  const std::string hook = "http://hookuser:hook-Secret-9@127.0.0.1:" + std::to_string((*sink)->port()) +
                           "/hook?token=query-Secret-7";
  auto r = ws.Run({"run", "--json", "run.json", "--metrics", "textfile/mirrorgraph.prom", "--notify", hook});
  BOOST_TEST_REQUIRE(r.exit_code == 1, r.Describe());  // the builds failed: the run's own outcome
  BOOST_TEST(r.err.find("warning") == std::string::npos, r.Describe());
  Json report = ws.ReadJson("run.json");

  // The metrics file, alone in its directory (no temporary left behind).
  BOOST_TEST(Names(ws.dir() / "textfile") == std::vector<std::string>{"mirrorgraph.prom"});
  const std::string text = mg::testing::ReadFile(ws.dir() / "textfile" / "mirrorgraph.prom");
  BOOST_TEST(text.size() > 6u);
  BOOST_TEST(text.substr(text.size() - 6) == "# EOF\n", text);
  auto m = ParseMetricsText(text);
  for (const auto& [k, v] : m) BOOST_TEST(k.rfind("!bad:", 0) != 0u, k);
  BOOST_TEST(Value(m, "mirrorgraph_tasks_total{status=\"failed\",type=\"build\"}") == 4, text);
  BOOST_TEST(Value(m, "mirrorgraph_tasks_total{status=\"blocked\",type=\"merge\"}") == 2, text);
  BOOST_TEST(Value(m, "mirrorgraph_tasks_total{status=\"ran\",type=\"probe\"}") == 2, text);
  BOOST_TEST(Value(m, "mirrorgraph_tasks_total{status=\"ran\",type=\"discover\"}") == 1, text);
  BOOST_TEST(Value(m, "mirrorgraph_task_duration_seconds_count{type=\"build\"}") == 4, text);
  BOOST_TEST(Value(m, "mirrorgraph_task_duration_seconds_sum{type=\"build\"}") >= 0, text);
  // The probes asked the real registry for two manifests it does not have.
  BOOST_TEST(Value(m, "mirrorgraph_http_requests_total{code=\"404\",role=\"registry\"}") >= 2, text);
  BOOST_TEST(Value(m, "mirrorgraph_runs_total{result=\"failed\"}") == 1, text);
  BOOST_TEST(Value(m, "mirrorgraph_last_run_exit_code") == 1, text);
  BOOST_TEST(Value(m, "mirrorgraph_last_run_timestamp_seconds") > 1.7e9, text);
  BOOST_TEST(text.find("mirrorgraph_app_last_success_timestamp_seconds") == std::string::npos, text);
  BOOST_TEST(fs::exists(ws.state_dir() / "app_success.json"));

  // The summary: posted once, as JSON, with the URL's userinfo as basic auth and its query.
  auto seen = (*sink)->Requests();
  BOOST_REQUIRE_MESSAGE(seen.ok(), seen.status().ToString());
  BOOST_TEST_REQUIRE(seen->size() == 1u, seen->dump());
  const Json& post = (*seen)[0];
  BOOST_TEST(post["path"] == "/hook?token=query-Secret-7");
  BOOST_TEST(post["headers"]["content-type"] == "application/json");
  BOOST_TEST(post["headers"].value("authorization", "") == "Basic aG9va3VzZXI6aG9vay1TZWNyZXQtOQ==");
  std::string err;
  Json body = mg::ParseJson(post["body"].get<std::string>(), &err);
  BOOST_TEST_REQUIRE(body.is_object(), err);
  BOOST_TEST(body["schema"] == "mirrorgraph.notify/v1");
  BOOST_TEST(body["run_id"] == report["run_id"]);
  BOOST_TEST(body["command"] == "run");
  BOOST_TEST(body["outcome"] == "failed");
  BOOST_TEST(body["exit_code"] == 1);
  BOOST_TEST(body["counts"]["failed"] == 4);
  BOOST_TEST(body["duration_seconds"].is_number());
  BOOST_TEST_REQUIRE(body["apps"].size() == 1u, body.dump());
  const Json& app = body["apps"][0];
  BOOST_TEST(app["app"] == "hello");
  BOOST_TEST(app["built"].empty());
  BOOST_TEST_REQUIRE(app["failed"].size() == 4u, body.dump());
  BOOST_TEST(app["failed"][0]["id"] == "build:hello@1.0.0/linux/amd64");
  BOOST_TEST(app["failed"][0]["error"].get<std::string>().find("Dockerfile") != std::string::npos, body.dump());
  std::vector<std::string> blocked;
  for (const Json& b : app["blocked"]) blocked.push_back(b["id"]);
  BOOST_TEST(std::count(blocked.begin(), blocked.end(), "merge:hello@1.1.0") == 1, body.dump());
}

BOOST_AUTO_TEST_CASE(failures_to_write_or_post_are_warnings_without_credentials) {
  auto sink = NotifySink::Start();
  BOOST_REQUIRE_MESSAGE(sink.ok(), sink.status().ToString());
  CliWorkspace ws;
  PrepareHello(ws);
  // A directory that does not exist, and a server that answers 500.
  const std::string failing = "http://u:fail-Secret-1@127.0.0.1:" + std::to_string((*sink)->port()) + "/fail?k=fail-Secret-2";
  auto r = ws.Run({"run", "--metrics", "no/such/dir/m.prom", "--notify", failing});
  BOOST_TEST_REQUIRE(r.exit_code == 1, r.Describe());
  BOOST_TEST(r.err.find("mirrorgraph: warning: metrics not written: ") != std::string::npos, r.Describe());
  BOOST_TEST(r.err.find("no/such/dir/m.prom") != std::string::npos, r.Describe());
  const std::string shown = "http://127.0.0.1:" + std::to_string((*sink)->port()) + "/fail?<redacted>";
  BOOST_TEST(r.err.find("mirrorgraph: warning: --notify " + shown + ": the server answered HTTP 500") != std::string::npos,
             r.Describe());
  BOOST_TEST(r.err.find("Secret") == std::string::npos, r.Describe());
  auto seen = (*sink)->Requests();
  BOOST_REQUIRE(seen.ok());
  BOOST_TEST(seen->size() >= 1u, seen->dump());  // posted (and maybe retried once: a 500)

  // Nobody listening: a warning naming the URL without its credentials; the outcome stays.
  auto closed = ws.Run({"run", "--notify", "http://u:gone-Secret-3@127.0.0.1:1/hook"});
  BOOST_TEST_REQUIRE(closed.exit_code == 1, closed.Describe());
  BOOST_TEST(closed.err.find("mirrorgraph: warning: --notify http://127.0.0.1:1/hook: could not post the summary: ") !=
                 std::string::npos,
             closed.Describe());
  BOOST_TEST(closed.err.find("Secret") == std::string::npos, closed.Describe());
}

BOOST_AUTO_TEST_CASE(a_run_with_nothing_to_do_posts_nothing_and_counters_add_up) {
  auto sink = NotifySink::Start();
  BOOST_REQUIRE_MESSAGE(sink.ok(), sink.status().ToString());
  CliWorkspace ws;
  // No tag matches the pattern: discover finds nothing to build.
  PrepareHello(ws, {"release-1", "release-2"});
  auto first = ws.Run({"run", "--metrics", "m1.prom", "--notify", (*sink)->Url("/hook")});
  BOOST_TEST_REQUIRE(first.exit_code == 0, first.Describe());
  auto seen = (*sink)->Requests();
  BOOST_REQUIRE(seen.ok());
  BOOST_TEST(seen->empty(), seen->dump());
  auto m1 = ParseMetricsText(mg::testing::ReadFile(ws.dir() / "m1.prom"));
  const double success = Value(m1, "mirrorgraph_app_last_success_timestamp_seconds{app=\"hello\"}");
  BOOST_TEST(success > 1.7e9);
  BOOST_TEST(Value(m1, "mirrorgraph_runs_total{result=\"success\"}") == 1);

  // The upstream goes away: discover fails, the app's last success stays what it was, and the
  // counters carry the first run's counts.
  fs::remove_all(ws.dir() / "upstreams" / "hello");
  auto second = ws.Run({"run", "--metrics", "m2.prom", "--notify", (*sink)->Url("/hook")});
  BOOST_TEST_REQUIRE(second.exit_code == 1, second.Describe());
  auto m2 = ParseMetricsText(mg::testing::ReadFile(ws.dir() / "m2.prom"));
  BOOST_TEST(Value(m2, "mirrorgraph_app_last_success_timestamp_seconds{app=\"hello\"}") == success);
  BOOST_TEST(Value(m2, "mirrorgraph_runs_total{result=\"success\"}") == 1);
  BOOST_TEST(Value(m2, "mirrorgraph_runs_total{result=\"failed\"}") == 1);
  BOOST_TEST(Value(m2, "mirrorgraph_tasks_total{status=\"ran\",type=\"discover\"}") == 1);
  BOOST_TEST(Value(m2, "mirrorgraph_tasks_total{status=\"failed\",type=\"discover\"}") == 1);
  // That failure is notable: posted.
  seen = (*sink)->Requests();
  BOOST_REQUIRE(seen.ok());
  BOOST_TEST_REQUIRE(seen->size() == 1u, seen->dump());
  Json body = mg::ParseJson((*seen)[0]["body"].get<std::string>(), nullptr);
  BOOST_TEST(body["outcome"] == "failed");
  BOOST_TEST(body["apps"][0]["failed"][0]["id"] == "discover:hello");
}

BOOST_AUTO_TEST_CASE(metrics_and_notify_are_options_of_run) {
  CliWorkspace ws;
  PrepareHello(ws);
  auto plan = ws.Run({"plan", "--metrics", "m.prom"});
  BOOST_TEST(plan.exit_code == 2, plan.Describe());
  BOOST_TEST(plan.err.find("--metrics is an option of run") != std::string::npos, plan.Describe());
  auto bad = ws.Run({"run", "--notify", "ftp://u:p-Secret@host/x"});
  BOOST_TEST(bad.exit_code == 2, bad.Describe());
  BOOST_TEST(bad.err.find("Secret") == std::string::npos, bad.Describe());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
