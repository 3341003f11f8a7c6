// The executor with a second cache tier (ExecOptions::remote): lookups on a local miss, re-checks
// of remote hits, local copies, writes after a task ran, and every way the remote can be wrong.
#include <boost/test/unit_test.hpp>
#include <memory>

#include <algorithm>
#include <filesystem>

#include "cache/action_cache.h"
#include "exec/executor.h"
#include "exec/remote_entry.h"
#include "unit/exec/fake_remote_cache.h"
#include "unit/exec/fake_runner.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;
using mg::testing::FakeRemoteCache;
using mg::testing::FakeRunner;
using mg::testing::MakeTask;

namespace {

struct TempDir {
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("mg-remote-tier-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
  static inline int counter = 0;
};

// discover -> {build:b0, build:b1} -> merge:m. The discover is an observation: never remote.
TaskGraph Pipeline(const std::string& engine = "test") {
  auto task = [&](const std::string& id, TaskType type, const std::string& pool, Json params = Json::object()) {
    Task t = MakeTask(id, type, pool, std::move(params));
    t.SetIdentity(Json{{"engine", engine}});
    return t;
  };
  TaskGraph g;
  auto d = g.Add(task("discover:app", TaskType::kDiscover, "upstream"));
  auto m = g.Add(task("merge:m", TaskType::kMerge, "registry"));
  for (int i = 0; i < 2; ++i) {
    auto b = g.Add(task("build:b" + std::to_string(i), TaskType::kBuild, "build:linux/amd64", Json{{"i", i}}));
    g.AddEdge(d, b);
    g.AddEdge(b, m);
  }
  return g;
}

struct Run {
  RunSummary summary;
  RunStates states;
  std::map<std::string, TaskRunState> by_id;
};

Run RunWith(TaskGraph& g, ActionCache& cache, FakeRunner& runner, RemoteCache* remote, bool dry_run = false) {
  ExecOptions opt;
  opt.jobs = 2;
  opt.remote = remote;
  opt.dry_run = dry_run;
  Executor e(g, cache, nullptr, runner, nullptr, nullptr, opt);
  Run r;
  r.summary = e.Run();
  r.states = e.states();
  for (size_t i = 0; i < g.size(); ++i) r.by_id[g.task(i).id] = r.states[i];
  return r;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

const std::vector<std::string> kMutating = {"build:b0", "build:b1", "merge:m"};

// A remote filled by one run with a fresh local cache.
void Fill(FakeRemoteCache& remote) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  FakeRunner runner;
  TaskGraph g = Pipeline();
  Run r = RunWith(g, *cache, runner, &remote);
  BOOST_REQUIRE(r.summary.ExitCode() == 0);
}

// A remote filled by one run (Fill), and a fresh local cache beside it: where most cases start.
struct FilledRemote {
  FakeRemoteCache remote;
  TempDir dir;
  std::unique_ptr<ActionCache> cache;
  FilledRemote() {
    Fill(remote);
    cache = ActionCache::Open(dir.path.string()).value();
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(remote_tier_test)

BOOST_AUTO_TEST_CASE(a_run_writes_every_mutating_task_and_waits_for_the_writes) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  FakeRemoteCache remote;
  FakeRunner runner;
  TaskGraph g = Pipeline();
  Run r = RunWith(g, *cache, runner, &remote);
  BOOST_TEST(r.summary.ExitCode() == 0);
  // Observations are never looked up nor written; the rest missed and were written, all before
  // Run() returned.
  BOOST_TEST(Sorted(remote.gets()) == kMutating, boost::test_tools::per_element());
  BOOST_TEST(Sorted(remote.puts()) == kMutating, boost::test_tools::per_element());
  BOOST_TEST(r.summary.remote.enabled);
  BOOST_TEST(r.summary.remote.misses == 3u);
  BOOST_TEST(r.summary.remote.writes == 3u);
  BOOST_TEST(r.summary.remote.where == "fake://remote");
  BOOST_TEST(r.by_id["build:b0"].reason.find("not in the remote cache either") != std::string::npos);
  // What was written is the local entry, under its key, and passes the executor's own check.
  const std::string& key = r.by_id["build:b0"].key.str();
  BOOST_REQUIRE(remote.entries.count(key));
  // The whole entry, key material included, without the local entry's origin mark.
  Json local = cache->Get(key)->entry();
  BOOST_TEST(local["origin"] == "local");
  BOOST_TEST(!cache->Get(key)->from_remote());
  local.erase("origin");
  BOOST_TEST(remote.entries[key] == CanonicalJson(local));
  BOOST_TEST(CheckEntryKey(ParseJson(remote.entries[key]), key).ok());
}

BOOST_FIXTURE_TEST_CASE(a_local_miss_and_a_remote_hit_is_rechecked_cached_and_copied_locally, FilledRemote) {
  FakeRunner runner;
  TaskGraph g = Pipeline();
  Run r = RunWith(g, *cache, runner, &remote);
  BOOST_TEST(r.summary.ExitCode() == 0);
  // Only the observation ran; each remote hit was re-checked (RechecksCachedResult) and reused.
  BOOST_TEST(runner.calls() == std::vector<std::string>{"discover:app"}, boost::test_tools::per_element());
  BOOST_TEST(Sorted(runner.rechecks()) == kMutating, boost::test_tools::per_element());
  for (const std::string& id : kMutating) {
    BOOST_TEST((r.by_id[id].status == TaskStatus::kCached), id);
    BOOST_TEST(std::string(mg::CacheTierName(r.by_id[id].cache_tier)) == "remote", id);
    BOOST_TEST(r.by_id[id].reason.find("remote cache hit (key " + r.by_id[id].key.str().substr(0, 12)) == 0, r.by_id[id].reason);
    BOOST_TEST(r.by_id[id].result_hash == ActionCache::ResultHash(ParseJson(remote.entries[r.by_id[id].key.str()])["result"]));
  }
  BOOST_TEST(r.summary.remote.hits == 3u);
  BOOST_TEST(r.summary.remote.reused == 3u);
  BOOST_TEST(r.summary.remote.writes == 0u);  // hits are not written back
  // The dependents saw the remote results as inputs.
  BOOST_TEST(runner.inputs_seen.count("merge:m") == 0u);  // re-checked, not called
  // Each re-check was told where its result came from (TaskContext::cached_result_remote).
  BOOST_TEST(Sorted(runner.remote_rechecks()) == kMutating, boost::test_tools::per_element());
  // Written into the first tier: the next run, without the remote, is all local hits.
  FakeRunner runner2;
  TaskGraph g2 = Pipeline();
  Run r2 = RunWith(g2, *cache, runner2, nullptr);
  for (const std::string& id : kMutating) {
    BOOST_TEST((r2.by_id[id].status == TaskStatus::kCached), id);
    BOOST_TEST(std::string(mg::CacheTierName(r2.by_id[id].cache_tier)) == "local", id);
    // Copied with its origin: still known to come from the remote tier, in this process and after
    // the cache is opened again.
    BOOST_TEST(cache->Get(r2.by_id[id].key.str())->from_remote(), id);
  }
  BOOST_TEST(Sorted(runner2.remote_rechecks()) == kMutating, boost::test_tools::per_element());
  auto reopened = ActionCache::Open(dir.path.string()).value();
  for (const std::string& id : kMutating) BOOST_TEST(reopened->Get(r2.by_id[id].key.str())->from_remote(), id);
  // A result this machine computed is not marked.
  TempDir own_dir;
  auto own = ActionCache::Open(own_dir.path.string()).value();
  FakeRunner runner3;
  TaskGraph g3 = Pipeline();
  Run r3 = RunWith(g3, *own, runner3, nullptr);
  for (const std::string& id : kMutating) BOOST_TEST(!own->Get(r3.by_id[id].key.str())->from_remote(), id);
  TaskGraph g4 = Pipeline();
  Run r4 = RunWith(g4, *own, runner3, nullptr);
  BOOST_TEST(r4.summary.ExitCode() == 0);
  BOOST_TEST(Sorted(runner3.rechecks()) == kMutating, boost::test_tools::per_element());
  BOOST_TEST(runner3.remote_rechecks().empty());
}

// A result a task derives from a remote one (a merge re-tagging the cached index) keeps its origin;
// an entry with no origin (written before the mark existed) counts as remote.
BOOST_FIXTURE_TEST_CASE(results_derived_from_remote_ones_and_unmarked_entries_count_as_remote, FilledRemote) {
  FakeRunner runner;
  runner.amend = {"merge:m"};
  TaskGraph g = Pipeline();
  Run r = RunWith(g, *cache, runner, &remote);
  BOOST_TEST(r.summary.ExitCode() == 0);
  BOOST_TEST((r.by_id["merge:m"].status == TaskStatus::kRan));
  const std::string key = r.by_id["merge:m"].key.str();
  BOOST_TEST(cache->Get(key)->result()["amended"] == true);
  BOOST_TEST(cache->Get(key)->from_remote());
  // Written back to the remote tier without the mark (a reader marks its own copies).
  BOOST_REQUIRE(remote.entries.count(key));
  BOOST_TEST(ParseJson(remote.entries[key])["result"]["amended"] == true);
  BOOST_TEST(!ParseJson(remote.entries[key]).contains("origin"));
  // An amended local result stays local.
  FakeRunner local_runner;
  local_runner.amend = {"merge:m"};
  TaskGraph g2 = Pipeline();
  TempDir own_dir;
  auto own = ActionCache::Open(own_dir.path.string()).value();
  FakeRunner first;
  TaskGraph g1 = Pipeline();
  BOOST_TEST(RunWith(g1, *own, first, nullptr).summary.ExitCode() == 0);
  Run amended = RunWith(g2, *own, local_runner, nullptr);
  BOOST_TEST((amended.by_id["merge:m"].status == TaskStatus::kRan));
  BOOST_TEST(!own->Get(amended.by_id["merge:m"].key.str())->from_remote());
  // The fail-safe reading, straight from the cache.
  const std::string k(64, 'a');
  BOOST_REQUIRE(cache->Put(k, "t:unmarked", Json{{"result", 1}}).ok());
  BOOST_TEST(cache->Get(k)->from_remote());
  BOOST_REQUIRE(cache->Put(k, "t:unmarked", Json{{"result", 1}, {"origin", "local"}}).ok());
  BOOST_TEST(!cache->Get(k)->from_remote());
  BOOST_REQUIRE(cache->Put(k, "t:unmarked", Json{{"result", 1}, {"origin", 7}}).ok());
  BOOST_TEST(cache->Get(k)->from_remote());
}

BOOST_FIXTURE_TEST_CASE(a_remote_hit_that_no_longer_holds_is_redone_and_written_again, FilledRemote) {
  FakeRunner runner;
  runner.stale = {"build:b1"};
  runner.salt = "rebuilt";
  TaskGraph g = Pipeline();
  Run r = RunWith(g, *cache, runner, &remote);
  BOOST_TEST(r.summary.ExitCode() == 0);
  BOOST_TEST((r.by_id["build:b1"].status == TaskStatus::kRan));
  BOOST_TEST(r.by_id["build:b1"].reason.find("remote cache hit redone") == 0, r.by_id["build:b1"].reason);
  // b1's new result changes the merge's key: a miss, run, written; b1's entry is written again.
  BOOST_TEST((r.by_id["merge:m"].status == TaskStatus::kRan));
  // Fill wrote the three; this run wrote b1 again (redone) and the merge (its new key).
  BOOST_TEST(Sorted(remote.puts()) == (std::vector<std::string>{"build:b0", "build:b1", "build:b1", "merge:m",
                                                                 "merge:m"}),
             boost::test_tools::per_element());
  BOOST_TEST(ParseJson(remote.entries[r.by_id["build:b1"].key.str()])["result"]["salt"] == "rebuilt");
}

BOOST_FIXTURE_TEST_CASE(damaged_and_mismatched_entries_are_misses_with_a_warning_and_the_task_runs, FilledRemote) {
  TaskGraph g = Pipeline();
  {
    // Keys of this graph, from a throwaway plan against an empty cache tier.
    TempDir d2;
    auto c2 = ActionCache::Open(d2.path.string()).value();
    FakeRunner rr;
    Run probe = RunWith(g, *c2, rr, &remote, /*dry_run=*/true);
    const std::string k0 = probe.by_id["build:b0"].key.str(), k1 = probe.by_id["build:b1"].key.str();
    BOOST_REQUIRE(remote.entries.count(k0) && remote.entries.count(k1));
    // b0: garbage under its key. b1: b0's entry (valid JSON, valid entry, another key's material).
    remote.entries[k0] = "{not json";
    remote.entries[k1] = remote.entries[probe.by_id["merge:m"].key.str()];
  }
  TaskGraph g2 = Pipeline();
  FakeRunner runner;
  Run r = RunWith(g2, *cache, runner, &remote);
  BOOST_TEST(r.summary.ExitCode() == 0);
  BOOST_TEST((r.by_id["build:b0"].status == TaskStatus::kRan));
  BOOST_TEST((r.by_id["build:b1"].status == TaskStatus::kRan));
  BOOST_TEST(r.summary.remote.rejected.size() == 2u);
  for (const RemoteWarning& w : r.summary.remote.rejected) BOOST_TEST_MESSAGE(w.id + ": " + w.message);
  BOOST_REQUIRE(r.summary.remote.rejected.size() == 2u);
  std::map<std::string, std::string> why;
  for (const RemoteWarning& w : r.summary.remote.rejected) why[w.id] = w.message;
  BOOST_TEST(why["build:b0"].find("damaged") != std::string::npos, why["build:b0"]);
  BOOST_TEST(why["build:b1"].find("key mismatch") != std::string::npos, why["build:b1"]);
  BOOST_TEST(r.by_id["build:b1"].reason.find("rejected") != std::string::npos, r.by_id["build:b1"].reason);
  BOOST_TEST(!r.by_id["build:b1"].details.empty());
  // Both ran and were written again, now valid.
  BOOST_TEST(CheckEntryKey(ParseJson(remote.entries[r.by_id["build:b0"].key.str()]), r.by_id["build:b0"].key.str()).ok());
  BOOST_TEST(CheckEntryKey(ParseJson(remote.entries[r.by_id["build:b1"].key.str()]), r.by_id["build:b1"].key.str()).ok());
  // The same results as before: the merge's key is unchanged, so it is still a remote hit.
  BOOST_TEST((r.by_id["merge:m"].status == TaskStatus::kCached));
}

BOOST_FIXTURE_TEST_CASE(an_entry_the_implementation_rejects_is_a_miss_too, FilledRemote) {
  for (auto& [k, v] : remote.entries) remote.reject.insert(k);
  FakeRunner runner;
  TaskGraph g = Pipeline();
  Run r = RunWith(g, *cache, runner, &remote);
  BOOST_TEST(r.summary.ExitCode() == 0);
  BOOST_TEST(runner.calls().size() == 4u);
  BOOST_TEST(r.summary.remote.rejected.size() == 3u);
  BOOST_TEST(r.summary.remote.hits == 0u);
}

BOOST_AUTO_TEST_CASE(an_unreachable_remote_is_a_warning_and_the_run_succeeds) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  FakeRemoteCache remote;
  remote.unreachable = true;
  remote.fail_puts = true;
  FakeRunner runner;
  TaskGraph g = Pipeline();
  Run r = RunWith(g, *cache, runner, &remote);
  BOOST_TEST(r.summary.ExitCode() == 0);
  BOOST_TEST(r.summary.counts[TaskStatus::kRan] == 4u);
  BOOST_TEST(r.summary.remote.errors.size() == 3u);
  BOOST_TEST(r.summary.remote.write_failures.size() == 3u);
  BOOST_TEST(r.summary.remote.writes == 0u);
  BOOST_REQUIRE(!r.summary.remote.write_failures.empty());
  BOOST_TEST(r.summary.remote.write_failures[0].message.find("503") != std::string::npos);
  BOOST_TEST(r.by_id["merge:m"].reason.find("could not be asked") != std::string::npos, r.by_id["merge:m"].reason);
  // The local cache has every result: the next run is all local hits.
  FakeRunner runner2;
  TaskGraph g2 = Pipeline();
  Run r2 = RunWith(g2, *cache, runner2, &remote);
  BOOST_TEST(r2.summary.counts[TaskStatus::kCached] == 3u);
}

BOOST_AUTO_TEST_CASE(a_failed_write_is_a_warning_not_a_failure) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  FakeRemoteCache remote;
  remote.fail_puts = true;
  FakeRunner runner;
  TaskGraph g = Pipeline();
  Run r = RunWith(g, *cache, runner, &remote);
  BOOST_TEST(r.summary.ExitCode() == 0);
  BOOST_TEST(r.summary.remote.write_failures.size() == 3u);
  BOOST_TEST(r.summary.remote.errors.empty());
  BOOST_TEST(remote.entries.empty());
}

BOOST_AUTO_TEST_CASE(a_plan_trusts_remote_hits_writes_nothing_and_runs_nothing) {
  FakeRemoteCache remote;
  Fill(remote);
  const auto before = remote.entries;
  const size_t puts_before = remote.puts().size();
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  FakeRunner runner;
  TaskGraph g = Pipeline();
  Run r = RunWith(g, *cache, runner, &remote, /*dry_run=*/true);
  BOOST_TEST(runner.calls() == std::vector<std::string>{"discover:app"}, boost::test_tools::per_element());
  BOOST_TEST(runner.rechecks().empty());
  for (const std::string& id : kMutating) {
    BOOST_TEST((r.by_id[id].status == TaskStatus::kCached), id);
    BOOST_TEST(std::string(mg::CacheTierName(r.by_id[id].cache_tier)) == "remote", id);
  }
  BOOST_TEST(remote.puts().size() == puts_before);
  BOOST_TEST(cache->size() == 0u);  // a plan never writes the first tier
  BOOST_TEST((remote.entries == before));

  // With nothing in the remote: would-run, and still nothing runs.
  FakeRemoteCache empty;
  FakeRunner runner2;
  TaskGraph g2 = Pipeline();
  Run r2 = RunWith(g2, *cache, runner2, &empty, /*dry_run=*/true);
  BOOST_TEST(runner2.calls() == std::vector<std::string>{"discover:app"}, boost::test_tools::per_element());
  BOOST_TEST((r2.by_id["build:b0"].status == TaskStatus::kWouldRun));
  BOOST_TEST(r2.by_id["build:b0"].reason.find("not in the remote cache either") != std::string::npos);
  BOOST_TEST(r2.by_id["build:b0"].started_at == 0);
  BOOST_TEST(empty.puts().empty());
}

BOOST_FIXTURE_TEST_CASE(an_entry_of_another_engine_version_is_another_key_so_a_miss, FilledRemote) {
  // The remote was written by engine "test".
  FakeRunner runner;
  TaskGraph g = Pipeline("test-2");
  Run r = RunWith(g, *cache, runner, &remote);
  BOOST_TEST(r.summary.remote.hits == 0u);
  BOOST_TEST(r.summary.remote.misses == 3u);
  BOOST_TEST(r.summary.remote.rejected.empty());
  BOOST_TEST(runner.calls().size() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
