// `mirrorgraph plan` and `graph` end to end: a git upstream with three tags, a real registry that
// holds one complete and one amd64-only image, the binary run as a subprocess.
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <iterator>

#include "cli_fixture.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::TaskReasonOf;
using mg::testing::TaskStatusOf;
using mg::testing::TestRegistry;

namespace {

// A registry holding mirror/hello:1.0.0 (amd64 + arm64 index) and mirror/hello:1.1.0 (an index
// with amd64 only). Started once for the suite.
TestRegistry& Registry() {
  static auto reg = [] {
    auto r = TestRegistry::Start();
    if (r.ok()) {
      auto a = mg::testing::PushTestImage(**r, "mirror/hello", "1.0.0", {"linux/amd64", "linux/arm64"});
      if (!a.ok()) return mg::Result<std::unique_ptr<TestRegistry>>(a.status());
      auto b = mg::testing::PushTestImage(**r, "mirror/hello", "1.1.0", {"linux/amd64"});
      if (!b.ok()) return mg::Result<std::unique_ptr<TestRegistry>>(b.status());
    }
    return r;
  }();
  BOOST_REQUIRE_MESSAGE(reg.ok(), reg.status().ToString());
  return **reg;
}

// A workspace with the hello upstream (v1.0.0, v1.1.0, v1.2.0) and max_versions = 3.
void Prepare(CliWorkspace& ws) {
  auto url = ws.MakeUpstream("hello", {"v1.0.0", "v1.1.0", "v1.2.0"});
  BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
  ws.WriteConfig({.registry_host = Registry().host(), .max_versions = 3, .apps = {{.name = "hello", .url = *url}}});
}

const Json& ResultOf(const Json& report, const std::string& id) {
  static const Json kNull;
  const Json* t = mg::testing::FindTask(report, id);
  BOOST_TEST_REQUIRE(t != nullptr, "no task " << id << " in the report");
  return t->contains("result") ? (*t)["result"] : kNull;
}

// Runs `dot -Tsvg` on `text`; returns its exit code (stderr in *err).
int DotToSvg(const std::string& text, std::string* err) {
  mg::SubprocessOptions o;
  o.argv = {"dot", "-Tsvg"};
  o.stdin_data = text;
  o.timeout = std::chrono::minutes(1);
  auto r = mg::RunSubprocess(o);
  if (!r.ok()) {
    *err = r.status().ToString();
    return -1;
  }
  *err = r->stderr_text;
  return r->stdout_text.find("<svg") == std::string::npos ? -2 : r->exit_code;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_plan_test)

BOOST_AUTO_TEST_CASE(plan_reports_complete_incomplete_and_missing) {
  CliWorkspace ws;
  Prepare(ws);
  auto r = ws.Run({"plan", "--json", "plan.json"});
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.Describe());
  BOOST_TEST(!fs::exists(ws.state_dir()), "plan created " << ws.state_dir());
  Json report = ws.ReadJson("plan.json");
  BOOST_TEST_REQUIRE(report.is_object(), r.Describe());
  BOOST_TEST(report["command"] == "plan");
  BOOST_TEST(report["exit_code"] == 0);

  BOOST_TEST(TaskStatusOf(report, "discover:hello") == "checked");
  const Json& discovered = ResultOf(report, "discover:hello");
  BOOST_TEST(discovered["latest"] == "1.2.0");
  BOOST_TEST(discovered["versions"].size() == 3u);

  // 1.0.0: complete; nothing below it is needed.
  BOOST_TEST(TaskStatusOf(report, "probe:hello@1.0.0") == "checked");
  BOOST_TEST(ResultOf(report, "probe:hello@1.0.0")["state"] == "complete");
  for (const char* id : {"build:hello@1.0.0/linux/amd64", "build:hello@1.0.0/linux/arm64", "merge:hello@1.0.0"}) {
    BOOST_TEST(TaskStatusOf(report, id) == "unneeded", id);
    BOOST_TEST(TaskReasonOf(report, id).find("probe:hello@1.0.0 found the image complete") != std::string::npos,
               id << ": " << TaskReasonOf(report, id));
  }

  // 1.1.0: incomplete (amd64 only): both legs and the merge would run.
  const Json& p110 = ResultOf(report, "probe:hello@1.1.0");
  BOOST_TEST(p110["state"] == "incomplete");
  BOOST_TEST(p110["missing_platforms"] == Json::array({"linux/arm64"}), p110.dump());
  for (const char* id : {"build:hello@1.1.0/linux/amd64", "build:hello@1.1.0/linux/arm64", "merge:hello@1.1.0"}) {
    BOOST_TEST(TaskStatusOf(report, id) == "would-run", id);
  }
  BOOST_TEST(TaskReasonOf(report, "build:hello@1.1.0/linux/arm64") == "no cache entry");

  // 1.2.0: missing; a 404, not an error.
  const Json& p120 = ResultOf(report, "probe:hello@1.2.0");
  BOOST_TEST(p120["state"] == "missing");
  BOOST_TEST(TaskStatusOf(report, "build:hello@1.2.0/linux/arm64") == "would-run");
  BOOST_TEST(report["summary"].value("failed", 0) == 0);

  // The text plan says the same on stdout.
  BOOST_TEST(r.out.find("probe:hello@1.1.0") != std::string::npos);
  BOOST_TEST(r.out.find("-> incomplete (missing [\"linux/arm64\"])") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("-> missing") != std::string::npos, r.out);
}

// `plan` re-executes itself once with the heap on huge pages (util/huge_page_heap.h; forced here,
// as sanitizer builds skip it): its children see the caller's GLIBC_TUNABLES, never the tunable
// it added nor the marker, and the plan is the same.
BOOST_AUTO_TEST_CASE(the_huge_page_reexec_gives_children_the_callers_environment) {
  CliWorkspace ws;
  Prepare(ws);
  // The child whose environment is checked is git: an include in the upstream's config makes git
  // list its tags, where mirrorgraph would otherwise read its files (sources/git_ref_files.h).
  mg::SubprocessOptions include;
  include.argv = {"git", "-C", (ws.dir() / "upstreams" / "hello").string(), "config", "include.path", "/dev/null"};
  auto included = mg::RunSubprocess(include);
  BOOST_REQUIRE(included.ok() && included->exit_code == 0);
  const fs::path bin = ws.dir() / "wrapped-bin";
  fs::create_directories(bin);
  mg::SubprocessOptions which;
  which.argv = {"sh", "-c", "command -v git"};
  auto real_git = mg::RunSubprocess(which);
  BOOST_REQUIRE(real_git.ok() && real_git->exit_code == 0);
  const std::string git = std::string(mg::Trim(real_git->stdout_text));
  const fs::path env_file = ws.dir() / "git-env.txt";
  {
    std::ofstream script(bin / "git");
    script << "#!/bin/sh\nenv >> '" << env_file.string() << "'\nexec '" << git << "' \"$@\"\n";
  }
  fs::permissions(bin / "git", fs::perms::owner_all);
  const char* path = ::getenv("PATH");
  ws.env()["PATH"] = bin.string() + ":" + (path != nullptr ? path : "/usr/bin:/bin");
  ws.env()["GLIBC_TUNABLES"] = "glibc.malloc.tcache_count=7";
  ws.env()["MIRRORGRAPH_HUGE_PAGES"] = "1";
  ws.env()["MIRRORGRAPH_LOG"] = "debug";
  auto r = ws.Run({"plan", "--json", "plan.json"});
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.Describe());
  Json report = ws.ReadJson("plan.json");
  BOOST_TEST(ResultOf(report, "probe:hello@1.1.0")["state"] == "incomplete");
  std::ifstream in(env_file);
  BOOST_REQUIRE_MESSAGE(in, "the git wrapper did not run");
  const std::string env = "\n" + std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  BOOST_TEST(env.find("\nGLIBC_TUNABLES=glibc.malloc.tcache_count=7\n") != std::string::npos, env);
  BOOST_TEST(env.find("hugetlb") == std::string::npos, env);
  BOOST_TEST(env.find("MIRRORGRAPH_HEAP_REEXEC") == std::string::npos, env);
  std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string setting;
  std::getline(thp, setting);
  if (thp && setting.find("[madvise]") != std::string::npos) {
    BOOST_TEST(r.err.find("heap on transparent huge pages") != std::string::npos, r.Describe());
  }
}

// Every tag left out is named with its reason, in the text plan and in explain; a version outside
// the window is explained, not an unknown id; a merge names every build it waits for.
BOOST_AUTO_TEST_CASE(plan_and_explain_say_why_each_version_is_left_out) {
  CliWorkspace ws;
  auto url = ws.MakeUpstream("hello", {"v0.9.0", "v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0-rc1", "nightly"});
  BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
  ws.WriteConfig({.registry_host = Registry().host(), .max_versions = 3, .apps = {{.name = "hello", .url = *url}}});
  auto r = ws.Run({"plan", "--json", "plan.json"});
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.Describe());
  const std::string pad(12, ' ');
  BOOST_TEST(r.out.find("\n" + pad + "selected 1.2.0 (latest), 1.1.0, 1.0.0\n") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("\n" + pad + "excluded 0.9.0: below the 3 newest versions\n") != std::string::npos, r.out);
  for (const char* tag : {"v1.3.0-rc1", "nightly"}) {
    BOOST_TEST(r.out.find("\n" + pad + "excluded " + tag + ": tag does not match the tag pattern ^v(\\d+\\.\\d+\\.\\d+)$\n") !=
                   std::string::npos,
               tag << " in " << r.out);
  }
  // The merge of the missing 1.2.0 waits for both legs and says so.
  BOOST_TEST(TaskReasonOf(ws.ReadJson("plan.json"), "merge:hello@1.2.0") ==
             "would run after build:hello@1.2.0/linux/amd64, build:hello@1.2.0/linux/arm64");
  // The text's summary and the JSON's count the same things with the same words.
  Json report = ws.ReadJson("plan.json");
  const int checked = report["summary"].value("checked", 0);
  BOOST_TEST(checked == 4);  // discover and three probes
  BOOST_TEST(!report["summary"].contains("ran"), report["summary"].dump());
  BOOST_TEST(r.err.find("plan: " + std::to_string(checked) + " checked") != std::string::npos, r.err);

  auto e = ws.Run({"explain", "discover:hello"});
  BOOST_TEST_REQUIRE(e.exit_code == 0, e.Describe());
  BOOST_TEST(e.out.find("  selected: 1.2.0, 1.1.0, 1.0.0\n") != std::string::npos, e.out);
  BOOST_TEST(e.out.find("0.9.0: below the 3 newest versions") != std::string::npos, e.out);
  BOOST_TEST(e.out.find("nightly: tag does not match the tag pattern") != std::string::npos, e.out);

  auto old = ws.Run({"explain", "probe:hello@0.9.0"});
  BOOST_TEST_REQUIRE(old.exit_code == 0, old.Describe());
  BOOST_TEST(old.out.find("not in the graph: discover:hello left version 0.9.0 out: below the 3 newest versions") !=
                 std::string::npos,
             old.out);
  auto leg = ws.Run({"explain", "build:hello@1.3.0-rc1/linux/amd64"});
  BOOST_TEST(leg.exit_code == 2, leg.Describe());  // no version 1.3.0-rc1: the tag v1.3.0-rc1 is not a version here
  auto none = ws.Run({"explain", "probe:hello@7.0.0"});
  BOOST_TEST(none.exit_code == 2, none.Describe());
  BOOST_TEST(none.err.find("no task 'probe:hello@7.0.0'") != std::string::npos, none.err);
}

BOOST_AUTO_TEST_CASE(only_one_version) {
  CliWorkspace ws;
  Prepare(ws);
  auto r = ws.Run({"plan", "--only", "hello@1.2.0", "--json", "plan.json"});
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.Describe());
  Json report = ws.ReadJson("plan.json");
  BOOST_TEST_REQUIRE(report.is_object());
  BOOST_TEST(TaskStatusOf(report, "discover:hello") == "checked");
  BOOST_TEST(TaskStatusOf(report, "probe:hello@1.2.0") == "checked");
  BOOST_TEST(TaskStatusOf(report, "build:hello@1.2.0/linux/amd64") == "would-run");
  BOOST_TEST(TaskStatusOf(report, "build:hello@1.2.0/linux/arm64") == "would-run");
  BOOST_TEST(TaskStatusOf(report, "merge:hello@1.2.0") == "would-run");
  for (std::string v : {"1.0.0", "1.1.0"}) {
    for (const std::string& id : {"probe:hello@" + v, "build:hello@" + v + "/linux/amd64",
                                  "build:hello@" + v + "/linux/arm64", "merge:hello@" + v}) {
      BOOST_TEST(TaskStatusOf(report, id) == "unneeded", id);
      BOOST_TEST(TaskReasonOf(report, id).find("not selected by --only hello@1.2.0") != std::string::npos,
                 id << ": " << TaskReasonOf(report, id));
    }
  }
}

BOOST_AUTO_TEST_CASE(only_one_platform) {
  CliWorkspace ws;
  Prepare(ws);
  auto r = ws.Run({"plan", "--only", "hello@1.2.0/linux/arm64", "--json", "plan.json"});
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.Describe());
  Json report = ws.ReadJson("plan.json");
  BOOST_TEST_REQUIRE(report.is_object());
  BOOST_TEST(TaskStatusOf(report, "probe:hello@1.2.0") == "checked");
  BOOST_TEST(TaskStatusOf(report, "build:hello@1.2.0/linux/arm64") == "would-run");
  BOOST_TEST(TaskStatusOf(report, "build:hello@1.2.0/linux/amd64") == "unneeded");
  BOOST_TEST(TaskStatusOf(report, "merge:hello@1.2.0") == "unneeded");
  BOOST_TEST(TaskReasonOf(report, "merge:hello@1.2.0").find("not selected by --only") != std::string::npos);
  BOOST_TEST(TaskStatusOf(report, "probe:hello@1.1.0") == "unneeded");
}

BOOST_AUTO_TEST_CASE(graph_before_and_after_a_run) {
  CliWorkspace ws;
  Prepare(ws);
  auto first = ws.Run({"graph", "--dot"});
  BOOST_TEST_REQUIRE(first.exit_code == 0, first.Describe());
  auto second = ws.Run({"graph", "--dot"});
  BOOST_TEST_REQUIRE(second.exit_code == 0, second.Describe());
  BOOST_TEST(first.out == second.out, "graph --dot is byte-identical across invocations");
  BOOST_TEST(first.out.rfind("digraph mirrorgraph {", 0) == 0u);
  BOOST_TEST(first.out.find("\"probe:hello@{version}\"") != std::string::npos, first.out);
  BOOST_TEST(first.out.find("\"build:hello@{version}/linux/arm64\"") != std::string::npos, first.out);
  BOOST_TEST(first.out.find("\"discover:hello\" -> \"probe:hello@{version}\"") != std::string::npos, first.out);
  BOOST_TEST(first.out.find("1.2.0") == std::string::npos, "no network call, no versions: " << first.out);
  BOOST_TEST(!fs::exists(ws.state_dir()), "graph created the state dir");
  std::string err;
  BOOST_TEST(DotToSvg(first.out, &err) == 0, err);

  auto placeholder = ws.Run({"graph", "--json"});
  BOOST_TEST_REQUIRE(placeholder.exit_code == 0, placeholder.Describe());
  Json pj = mg::ParseJson(placeholder.out);
  BOOST_TEST_REQUIRE(pj.is_object(), placeholder.out);
  const Json* ph = mg::testing::FindTask(pj, "probe:hello@{version}");
  BOOST_TEST_REQUIRE(ph != nullptr);
  BOOST_TEST(ph->value("placeholder", false));

  auto run = ws.Run({"run"});
  BOOST_TEST_REQUIRE(run.exit_code == 1, run.Describe());

  auto after = ws.Run({"graph", "--json"});
  BOOST_TEST_REQUIRE(after.exit_code == 0, after.Describe());
  Json g = mg::ParseJson(after.out);
  BOOST_TEST_REQUIRE(g.is_object(), after.out);
  std::vector<std::string> probes = mg::testing::TaskIds(g, "probe:");
  BOOST_TEST(probes == (std::vector<std::string>{"probe:hello@1.0.0", "probe:hello@1.1.0", "probe:hello@1.2.0"}),
             boost::test_tools::per_element());
  BOOST_TEST(after.out.find("{version}") == std::string::npos);
  // The last run's statuses colour the graph.
  BOOST_TEST(mg::testing::TaskStatusOf(g, "build:hello@1.2.0/linux/amd64") == "failed");
  BOOST_TEST(mg::testing::TaskStatusOf(g, "build:hello@1.0.0/linux/amd64") == "unneeded");
  const Json* build = mg::testing::FindTask(g, "build:hello@1.2.0/linux/arm64");
  BOOST_TEST_REQUIRE(build != nullptr);
  BOOST_TEST((*build)["deps"] == Json::array({"probe:hello@1.2.0"}));

  auto dot = ws.Run({"graph", "--dot"});
  BOOST_TEST_REQUIRE(dot.exit_code == 0, dot.Describe());
  BOOST_TEST(dot.out.find("\"merge:hello@1.2.0\"") != std::string::npos);
  BOOST_TEST(dot.out.find("[failed]") != std::string::npos);
  BOOST_TEST(DotToSvg(dot.out, &err) == 0, err);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
