// Units of work and shares (issue 10): `plan --matrix`, `run --unit`, `run --shard I/N` against the
// real docker-registry, built by the real buildah (a COPY-only Dockerfile: no emulation needed),
// each run with its own state directory as on ephemeral CI runners. Attestations are off here;
// crash/kill_matrix_test.cc runs the shares with the remote cache and attestations.
#include <boost/test/unit_test.hpp>

#include <set>

#include "cli_fixture.h"
#include "util/strings.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::TaskStatusOf;

namespace {

const std::vector<std::string> kVersions = {"1.0.0", "1.1.0", "1.2.0"};
const std::vector<std::string> kPlatforms = {"linux/amd64", "linux/arm64"};

std::string Upstream(CliWorkspace& ws) {
  auto url = ws.MakeUpstream("hello", {"v1.0.0", "v1.1.0", "v1.2.0"},
                             {{"Dockerfile", "FROM scratch\nCOPY hello.txt /hello.txt\n"}, {"hello.txt", "hello @TAG@\n"}});
  BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
  return *url;
}

void Configure(CliWorkspace& ws, const std::string& url, const std::string& ns) {
  ws.WriteConfig({.registry_host = mg::testing::SharedPlainRegistry().host(),
                  .ns = ns,
                  .max_versions = 3,
                  .apps = {{.name = "hello", .url = url}},
                  .extra = "\n[attestations]\nsbom = false\nsign = false\nprovenance = false\n"
                           "\n[runners]\n\"linux/arm64\" = \"ubuntu-24.04-arm\"\n"});
}

// Ids of the report's tasks with `status` whose id starts with `prefix`.
std::set<std::string> WithStatus(const Json& report, const std::string& prefix, const std::string& status) {
  std::set<std::string> out;
  for (const std::string& id : mg::testing::TaskIds(report, prefix)) {
    if (TaskStatusOf(report, id) == status) out.insert(id);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_units_test)

BOOST_AUTO_TEST_CASE(the_matrix_lists_every_leg_to_build_and_each_unit_builds_one) {
  CliWorkspace ws;
  Configure(ws, Upstream(ws), "units");
  auto plan = ws.Run({"plan", "--matrix", "matrix.json"});
  BOOST_TEST_REQUIRE(plan.exit_code == 0, plan.Describe());
  Json matrix = ws.ReadJson("matrix.json");
  BOOST_TEST_REQUIRE(matrix.is_object(), plan.Describe());
  const Json& include = matrix["include"];
  BOOST_TEST_REQUIRE(include.size() == kVersions.size() * kPlatforms.size(), matrix.dump());
  std::vector<std::string> units;
  for (const Json& u : include) {
    units.push_back(u.value("unit", ""));
    BOOST_TEST(u.value("unit", "") == u.value("app", "") + "@" + u.value("version", "") + "/" + u.value("platform", ""));
    BOOST_TEST(u.value("runner", "") == (u.value("platform", "") == "linux/arm64" ? "ubuntu-24.04-arm" : "ubuntu-24.04"),
               u.dump());
  }
  BOOST_TEST(std::is_sorted(units.begin(), units.end()));
  BOOST_TEST(units.front() == "hello@1.0.0/linux/amd64");
  // The same matrix on stdout (one line, as a GitHub job output takes it); the plan text to stderr.
  auto to_stdout = ws.Run({"plan", "--matrix", "-"});
  BOOST_TEST_REQUIRE(to_stdout.exit_code == 0, to_stdout.Describe());
  BOOST_TEST(to_stdout.out == mg::CanonicalJson(matrix) + "\n", to_stdout.Describe());
  BOOST_TEST(to_stdout.err.find("would-run") != std::string::npos, to_stdout.Describe());

  // Each unit on its own "runner" (a fresh state directory): exactly its leg is built.
  std::set<std::string> built;
  for (const std::string& unit : units) {
    fs::path state = ws.dir() / ("state-" + std::to_string(built.size()));
    auto r = ws.Run({"run", "--unit", unit, "--state-dir", state.string(), "--json", "unit.json"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, unit << ": " << r.Describe());
    Json report = ws.ReadJson("unit.json");
    std::set<std::string> ran = WithStatus(report, "build:", "ran");
    BOOST_TEST_REQUIRE(ran.size() == 1u, unit << ": " << r.Describe());
    BOOST_TEST(*ran.begin() == "build:" + unit);
    built.insert(*ran.begin());
    BOOST_TEST(WithStatus(report, "merge:", "ran").empty(), unit);
    BOOST_TEST(TaskStatusOf(report, "discover:hello") == "ran");
    const std::string version = unit.substr(6, unit.find('/') - 6);
    BOOST_TEST(TaskStatusOf(report, "probe:hello@" + version) == "ran", unit);
    BOOST_TEST(mg::testing::TaskReasonOf(report, "merge:hello@" + version) ==
               "unneeded: not selected by --unit " + unit);
  }
  BOOST_TEST(built.size() == units.size());

  // A unit whose version is complete in the registry is done: nothing is built, exit 0.
  auto all = ws.Run({"run", "--json", "all.json"});
  BOOST_TEST_REQUIRE(all.exit_code == 0, all.Describe());
  auto done = ws.Run({"run", "--unit", units.back(), "--state-dir", (ws.dir() / "state-late").string(), "--json", "late.json"});
  BOOST_TEST_REQUIRE(done.exit_code == 0, done.Describe());
  Json late = ws.ReadJson("late.json");
  BOOST_TEST(TaskStatusOf(late, "build:" + units.back()) == "unneeded", late.dump());
  BOOST_TEST(WithStatus(late, "build:", "ran").empty());
  // And the plan of a complete mirror has no units.
  auto empty = ws.Run({"plan", "--matrix", "empty.json"});
  BOOST_TEST_REQUIRE(empty.exit_code == 0, empty.Describe());
  BOOST_TEST(ws.ReadJson("empty.json") == Json({{"include", Json::array()}}));
}

BOOST_AUTO_TEST_CASE(shares_build_each_version_once_in_one_share) {
  CliWorkspace ws;
  Configure(ws, Upstream(ws), "shares");
  std::map<std::string, int> leg_runs, merge_runs;
  std::set<int> busy;
  for (int i = 1; i <= 3; ++i) {
    const std::string share = std::to_string(i) + "/3";
    auto r = ws.Run({"run", "--shard", share, "--state-dir", (ws.dir() / ("state-" + std::to_string(i))).string(),
                     "--json", "share.json"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, share << ": " << r.Describe());
    Json report = ws.ReadJson("share.json");
    std::set<std::string> versions;
    for (const std::string& id : WithStatus(report, "build:", "ran")) {
      leg_runs[id]++;
      versions.insert(id.substr(12, id.find('/') - 12));
    }
    for (const std::string& id : WithStatus(report, "merge:", "ran")) {
      merge_runs[id]++;
      BOOST_TEST(versions.count(id.substr(12)) == 1u, id << " merged by a share that did not build it");
    }
    if (!versions.empty()) busy.insert(i);
  }
  BOOST_TEST(leg_runs.size() == kVersions.size() * kPlatforms.size());
  for (const auto& [id, n] : leg_runs) BOOST_TEST(n == 1, id << " ran " << n << " times");
  BOOST_TEST(merge_runs.size() == kVersions.size());
  // Three versions over three shares, dealt round-robin: every share has one.
  BOOST_TEST(busy.size() == 3u);
  // The mirror is complete: a plain run with a fresh state directory builds and merges nothing.
  auto final_run = ws.Run({"run", "--state-dir", (ws.dir() / "state-final").string(), "--json", "final.json"});
  BOOST_TEST_REQUIRE(final_run.exit_code == 0, final_run.Describe());
  Json report = ws.ReadJson("final.json");
  BOOST_TEST(WithStatus(report, "build:", "ran").empty(), final_run.Describe());
  BOOST_TEST(WithStatus(report, "merge:", "ran").empty(), final_run.Describe());
  BOOST_TEST(WithStatus(report, "probe:", "ran").size() == kVersions.size());
}

BOOST_AUTO_TEST_CASE(bad_units_and_shares_are_usage_errors) {
  CliWorkspace ws;
  Configure(ws, Upstream(ws), "units-bad");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"run", "--shard", "4/3"}, "--shard \"4/3\": the share I must be between 1 and N=3"},
      {{"run", "--shard", "two"}, "expected I/N with whole numbers"},
      {{"graph", "--shard", "1/2"}, "--shard is an option of run and plan"},
      {{"plan", "--unit", "hello@1.0.0/linux/amd64"}, "--unit is an option of run"},
      {{"run", "--matrix", "m.json"}, "--matrix is an option of plan"},
      {{"run", "--unit", "hello@1.0.0/linux/amd64", "--shard", "1/2"}, "cannot be combined"},
      {{"run", "--unit", "build:hello@1.0.0/linux/amd64"}, "is a task id; units look like APP@VERSION/OS/ARCH"},
      {{"run", "--unit", "helo@1.0.0/linux/amd64"}, "no enabled app \"helo\" in the config; did you mean 'hello'?"},
      {{"run", "--unit", "hello@1.0.0/linux/s390x"}, "is not built for \"linux/s390x\""},
      {{"run", "--unit", "hello"}, "lacks an app, a version or a platform"},
      {{"run", "--unit", "hello@9.9.9/linux/amd64"},
       "version \"9.9.9\" of hello is not among the versions discovered now (1.0.0, 1.1.0, 1.2.0)"},
  };
  for (const Case& c : cases) {
    auto r = ws.Run(c.args);
    BOOST_TEST(r.exit_code == 2, mg::Join(c.args, " ") << ": " << r.Describe());
    BOOST_TEST(r.err.find(c.message) != std::string::npos, mg::Join(c.args, " ") << ": " << r.Describe());
  }
  // Nothing was built by any of them.
  BOOST_TEST(!fs::exists(ws.state_dir() / "logs" / "build+hello@1.0.0_linux_amd64.log"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
