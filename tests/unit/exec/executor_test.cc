#include <boost/test/unit_test.hpp>
#include <csignal>
#include <filesystem>

#include "cache/action_cache.h"
#include "cache/journal.h"
#include "exec/executor.h"
#include "unit/exec/fake_runner.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;
using mg::testing::FakeRunner;
using mg::testing::MakeTask;

namespace {

struct TempDir {
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("mg-exec-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
  static inline int counter = 0;
};

// a -> {b1..bn} -> c : one discover-like root, n builds, one merge.
TaskGraph Diamond(int n, const std::string& build_pool = "build:linux/amd64") {
  TaskGraph g;
  auto a = g.Add(MakeTask("merge:root", TaskType::kMerge, "registry"));
  auto c = g.Add(MakeTask("sign:sink", TaskType::kSign, "registry"));
  for (int i = 0; i < n; ++i) {
    auto b = g.Add(MakeTask("build:b" + std::to_string(i), TaskType::kBuild, build_pool, Json{{"i", i}}));
    g.AddEdge(a, b);
    g.AddEdge(b, c);
  }
  return g;
}

std::map<std::string, TaskStatus> StatusById(const TaskGraph& g, const RunStates& s) {
  std::map<std::string, TaskStatus> out;
  for (size_t i = 0; i < g.size(); ++i) out[g.task(i).id] = s[i].status;
  return out;
}

RunSummary RunOnce(TaskGraph& g, ActionCache& cache, FakeRunner& runner, ExecOptions opt,
                   RunStates* states = nullptr) {
  Executor e(g, cache, nullptr, runner, nullptr, nullptr, opt);
  RunSummary s = e.Run();
  if (states) *states = e.states();
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(executor_test)

BOOST_AUTO_TEST_CASE(runs_everything_once_then_everything_is_cached) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  FakeRunner runner;
  TaskGraph g = Diamond(5);
  ExecOptions opt;
  opt.jobs = 3;
  RunSummary s = RunOnce(g, *cache, runner, opt);
  BOOST_TEST(s.ExitCode() == 0);
  BOOST_TEST(s.counts[TaskStatus::kRan] == 7u);
  BOOST_TEST(runner.calls().size() == 7u);

  TaskGraph g2 = Diamond(5);
  FakeRunner runner2;
  RunSummary s2 = RunOnce(g2, *cache, runner2, opt);
  BOOST_TEST(s2.counts[TaskStatus::kCached] == 7u);
  BOOST_TEST(runner2.calls().empty());
  // Every task here names something in the registry (RechecksCachedResult): each cache hit was
  // re-checked by the runner, none ran.
  BOOST_TEST(runner2.rechecks().size() == 7u);
}

BOOST_AUTO_TEST_CASE(a_cache_hit_that_no_longer_holds_is_redone_and_plan_and_offline_trust_it) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  FakeRunner runner;
  TaskGraph g = Diamond(2);
  ExecOptions opt;
  RunOnce(g, *cache, runner, opt);

  TaskGraph g2 = Diamond(2);
  FakeRunner runner2;
  runner2.stale = {"build:b1"};
  runner2.salt = "rebuilt";
  RunStates st;
  RunSummary s = RunOnce(g2, *cache, runner2, opt, &st);
  BOOST_TEST(s.ExitCode() == 0);
  BOOST_TEST(runner2.calls() == std::vector<std::string>({"build:b1"}), boost::test_tools::per_element());
  auto by_id = StatusById(g2, st);
  BOOST_TEST((by_id["build:b1"] == TaskStatus::kRan));
  BOOST_TEST((by_id["build:b0"] == TaskStatus::kCached));
  BOOST_TEST(st[*g2.Find("build:b1")].reason.find("cache hit redone") != std::string::npos);
  BOOST_TEST(st[*g2.Find("build:b0")].reason.find("re-checked by the fake") != std::string::npos);
  // The sink is an attestation: its key ignores its inputs (b1's new result), and its cache hit was
  // re-checked instead (the real sign task compares what it signed with the current index).
  BOOST_TEST((by_id["sign:sink"] == TaskStatus::kCached));
  BOOST_TEST(runner2.rechecks().size() == 4u);  // merge:root, both builds, sign:sink

  for (bool dry : {true, false}) {
    TaskGraph g3 = Diamond(2);
    FakeRunner runner3;
    ExecOptions o;
    o.dry_run = dry;
    o.offline = !dry;
    RunSummary s3 = RunOnce(g3, *cache, runner3, o);
    BOOST_TEST(s3.counts[TaskStatus::kCached] == 4u);
    BOOST_TEST(runner3.rechecks().empty());
  }
}

BOOST_AUTO_TEST_CASE(dependents_receive_inputs_and_keys_follow_inputs) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  // root -> {b0, b1} -> sink, the sink a merge (its key follows its inputs; an attestation's
  // would not: see KeyIgnoresInputs).
  auto graph = [](const std::string& extra) {
    TaskGraph g;
    auto a = g.Add(MakeTask("merge:root", TaskType::kMerge, "registry"));
    auto c = g.Add(MakeTask("merge:sink", TaskType::kMerge, "registry"));
    for (int i = 0; i < 2; ++i) {
      Json p = {{"i", i}};
      if (!extra.empty()) p["extra"] = i == 0 ? extra : "";
      auto b = g.Add(MakeTask("build:b" + std::to_string(i), TaskType::kBuild, "build:linux/amd64", p));
      g.AddEdge(a, b);
      g.AddEdge(b, c);
    }
    return g;
  };
  FakeRunner runner;
  TaskGraph g = graph("");
  RunStates st;
  RunOnce(g, *cache, runner, ExecOptions{}, &st);
  BOOST_TEST(runner.inputs_seen["merge:sink"].contains("build:b0"));
  BOOST_TEST(runner.inputs_seen["merge:sink"]["build:b1"]["id"] == "build:b1");

  // A different result upstream changes the sink's key: it reruns, with the reason recorded.
  auto cache2 = ActionCache::Open(dir.path.string()).value();
  FakeRunner r2;
  // New parameters for the builds: they rerun and produce new results.
  TaskGraph g3 = graph("changed");
  r2.salt = "new";
  RunStates st3;
  RunOnce(g3, *cache2, r2, ExecOptions{}, &st3);
  auto by = StatusById(g3, st3);
  BOOST_TEST((by["merge:root"] == TaskStatus::kCached));
  BOOST_TEST((by["build:b0"] == TaskStatus::kRan));
  BOOST_TEST((by["build:b1"] == TaskStatus::kRan));  // extra:"" is a new parameter too
  BOOST_TEST((by["merge:sink"] == TaskStatus::kRan));
  size_t b0 = *g3.Find("build:b0");
  BOOST_TEST(st3[b0].reason.find("parameter extra added") != std::string::npos, st3[b0].reason);
  size_t sink = *g3.Find("merge:sink");
  BOOST_TEST(st3[sink].reason.find("input build:b") != std::string::npos, st3[sink].reason);
}

BOOST_AUTO_TEST_CASE(jobs_and_pools_cap_concurrency) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  FakeRunner runner;
  runner.delay_ms = 30;
  TaskGraph g = Diamond(8);
  ExecOptions opt;
  opt.jobs = 6;
  opt.pools["build"] = 2;
  RunOnce(g, *cache, runner, opt);
  BOOST_TEST(runner.pool_peak("build:linux/amd64") == 2);

  std::filesystem::create_directories(dir.path / "y");
  auto c2 = ActionCache::Open((dir.path / "y").string()).value();
  FakeRunner r2;
  r2.delay_ms = 30;
  TaskGraph g2 = Diamond(8);
  ExecOptions opt2;
  opt2.jobs = 3;
  opt2.pools["build"] = 100;
  RunOnce(g2, *c2, r2, opt2);
  BOOST_TEST(r2.peak() == 3);
}

// Observations hold no job slot: with -j 1 and a build running, probes still run, capped by
// their pool only; builds stay capped by -j.
BOOST_AUTO_TEST_CASE(observations_hold_no_job_slot_and_only_their_pool_caps_them) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  FakeRunner runner;
  runner.delay_ms = 150;
  TaskGraph g;
  for (int i = 0; i < 3; ++i) g.Add(MakeTask("build:b" + std::to_string(i), TaskType::kBuild, "build:x"));
  for (int i = 0; i < 6; ++i) g.Add(MakeTask("probe:p" + std::to_string(i), TaskType::kProbe, "registry"));
  ExecOptions opt;
  opt.jobs = 1;
  opt.pools["build"] = 100;
  opt.pools["registry"] = 3;
  RunSummary s = RunOnce(g, *cache, runner, opt);
  BOOST_TEST(s.ExitCode() == 0);
  BOOST_TEST(s.counts[TaskStatus::kRan] == 9u);
  BOOST_TEST(runner.pool_peak("build:x") == 1);   // -j 1
  BOOST_TEST(runner.pool_peak("registry") == 3);  // the pool, not -j
  BOOST_TEST(runner.peak() > 1);                  // probes ran beside the build
  BOOST_TEST(runner.peak() <= 4);
}

BOOST_AUTO_TEST_CASE(a_failure_blocks_dependents_and_independent_work_continues) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  FakeRunner runner;
  runner.fail = {"build:b1"};
  TaskGraph g = Diamond(4);
  RunStates st;
  RunSummary s = RunOnce(g, *cache, runner, ExecOptions{}, &st);
  auto by = StatusById(g, st);
  BOOST_TEST(s.ExitCode() == 1);
  BOOST_TEST((by["build:b1"] == TaskStatus::kFailed));
  BOOST_TEST((by["build:b0"] == TaskStatus::kRan));
  BOOST_TEST((by["build:b3"] == TaskStatus::kRan));
  BOOST_TEST((by["sign:sink"] == TaskStatus::kBlocked));
  BOOST_TEST(st[*g.Find("sign:sink")].reason == "blocked: build:b1 failed");
  BOOST_TEST(s.first_failure == "build:b1");

  // Resume: only the failed leg and its dependent run.
  FakeRunner again;
  TaskGraph g2 = Diamond(4);
  RunSummary s2 = RunOnce(g2, *cache, again, ExecOptions{});
  BOOST_TEST(s2.ExitCode() == 0);
  auto calls = again.calls();
  std::sort(calls.begin(), calls.end());
  BOOST_TEST(calls == (std::vector<std::string>{"build:b1", "sign:sink"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(fail_fast_stops_starting_new_tasks) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  FakeRunner runner;
  runner.fail = {"merge:root"};
  TaskGraph g = Diamond(4);
  ExecOptions opt;
  opt.fail_fast = true;
  RunStates st;
  RunSummary s = RunOnce(g, *cache, runner, opt, &st);
  BOOST_TEST(s.ExitCode() == 1);
  BOOST_TEST(runner.calls().size() == 1u);
  BOOST_TEST(s.counts[TaskStatus::kBlocked] == 5u);

  // Independent roots: after the failure nothing new starts (-j 1 makes it deterministic).
  TaskGraph g2;
  for (int i = 0; i < 5; ++i) g2.Add(MakeTask("build:r" + std::to_string(i), TaskType::kBuild, "build:x"));
  FakeRunner r2;
  r2.fail = {"build:r0"};
  ExecOptions o2;
  o2.fail_fast = true;
  o2.jobs = 1;
  std::filesystem::create_directories(dir.path / "2");
  auto c2 = ActionCache::Open((dir.path / "2").string()).value();
  RunSummary s2 = RunOnce(g2, *c2, r2, o2, &st);
  BOOST_TEST(r2.calls().size() == 1u);
  BOOST_TEST(s2.counts[TaskStatus::kBlocked] == 4u);
  BOOST_TEST(st[1].reason.find("--fail-fast") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(observations_rerun_unless_offline_and_never_feed_keys) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  auto make = [] {
    TaskGraph g;
    auto probe = g.Add(MakeTask("probe:p", TaskType::kProbe, "registry"));
    auto build = g.Add(MakeTask("build:x", TaskType::kBuild, "build:x"));
    g.AddEdge(probe, build);
    return g;
  };
  FakeRunner r1;
  r1.results["probe:p"] = Json{{"state", "missing"}, {"n", 1}};
  TaskGraph g1 = make();
  RunOnce(g1, *cache, r1, ExecOptions{});
  BOOST_TEST(r1.calls().size() == 2u);

  FakeRunner r2;
  r2.results["probe:p"] = Json{{"state", "missing"}, {"n", 2}};  // a different observation
  TaskGraph g2 = make();
  RunStates st;
  RunOnce(g2, *cache, r2, ExecOptions{}, &st);
  BOOST_TEST(r2.calls() == (std::vector<std::string>{"probe:p"}), boost::test_tools::per_element());
  BOOST_TEST((st[1].status == TaskStatus::kCached));

  FakeRunner r3;
  TaskGraph g3 = make();
  ExecOptions off;
  off.offline = true;
  RunOnce(g3, *cache, r3, off, &st);
  BOOST_TEST(r3.calls().empty());
  BOOST_TEST(st[0].reason.find("--offline") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(complete_probe_makes_gated_tasks_unneeded) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  TaskGraph g;
  auto probe = g.Add(MakeTask("probe:p", TaskType::kProbe, "registry"));
  Task b = MakeTask("build:x", TaskType::kBuild, "build:x");
  b.gate_probe = static_cast<int64_t>(probe);
  b.skip_when_complete = true;
  auto build = g.Add(b);
  auto sign = g.Add(MakeTask("sign:x", TaskType::kSign, "registry"));
  g.AddEdge(probe, build);
  g.AddEdge(build, sign);
  FakeRunner r;
  r.results["probe:p"] = Json{{"state", "complete"}, {"digest", "sha256:abc"}};
  RunStates st;
  RunSummary s = RunOnce(g, *cache, r, ExecOptions{}, &st);
  BOOST_TEST((st[build].status == TaskStatus::kUnneeded));
  BOOST_TEST(st[build].reason.find("sha256:abc") != std::string::npos);
  BOOST_TEST((st[sign].status == TaskStatus::kRan));  // unneeded dependencies count as satisfied
  BOOST_TEST(s.ExitCode() == 0);
}

// Issue 9, finding 3: a provenance task after an unneeded merge is told what earlier runs
// recorded for the merge and its builds (facts, not key inputs); other tasks are not.
BOOST_AUTO_TEST_CASE(a_provenance_task_sees_what_earlier_runs_recorded_for_unneeded_dependencies) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  auto graph = [] {
    TaskGraph g;
    auto probe = g.Add(MakeTask("probe:p", TaskType::kProbe, "registry"));
    Task b = MakeTask("build:x/linux/amd64", TaskType::kBuild, "build:x");
    b.gate_probe = static_cast<int64_t>(probe);
    b.skip_when_complete = true;
    auto build = g.Add(b);
    Task m = MakeTask("merge:x", TaskType::kMerge, "registry");
    m.gate_probe = static_cast<int64_t>(probe);
    m.skip_when_complete = true;
    m.SetIdentity(Json{{"engine", "then"}});
    auto merge = g.Add(m);
    auto prov = g.Add(MakeTask("provenance:x", TaskType::kProvenance, "registry"));
    auto sign = g.Add(MakeTask("sign:x", TaskType::kSign, "registry"));
    g.AddEdge(probe, build);
    g.AddEdge(build, merge);
    g.AddEdge(merge, prov);
    g.AddEdge(merge, sign);
    return g;
  };
  FakeRunner r;
  r.results["probe:p"] = Json{{"state", "incomplete"}};
  r.results["build:x/linux/amd64"] = Json{{"digest", "sha256:b"}};
  r.results["merge:x"] = Json{{"digest", "sha256:i"}};
  TaskGraph first = graph();
  RunOnce(first, *cache, r, ExecOptions{});
  BOOST_TEST(r.recorded_seen.at("provenance:x") == Json::object());  // the merge ran: nothing to recall
  BOOST_TEST(r.recorded_seen.at("sign:x").is_null());

  r.results["probe:p"] = Json{{"state", "complete"}, {"digest", "sha256:i"}};
  r.recorded_seen.clear();
  TaskGraph second = graph();
  RunStates st;
  RunOnce(second, *cache, r, ExecOptions{}, &st);
  BOOST_TEST((st[*second.Find("merge:x")].status == TaskStatus::kUnneeded));
  // The provenance was cached by the first run: its re-check is handed the facts too.
  BOOST_TEST(r.rechecks().size() >= 1u);
  const Json want = {{"merge:x", {{"result", {{"digest", "sha256:i"}}}, {"identity", {{"engine", "then"}}}}},
                     {"build:x/linux/amd64", {{"result", {{"digest", "sha256:b"}}}, {"identity", {{"engine", "test"}}}}}};
  r.stale = {"provenance:x"};
  r.recorded_seen.clear();
  TaskGraph third = graph();
  RunOnce(third, *cache, r, ExecOptions{});
  BOOST_TEST(r.recorded_seen.at("provenance:x") == want, r.recorded_seen.at("provenance:x").dump());
}

BOOST_AUTO_TEST_CASE(dry_run_runs_observations_only_and_writes_nothing) {
  TempDir dir;
  {
    auto rw = ActionCache::Open(dir.path.string()).value();
  }
  auto cache = ActionCache::OpenReadOnly(dir.path.string()).value();
  TaskGraph g;
  auto probe = g.Add(MakeTask("probe:p", TaskType::kProbe, "registry"));
  auto build = g.Add(MakeTask("build:x", TaskType::kBuild, "build:x"));
  auto build2 = g.Add(MakeTask("build:w", TaskType::kBuild, "build:w"));
  auto merge = g.Add(MakeTask("merge:x", TaskType::kMerge, "registry"));
  g.AddEdge(probe, build);
  g.AddEdge(probe, build2);
  g.AddEdge(build, merge);
  g.AddEdge(build2, merge);
  FakeRunner r;
  r.results["probe:p"] = Json{{"state", "missing"}};
  ExecOptions opt;
  opt.dry_run = true;
  RunStates st;
  RunSummary s = RunOnce(g, *cache, r, opt, &st);
  BOOST_TEST(r.calls() == (std::vector<std::string>{"probe:p"}), boost::test_tools::per_element());
  BOOST_TEST((st[build].status == TaskStatus::kWouldRun));
  BOOST_TEST(st[build].reason == "no cache entry");
  BOOST_TEST((st[merge].status == TaskStatus::kWouldRun));
  BOOST_TEST(st[merge].reason == "would run after build:w, build:x");  // every build it waits for, sorted
  BOOST_TEST(s.ExitCode() == 0);
  BOOST_TEST(ActionCache::OpenReadOnly(dir.path.string()).value()->size() == 0u);
}

BOOST_AUTO_TEST_CASE(interrupt_finishes_running_tasks_and_starts_no_more) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  TaskGraph g;
  for (int i = 0; i < 6; ++i) g.Add(MakeTask("build:r" + std::to_string(i), TaskType::kBuild, "build:x"));
  FakeRunner r;
  r.delay_ms = 50;
  std::atomic<int> interrupt{0};
  ExecOptions opt;
  opt.jobs = 1;
  opt.interrupt = &interrupt;
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    interrupt = SIGTERM;
  });
  RunSummary s = RunOnce(g, *cache, r, opt);
  t.join();
  BOOST_TEST(s.interrupted);
  BOOST_TEST(s.signal == SIGTERM);
  BOOST_TEST(s.ExitCode() == 128 + SIGTERM);
  BOOST_TEST(r.calls().size() < 6u);
  BOOST_TEST(cache->size() == r.calls().size());  // every task that finished is cached
}

// The run's cancel token (what the HTTP client waits on) is cancelled with the run: by an
// interrupt and by --fail-fast, and not by a run that ends normally.
BOOST_AUTO_TEST_CASE(cancel_token_follows_the_run) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  {
    TaskGraph g = Diamond(2);
    FakeRunner runner;
    CancelToken token;
    ExecOptions opt;
    opt.cancel_token = &token;
    BOOST_TEST(RunOnce(g, *cache, runner, opt).ExitCode() == 0);
    BOOST_TEST(!token.cancelled());
  }
  {
    TaskGraph g = Diamond(2);
    FakeRunner runner;
    runner.fail = {"merge:root"};
    CancelToken token;
    ExecOptions opt;
    opt.fail_fast = true;
    opt.cancel_token = &token;
    std::filesystem::create_directories(dir.path / "ff");
    auto c = ActionCache::Open((dir.path / "ff").string()).value();
    BOOST_TEST(RunOnce(g, *c, runner, opt).ExitCode() == 1);
    BOOST_TEST(token.cancelled());
  }
  {
    TaskGraph g = Diamond(2);
    FakeRunner runner;
    std::atomic<int> interrupt{SIGINT};
    CancelToken token;
    ExecOptions opt;
    opt.interrupt = &interrupt;
    opt.cancel_token = &token;
    std::filesystem::create_directories(dir.path / "int");
    auto c = ActionCache::Open((dir.path / "int").string()).value();
    BOOST_TEST(RunOnce(g, *c, runner, opt).ExitCode() == 130);
    BOOST_TEST(token.cancelled());
  }
}

BOOST_AUTO_TEST_CASE(journal_records_every_finished_task) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  auto journal = RunJournal::Create(dir.path.string(), "run-1").value();
  FakeRunner r;
  r.fail = {"build:b2"};
  TaskGraph g = Diamond(3);
  Executor e(g, *cache, &journal, r, nullptr, nullptr, ExecOptions{});
  e.Run();
  BOOST_REQUIRE(journal.Sync().ok());
  auto events = RunJournal::Read(dir.path.string(), "run-1").value();
  std::map<std::string, std::string> status;
  for (const Json& ev : events) status[ev.value("id", "")] = ev.value("status", "");
  BOOST_TEST(status["build:b2"] == "failed");
  BOOST_TEST(status["sign:sink"] == "blocked");
  BOOST_TEST(status["build:b0"] == "ran");
  BOOST_TEST(RunJournal::LastRunId(dir.path.string()).value() == "run-1");
}

BOOST_AUTO_TEST_CASE(pool_capacity_lookup) {
  std::map<std::string, int> pools = {{"build", 3}, {"build:linux/arm64", 1}};
  BOOST_TEST(PoolCapacity(pools, "build:linux/arm64") == 1);
  BOOST_TEST(PoolCapacity(pools, "build:linux/amd64") == 3);
  BOOST_TEST(PoolCapacity({}, "registry") == 8);
  BOOST_TEST(PoolCapacity({}, "upstream") == 4);
}

BOOST_AUTO_TEST_CASE(dispatch_is_first_come_first_served_across_pools) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  TaskGraph g;
  // Queued in this order; pool names sort the other way round. Tasks that hold a job slot: an
  // observation (discover, probe) holds none and runs on its own threads, in no set order.
  g.Add(MakeTask("merge:z", TaskType::kMerge, "registry"));
  g.Add(MakeTask("build:y", TaskType::kBuild, "build:linux/arm64"));
  g.Add(MakeTask("build:x", TaskType::kBuild, "build:linux/amd64"));
  FakeRunner r;
  ExecOptions opt;
  opt.jobs = 1;
  RunOnce(g, *cache, r, opt);
  BOOST_TEST(r.calls() == (std::vector<std::string>{"merge:z", "build:y", "build:x"}),
             boost::test_tools::per_element());
}

// Finding 12: a task's start is in the journal, on disk, while it runs, so `status` after a kill
// can show it as interrupted.
BOOST_AUTO_TEST_CASE(journal_holds_a_started_event_while_the_task_runs) {
  TempDir dir;
  auto cache = ActionCache::Open(dir.path.string()).value();
  auto journal = RunJournal::Create(dir.path.string(), "run-s").value();
  // Reads the journal from inside the running task: what a kill -9 at this moment would leave.
  class PeekingRunner : public TaskRunner {
   public:
    explicit PeekingRunner(std::string state) : state_(std::move(state)) {}
    TaskOutcome Run(const TaskContext& ctx) override {
      auto events = RunJournal::Read(state_, "run-s");
      if (events.ok()) summary = SummarizeRun(*events);
      (void)ctx;
      return {Status::OK(), Json{{"ok", true}}};
    }
    RunJournalSummary summary;

   private:
    std::string state_;
  } r(dir.path.string());
  TaskGraph g;
  g.Add(MakeTask("build:only", TaskType::kBuild, "build:linux/amd64"));
  ExecOptions opt;
  opt.jobs = 1;
  Executor e(g, *cache, &journal, r, nullptr, nullptr, opt);
  BOOST_TEST(e.Run().ExitCode() == 0);
  BOOST_TEST(r.summary.interrupted == (std::vector<std::string>{"build:only"}), boost::test_tools::per_element());
  // Once finished it is no longer in flight.
  auto events = RunJournal::Read(dir.path.string(), "run-s").value();
  BOOST_TEST(SummarizeRun(events).interrupted.empty());
  BOOST_TEST(SummarizeRun(events).counts["ran"] == 1);
}

// Finding 10: a cache that cannot be written (a full disk) stops the run with exit code 3 and the
// file's error, instead of failing task after task.
BOOST_AUTO_TEST_CASE(a_state_write_failure_stops_the_run_with_exit_code_3) {
  TempDir dir;
  // A read-only cache refuses every Put, as a full disk refuses every append.
  auto read_only = ActionCache::OpenReadOnly(dir.path.string()).value();
  FakeRunner r;
  TaskGraph g = Diamond(3);
  ExecOptions opt;
  opt.jobs = 1;
  RunStates states;
  RunSummary s = RunOnce(g, *read_only, r, opt, &states);
  BOOST_TEST(s.ExitCode() == 3);
  BOOST_TEST(s.state_error.find("read-only") != std::string::npos, s.state_error);
  BOOST_TEST(r.calls().size() == 1u);  // the first task ran; nothing new started after its Put failed
  auto by_id = StatusById(g, states);
  BOOST_TEST((by_id["sign:sink"] == TaskStatus::kBlocked));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
