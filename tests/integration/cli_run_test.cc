// `mirrorgraph run`, `status` and `explain` end to end against a real (empty) registry: discover and
// probe run for real; the upstream has no Dockerfile, so every build fails (exit 1) and what
// depends on it is blocked. build_merge_test.cc has the successful builds.
#include <boost/test/unit_test.hpp>

#include "cli_fixture.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::TaskReasonOf;
using mg::testing::TaskStatusOf;
using mg::testing::TestRegistry;

namespace {

TestRegistry& Registry() { return mg::testing::SharedPlainRegistry(); }

const std::vector<std::string> kVersions = {"1.0.0", "1.1.0", "1.2.0"};
const std::vector<std::string> kPlatforms = {"linux/amd64", "linux/arm64"};

std::string PrepareHello(CliWorkspace& ws, int max_versions = 3) {
  auto url = ws.MakeUpstream("hello", {"v1.0.0", "v1.1.0", "v1.2.0"});
  BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
  ws.WriteConfig({.registry_host = Registry().host(),
                  .ns = "runtest",
                  .max_versions = max_versions,
                  .apps = {{.name = "hello", .url = *url}}});
  return *url;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_run_test)

BOOST_AUTO_TEST_CASE(run_fails_builds_without_a_dockerfile_and_blocks_their_dependents) {
  CliWorkspace ws;
  PrepareHello(ws);
  auto r = ws.Run({"run", "-j", "4", "--json", "run.json"});
  BOOST_TEST_REQUIRE(r.exit_code == 1, r.Describe());
  Json report = ws.ReadJson("run.json");
  BOOST_TEST_REQUIRE(report.is_object(), r.Describe());
  BOOST_TEST(report["command"] == "run");
  BOOST_TEST(report["exit_code"] == 1);
  BOOST_TEST(report["interrupted"] == false);

  BOOST_TEST(TaskStatusOf(report, "discover:hello") == "ran");
  BOOST_TEST(TaskReasonOf(report, "discover:hello") == "observes the upstream: re-checked every run");
  for (const std::string& v : kVersions) {
    std::string probe = "probe:hello@" + v;
    BOOST_TEST(TaskStatusOf(report, probe) == "ran", probe);
    BOOST_TEST(mg::testing::FindTask(report, probe)->at("result")["state"] == "missing", probe);
    for (const std::string& p : kPlatforms) {
      std::string build = "build:hello@" + v + "/" + p;
      BOOST_TEST(TaskStatusOf(report, build) == "failed", build);
      const Json* t = mg::testing::FindTask(report, build);
      BOOST_TEST_REQUIRE(t != nullptr);
      BOOST_TEST(t->value("error", "").find("the recipe's Dockerfile \"Dockerfile\" does not exist in file://") !=
                     std::string::npos,
                 t->dump());
    }
    std::string merge = "merge:hello@" + v;
    BOOST_TEST(TaskStatusOf(report, merge) == "blocked", merge);
    BOOST_TEST(TaskReasonOf(report, merge).rfind("blocked: build:hello@" + v + "/linux/", 0) == 0u,
               TaskReasonOf(report, merge));
    for (const char* att : {"sbom", "sign", "provenance"}) {
      std::string id = std::string(att) + ":hello@" + v;
      BOOST_TEST(TaskStatusOf(report, id) == "blocked", id);
      BOOST_TEST(TaskReasonOf(report, id) == "blocked: merge:hello@" + v + " was blocked", id);
    }
  }
  BOOST_TEST(report["summary"]["ran"] == 4);
  BOOST_TEST(report["summary"]["failed"] == 6);
  BOOST_TEST(report["summary"]["blocked"] == 12);
  BOOST_TEST(r.err.find("first failure: build:hello@") != std::string::npos, r.err);

  // status: the finished run, its failures.
  auto st = ws.Run({"status"});
  BOOST_TEST_REQUIRE(st.exit_code == 0, st.Describe());
  BOOST_TEST(st.out.find("exit code 1") != std::string::npos, st.out);
  BOOST_TEST(st.out.find("4 ran") != std::string::npos, st.out);
  BOOST_TEST(st.out.find("6 failed") != std::string::npos, st.out);
  BOOST_TEST(mg::testing::CountLinesContaining(st.out, "FAILED build:hello@") == 6u, st.out);
  BOOST_TEST(st.out.find("FAILED build:hello@1.2.0/linux/arm64: the recipe's Dockerfile") != std::string::npos,
             st.out);

  // The failed legs are not cached: a rerun re-checks the observations and retries the builds.
  auto again = ws.Run({"run", "--json", "again.json"});
  BOOST_TEST_REQUIRE(again.exit_code == 1, again.Describe());
  Json second = ws.ReadJson("again.json");
  BOOST_TEST(TaskStatusOf(second, "discover:hello") == "ran");
  BOOST_TEST(TaskStatusOf(second, "probe:hello@1.2.0") == "ran");
  BOOST_TEST(TaskStatusOf(second, "build:hello@1.2.0/linux/amd64") == "failed");
  BOOST_TEST(second["run_id"] != report["run_id"]);

  // --offline trusts the cached observations.
  auto offline = ws.Run({"run", "--offline", "--json", "offline.json"});
  BOOST_TEST_REQUIRE(offline.exit_code == 1, offline.Describe());
  Json third = ws.ReadJson("offline.json");
  BOOST_TEST(TaskStatusOf(third, "discover:hello") == "cached");
  BOOST_TEST(TaskReasonOf(third, "discover:hello").rfind("--offline: trusting the observation cached at ", 0) == 0u,
             TaskReasonOf(third, "discover:hello"));
  for (const std::string& v : kVersions) {
    BOOST_TEST(TaskStatusOf(third, "probe:hello@" + v) == "cached", v);
    BOOST_TEST(mg::testing::FindTask(third, "probe:hello@" + v)->at("result")["state"] == "missing", v);
  }
  BOOST_TEST(TaskStatusOf(third, "build:hello@1.0.0/linux/arm64") == "failed");
  BOOST_TEST(third["summary"].value("ran", 0) == 0);
}

BOOST_AUTO_TEST_CASE(explain_says_why) {
  CliWorkspace ws;
  std::string url = PrepareHello(ws, 3);
  auto r = ws.Run({"run", "--json", "run.json"});
  BOOST_TEST_REQUIRE(r.exit_code == 1, r.Describe());

  // A build that failed last time: explain gives its status, why, and what happened last run.
  auto e = ws.Run({"explain", "build:hello@1.2.0/linux/arm64"});
  BOOST_TEST_REQUIRE(e.exit_code == 0, e.Describe());
  BOOST_TEST(e.out.rfind("build:hello@1.2.0/linux/arm64\n", 0) == 0u, e.out);
  BOOST_TEST(e.out.find("status:  would-run") != std::string::npos, e.out);
  BOOST_TEST(e.out.find("reason:  no cache entry") != std::string::npos, e.out);
  BOOST_TEST(e.out.find("after:   probe:hello@1.2.0 (ran)") != std::string::npos, e.out);
  BOOST_TEST(e.out.find("): failed, failed: the recipe's Dockerfile") != std::string::npos, e.out);

  // Fewer versions wanted: explain of discover names the parameter that changed.
  ws.WriteConfig({.registry_host = Registry().host(),
                  .ns = "runtest",
                  .max_versions = 2,
                  .apps = {{.name = "hello", .url = url}}});
  auto d = ws.Run({"explain", "discover:hello"});
  BOOST_TEST_REQUIRE(d.exit_code == 0, d.Describe());
  BOOST_TEST(d.out.find("parameter max_versions changed: 3 -> 2") != std::string::npos, d.out);
  BOOST_TEST(d.out.find("observes the upstream: re-checked every run") != std::string::npos, d.out);

  // The plan report carries the same detail, and the dropped version leaves the graph.
  auto p = ws.Run({"plan", "--json", "plan.json"});
  BOOST_TEST_REQUIRE(p.exit_code == 0, p.Describe());
  Json plan = ws.ReadJson("plan.json");
  const Json* disc = mg::testing::FindTask(plan, "discover:hello");
  BOOST_TEST_REQUIRE(disc != nullptr);
  BOOST_TEST(disc->value("details", Json::array()) == Json::array({"parameter max_versions changed: 3 -> 2"}),
             disc->dump());
  BOOST_TEST(mg::testing::FindTask(plan, "probe:hello@1.0.0") == nullptr);
  BOOST_TEST(TaskStatusOf(plan, "probe:hello@1.1.0") == "checked");

  // Unchanged parameters: no details.
  ws.WriteConfig({.registry_host = Registry().host(),
                  .ns = "runtest",
                  .max_versions = 3,
                  .apps = {{.name = "hello", .url = url}}});
  auto same = ws.Run({"plan", "--json", "same.json"});
  BOOST_TEST_REQUIRE(same.exit_code == 0, same.Describe());
  Json same_plan = ws.ReadJson("same.json");
  const Json* d2 = mg::testing::FindTask(same_plan, "discover:hello");
  BOOST_TEST_REQUIRE(d2 != nullptr);
  BOOST_TEST(!d2->contains("details"), d2->dump());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
