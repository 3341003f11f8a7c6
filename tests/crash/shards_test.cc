// Scale-out on CI runners (issue 10), on one machine: the real `mirrorgraph` mirrors one app (2
// versions x linux/amd64 + linux/arm64, real buildah, a real docker-registry, signed and attested
// with a key) the way a CI matrix would, every process with its own fresh state directory (an
// ephemeral runner) and one shared registry holding the images and the remote task cache
// ([cache] remote):
//   - three `run --shard I/3` at once: every build leg runs exactly once across the three (their
//     --json reports), the registry ends as after one clean single-process run (mirror_state.h:
//     tags -> digests, signatures, attestations, complete provenance), and a fourth run with a
//     fresh state directory runs nothing but observations (discover, probe);
//   - the same three shards with one of them SIGKILLed after its first build leg: its rerun
//     completes, and no leg is built twice overall;
//   - `plan --matrix` then `run --unit` for every unit (each on a fresh state directory), then the
//     final plain `run` (fresh too) that merges and attests from the legs' remote cache entries.
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <set>

#include "cli_fixture.h"
#include "mirror_state.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::BackgroundProcess;
using mg::testing::CliWorkspace;
using namespace mg::crash;

namespace {

constexpr int kShards = 3;

// The [cache] table of a scenario: the remote tier in the scenario's namespace of the registry.
std::string RemoteCache(const std::string& ns) {
  return "[cache]\nremote = \"oci://" + Common().reg->host() + "/" + ns + "/mirrorgraph-cache\"\n";
}

std::unique_ptr<CliWorkspace> Runner(const std::string& ns) {
  auto ws = std::make_unique<CliWorkspace>();
  Prepare(*ws, ns, "", RemoteCache(ns));
  return ws;
}

std::vector<std::string> ShardArgs(int i) {
  return {"run", "-j", "2", "--shard", std::to_string(i) + "/" + std::to_string(kShards), "--json", "shard.json"};
}

std::string ShardName(int i) { return "shard " + std::to_string(i) + "/" + std::to_string(kShards); }

// Waits for a background run and requires exit `want`; describes its output otherwise.
void Finish(BackgroundProcess& p, const CliWorkspace& ws, const std::string& name, const std::string& what, int want = 0) {
  std::optional<int> code = p.Wait(std::chrono::minutes(10));
  BOOST_TEST_REQUIRE(code.has_value(), what << " did not end in 10 minutes");
  BOOST_TEST_REQUIRE(*code == want, what << " exited " << *code << "\n--- stdout\n"
                                         << mg::testing::ReadFile(ws.dir() / (name + ".out")) << "\n--- stderr\n"
                                         << mg::testing::ReadFile(ws.dir() / (name + ".err")));
}

// Adds the build legs that ran in `ran` to `seen`, failing on a leg already there.
void CountLegs(const std::set<std::string>& ran, const std::string& who, std::map<std::string, std::string>* seen) {
  for (const std::string& id : ran) {
    auto [it, fresh] = seen->emplace(id, who);
    BOOST_TEST(fresh, id << " ran in " << who << " and in " << it->second);
  }
}

// The tasks of `report` that ran although they are not observations.
std::vector<std::string> RanBesidesObservations(const Json& report) {
  std::vector<std::string> out;
  for (const Json& t : report.value("tasks", Json::array())) {
    const std::string type = t.value("type", "");
    if (t.value("status", "") == "ran" && type != "discover" && type != "probe") out.push_back(t.value("id", ""));
  }
  return out;
}

// The registry equals the clean run's, with complete provenance.
void CheckRegistry(const std::string& ns, const std::string& what) {
  const Json got = RegistryState(ns);
  CheckSameAsClean(got, what);
  CheckProvenanceComplete(got, what);
}

// Three shards at once; `kill_one`: SIGKILL the first shard seen with a finished build leg, then
// rerun it. Returns false when the kill did not land (that shard ended first).
bool ThreeShards(const std::string& ns, bool kill_one) {
  std::vector<std::unique_ptr<CliWorkspace>> runners;
  std::vector<std::unique_ptr<JournalWatch>> watches;
  std::vector<std::unique_ptr<BackgroundProcess>> procs;
  const std::set<pid_t> before = ChildPids();
  for (int i = 1; i <= kShards; ++i) {
    runners.push_back(Runner(ns));
    fs::create_directories(runners.back()->state_dir() / "runs");
    watches.push_back(std::make_unique<JournalWatch>(runners.back()->state_dir() / "runs"));
    auto p = runners.back()->Start(ShardArgs(i), "shard");
    BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
    procs.push_back(std::move(*p));
  }
  std::map<std::string, std::string> seen;  // build leg -> the run that built it
  int killed = -1;
  if (kill_one) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    while (killed < 0) {
      int ended = 0;
      for (int i = 0; i < kShards && killed < 0; ++i) {
        std::optional<Journal> j = NewestJournal(runners[i]->state_dir().string());
        if (j && j->Count("build", "ran") >= 1) {
          procs[i]->Signal(SIGKILL);
          killed = i;
        }
        int code = 0;
        if (procs[i]->Poll(&code)) ++ended;
      }
      if (killed >= 0) break;
      if (ended == kShards) {
        BOOST_TEST_MESSAGE("every shard ended before the first build leg was seen");
        return false;
      }
      BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "no shard ever finished a build leg");
      watches[0]->Wait(std::chrono::milliseconds(100));
    }
    std::optional<int> code = procs[killed]->Wait(std::chrono::seconds(60));
    BOOST_REQUIRE(code.has_value());
    if (*code != 128 + SIGKILL) {
      BOOST_TEST_MESSAGE(ShardName(killed + 1) << " ended (exit " << *code << ") before the kill landed");
      for (int i = 0; i < kShards; ++i) procs[i]->Wait(std::chrono::minutes(10));
      WaitForOrphans(before);
      return false;
    }
    std::optional<Journal> j = NewestJournal(runners[killed]->state_dir().string());
    BOOST_REQUIRE(j.has_value());
    BOOST_TEST_MESSAGE(ShardName(killed + 1) << " killed after " << j->Count("build", "ran") << " build leg(s)");
    CountLegs(j->Ids("build", "ran"), ShardName(killed + 1) + " (killed)", &seen);
  }
  for (int i = 0; i < kShards; ++i) {
    if (i != killed) Finish(*procs[i], *runners[i], "shard", ShardName(i + 1));
  }
  WaitForOrphans(before);
  if (killed >= 0) {
    auto rerun = RunToCompletion(*runners[killed], "rerun.json", {"--shard", std::to_string(killed + 1) + "/3"});
    BOOST_TEST_REQUIRE(rerun.exit_code == 0, ShardName(killed + 1) << " rerun: " << rerun.Describe());
    const Json rerun_report = runners[killed]->ReadJson("rerun.json");
    CountLegs(ReportBuilds(rerun_report, "ran"), ShardName(killed + 1) + " (rerun)", &seen);
    // A leg the killed run built whose cache record was written but whose journal line was not
    // (the kill landed between the two): the rerun finds it cached. It ran once, in the killed run.
    for (const std::string& id : ReportBuilds(rerun_report, "cached")) {
      if (seen.emplace(id, ShardName(killed + 1) + " (killed, after its cache record)").second) {
        BOOST_TEST_MESSAGE(id << " was recorded in the cache by the killed run, not yet in its journal");
      }
    }
  }
  size_t working = 0;
  for (int i = 0; i < kShards; ++i) {
    if (i == killed) continue;
    const Json report = runners[i]->ReadJson("shard.json");
    BOOST_REQUIRE(report.is_object());
    const std::set<std::string> ran = ReportBuilds(report, "ran");
    working += ran.empty() ? 0 : 1;
    CountLegs(ran, ShardName(i + 1), &seen);
    // A share never builds a leg another share took: what it did not run, it did not need.
    for (const std::string& id : ReportBuilds(report, "cached")) {
      BOOST_TEST(false, ShardName(i + 1) << " found " << id << " cached: shares overlap");
    }
  }
  BOOST_TEST(seen.size() == kLegs, seen.size() << " distinct build legs ran across the shards, want " << kLegs);
  if (!kill_one) BOOST_TEST(working == 2u, working << " shard(s) built something; 2 versions make 2 working shares");
  CheckRegistry(ns, kill_one ? "three shards, one killed" : "three shards");
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(shards_test)

BOOST_AUTO_TEST_CASE(three_shards_at_once_build_each_leg_once_and_a_fresh_run_only_observes) {
  CleanState();  // the baseline first: never concurrent with a scenario
  const std::string ns = Namespace("shards");
  BOOST_REQUIRE(ThreeShards(ns, false));

  // A fourth runner, fresh state: everything is in the registry or its remote cache.
  auto fourth = Runner(ns);
  auto run = RunToCompletion(*fourth, "fourth.json");
  BOOST_TEST_REQUIRE(run.exit_code == 0, run.Describe());
  const Json report = fourth->ReadJson("fourth.json");
  BOOST_TEST(RanBesidesObservations(report).empty(), "a fresh run after the shards ran: " << report.dump(1));
  BOOST_TEST(report["remote_cache"].value("hits", 0) > 0, report["remote_cache"].dump());
  BOOST_TEST(report["remote_cache"].value("errors", 1) == 0, report["remote_cache"].dump());
  CheckRegistry(ns, "after the fourth run");
}

BOOST_AUTO_TEST_CASE(a_shard_killed_mid_way_is_rerun_to_completion) {
  CleanState();
  bool landed = false;
  for (int attempt = 0; attempt < 2 && !landed; ++attempt) {
    landed = ThreeShards(Namespace("shards-kill-" + std::to_string(attempt)), true);
  }
  BOOST_TEST(landed, "the kill never landed before the shard ended");
}

BOOST_AUTO_TEST_CASE(matrix_units_then_the_final_run_merge_and_attest_from_the_remote_cache) {
  Shared& s = Common();
  CleanState();
  const std::string ns = Namespace("units");
  auto planner = Runner(ns);
  auto plan = planner->Run({"plan", "--matrix", "matrix.json"});
  BOOST_TEST_REQUIRE(plan.exit_code == 0, plan.Describe());
  const Json matrix = planner->ReadJson("matrix.json");
  BOOST_REQUIRE(matrix.is_object() && matrix["include"].is_array());
  BOOST_TEST_REQUIRE(matrix["include"].size() == kLegs, matrix.dump(1));

  for (const Json& entry : matrix["include"]) {
    const std::string unit = entry.value("unit", "");
    auto leg = Runner(ns);  // one ephemeral runner per matrix job
    auto run = RunToCompletion(*leg, "unit.json", {"--unit", unit});
    BOOST_TEST_REQUIRE(run.exit_code == 0, unit << ": " << run.Describe());
    const Json report = leg->ReadJson("unit.json");
    BOOST_TEST(ReportBuilds(report, "ran") == std::set<std::string>{"build:" + unit}, unit << ": " << report.dump(1));
    for (const std::string& id : RanBesidesObservations(report)) {
      BOOST_TEST(id == "build:" + unit, unit << " also ran " << id);
    }
  }

  auto final_runner = Runner(ns);
  auto final_run = RunToCompletion(*final_runner, "final.json");
  BOOST_TEST_REQUIRE(final_run.exit_code == 0, final_run.Describe());
  const Json report = final_runner->ReadJson("final.json");
  BOOST_TEST(ReportBuilds(report, "ran").empty(), "the final run built again: " << report.dump(1));
  for (const std::string& id : mg::testing::TaskIds(report, "build:")) {
    BOOST_TEST(mg::testing::FindTask(report, id)->value("cache_tier", "") == "remote", id);
  }
  CheckRegistry(ns, "units then the final run");

  // A second matrix is empty: nothing is left to build.
  auto again = planner->Run({"plan", "--matrix", "matrix2.json"});
  BOOST_TEST_REQUIRE(again.exit_code == 0, again.Describe());
  BOOST_TEST(planner->ReadJson("matrix2.json")["include"].size() == 0u);
  auto verify = final_runner->Run({"verify", s.reg->host() + "/" + ns + "/hello:" + kVersions[1], "--key", s.pub, "--plain-http"});
  BOOST_TEST(verify.exit_code == 0, verify.Describe());
  BOOST_TEST(verify.out.find("warning:") == std::string::npos, verify.Describe());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
