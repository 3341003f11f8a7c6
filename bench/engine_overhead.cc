// engine_overhead: the engine's cost on a large, fully cached graph (a no-op run).
//
// Builds a synthetic mirror of N apps, each expanded from the default multi-version pipeline
// (discover -> probe -> build x2 platforms -> merge -> sbom, sign, provenance) over V versions, and
// runs it with the real TaskGraph, expander, KeyMaterial/TaskKey, ActionCache (on disk), RunJournal
// and Executor. Only the TaskRunner is fake: it answers at once with a small result.
//
//   engine_overhead populate --state DIR [--tasks 100000] [--versions 10]
//       first run: every task runs; fills DIR/cache.log (not what the goal measures)
//   engine_overhead noop --state DIR [--tasks ...] [--versions ...] [--online] [--jobs 2]
//       the measured run, in a fresh process: expand + cache load + scan/plan/execute with
//       everything cached. Default --offline semantics (observations trusted from the cache, so
//       no task reaches the runner); --online re-runs discover and probe through the runner, and
//       the executor hands every other task's cache hit to the runner to re-check (as a run
//       does: is the digest still in the registry?), which the fake confirms at once.
//
// Prints one line of JSON: phase timings in ms, task counts by status, the re-checks the runner
// answered, and peak RSS (ru_maxrss). Exit code 0 only when the no-op really was one: nothing ran
// but the observations asked for, everything else cached (online: each after one re-check).
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cache/action_cache.h"
#include "cache/journal.h"
#include "exec/executor.h"
#include "graph/expander.h"
#include "util/atomic_file.h"
#include "util/file_lock.h"
#include "util/huge_page_heap.h"
#include "util/keep_until_exit.h"

namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// The default pipeline (graphs/multi-version.toml), embedded so the bench needs no source tree.
constexpr const char* kTemplate = R"(name = "multi-version"
select = "newest"
[tasks.discover]
type = "discover"
scope = "app"
[tasks.probe]
type = "probe"
scope = "version"
after = ["discover"]
[tasks.build]
type = "build"
scope = "platform"
after = ["probe"]
skip_when = "image-complete"
[tasks.merge]
type = "merge"
scope = "version"
after = ["build"]
skip_when = "image-complete"
[tasks.sbom]
type = "sbom"
scope = "version"
after = ["merge"]
[tasks.sign]
type = "sign"
scope = "version"
after = ["merge"]
[tasks.provenance]
type = "provenance"
scope = "version"
after = ["merge"]
)";

struct Args {
  std::string mode;
  std::string state;
  size_t tasks = 100000;
  int versions = 10;
  bool online = false;
  int jobs = 2;
};

bool ParseArgs(int argc, char** argv, Args* a) {
  if (argc < 2) return false;
  a->mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (k == "--online") a->online = true;
    else if (k == "--state" && (v = next())) a->state = v;
    else if (k == "--tasks" && (v = next())) a->tasks = std::strtoul(v, nullptr, 10);
    else if (k == "--versions" && (v = next())) a->versions = std::atoi(v);
    else if (k == "--jobs" && (v = next())) a->jobs = std::atoi(v);
    else return false;
  }
  return (a->mode == "populate" || a->mode == "noop") && !a->state.empty() && a->versions > 0 && a->tasks > 0;
}

// Tasks per app: one discover plus, per version, probe + 2 builds + merge + sbom + sign + provenance.
size_t TasksPerApp(int versions) { return 1 + 7 * static_cast<size_t>(versions); }

std::vector<mg::AppModel> MakeApps(const mg::PipelineTemplate& tmpl, size_t count) {
  std::vector<mg::AppModel> apps(count);
  for (size_t n = 0; n < count; ++n) {
    mg::AppModel& a = apps[n];
    char name[32];
    std::snprintf(name, sizeof(name), "app%05zu", n);
    a.app = name;
    a.images = {mg::ImageSpec{name, {}}};
    a.source = {{"type", "git-tags"}, {"url", std::string("https://git.example.invalid/") + name + ".git"},
                {"tag_pattern", "^v(?P<version>.*)$"}};
    a.platforms = {"linux/amd64", "linux/arm64"};
    a.builder = "buildah";
    a.tmpl = tmpl;
    a.plugin = {{"name", "generic"}, {"version", "1.0.0"}};
  }
  return apps;
}

// Answers at once with a small, deterministic result of the shape the real tasks produce; a cache
// hit handed over for a re-check (ctx.cached_result) still holds, as in a registry that has it all.
class FakeRunner : public mg::TaskRunner {
 public:
  explicit FakeRunner(int versions) : versions_(versions) {}
  mg::TaskOutcome Run(const mg::TaskContext& ctx) override {
    const mg::Task& t = ctx.task;
    if (ctx.cached_result != nullptr) {
      ++rechecked;
      return {mg::Status::OK(), {}, true, "re-checked (fake runner: at once)"};
    }
    mg::Json r;
    switch (t.type) {
      case mg::TaskType::kDiscover: {
        mg::Json vs = mg::Json::array();
        for (int v = versions_; v >= 1; --v) {
          std::string ver = std::to_string(v) + ".0.0";
          vs.push_back({{"version", ver}, {"tag", "v" + ver}, {"commit", std::string(40, 'a' + v % 6)}});
        }
        r = {{"versions", std::move(vs)}, {"latest", std::to_string(versions_) + ".0.0"}};
        break;
      }
      case mg::TaskType::kProbe:
        // "missing": every build, merge and attestation is then checked against the cache, the
        // most work a no-op can do (a "complete" image would make them unneeded without a lookup).
        r = {{"state", "missing"}};
        break;
      default:
        r = {{"digest", "sha256:" + std::string(64, '0' + static_cast<int>(t.type))}};
        break;
    }
    return {mg::Status::OK(), std::move(r)};
  }

  std::atomic<size_t> rechecked{0};  // cache hits confirmed

 private:
  int versions_;
};

// Instantiates an app's versions from its discover result (tasks/growth.cc does the same with
// resolved apps), timing the expansion.
class BenchGrowth : public mg::GraphGrowth {
 public:
  BenchGrowth(const std::vector<mg::AppModel>& apps, mg::TargetRegistry reg) : reg_(std::move(reg)) {
    for (const auto& a : apps) by_name_.emplace(a.app, &a);
  }
  void OnResult(mg::TaskGraph& graph, mg::TaskGraph::Index index, const mg::Json& result) override {
    auto t0 = Clock::now();
    auto it = by_name_.find(graph.task(index).coords.app);
    if (it != by_name_.end()) {
      mg::ExpandVersions(graph, *it->second, reg_, mg::VersionsFromDiscoverResult(result));
    }
    expand_ms += MsSince(t0);
  }
  double expand_ms = 0;

 private:
  std::unordered_map<std::string, const mg::AppModel*> by_name_;
  mg::TargetRegistry reg_;
};

long PeakRssKb() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  mg::ReexecWithHugePageHeap(argv, /*large=*/true);  // as `mirrorgraph run` does for a large state (engine/cli/main.cc)
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::cerr << "usage: engine_overhead populate|noop --state DIR [--tasks N] [--versions V] [--online] "
                 "[--jobs J]\n";
    return 2;
  }
  auto t_start = Clock::now();
  mg::Diagnostics diags;
  auto tmpl = mg::ParseTemplate(kTemplate, "multi-version.toml", &diags);
  if (!tmpl) {
    std::cerr << "engine_overhead: the embedded template does not load\n";
    return 1;
  }
  size_t napps = (args.tasks + TasksPerApp(args.versions) - 1) / TasksPerApp(args.versions);
  std::vector<mg::AppModel> apps = MakeApps(*tmpl, napps);
  mg::TargetRegistry reg{"127.0.0.1:5000", "mirror"};

  // Expand, part 1: the initial graph (each app's discover task); part 2 happens in BenchGrowth.
  auto t0 = Clock::now();
  mg::TaskGraph graph;
  for (const auto& a : apps) mg::ExpandApp(graph, a, reg);
  double initial_ms = MsSince(t0);

  // Open the state as `mirrorgraph run` does: lock, cache, journal.
  t0 = Clock::now();
  if (mg::Status s = mg::MakeDirs(args.state + "/logs"); !s.ok()) {
    std::cerr << "engine_overhead: " << s.message() << "\n";
    return 1;
  }
  auto lock = mg::FileLock::Acquire(args.state + "/lock", "engine_overhead");
  if (!lock.ok()) {
    std::cerr << "engine_overhead: " << lock.status().message() << "\n";
    return 1;
  }
  auto cache = mg::ActionCache::Open(args.state);
  if (!cache.ok()) {
    std::cerr << "engine_overhead: " << cache.status().message() << "\n";
    return 1;
  }
  double cache_ms = MsSince(t0);
  size_t cache_records = cache.value()->size();
  std::string run_id = mg::RunJournal::NewRunId(mg::SystemClock::Default()->NowMillis());
  auto journal = mg::RunJournal::Create(args.state, run_id);
  if (!journal.ok()) {
    std::cerr << "engine_overhead: " << journal.status().message() << "\n";
    return 1;
  }

  FakeRunner runner(args.versions);
  BenchGrowth growth(apps, reg);
  mg::ExecOptions eo;
  eo.jobs = args.jobs;
  eo.offline = args.mode == "noop" && !args.online;
  t0 = Clock::now();
  mg::RunSummary summary;
  mg::RunStates states;
  {
    mg::Executor exec(graph, *cache.value(), &journal.value(), runner, &growth, nullptr, eo);
    summary = exec.Run();
    states = exec.TakeStates();
  }
  // As `mirrorgraph run` does (cli/commands.cc, RunCommand): the graph and the run state are freed
  // by the process's exit, not string by string; the exit is in the measured wall time.
  mg::KeepUntilExitAtScopeEnd keep(graph, states);
  double run_ms = MsSince(t0);
  double total_ms = MsSince(t_start);

  auto count = [&](mg::TaskStatus s) {
    auto it = summary.counts.find(s);
    return it == summary.counts.end() ? size_t{0} : it->second;
  };
  mg::Json out = {
      {"mode", args.mode + (args.mode == "noop" ? (args.online ? "-online" : "-offline") : "")},
      {"apps", napps},
      {"tasks", graph.size()},
      {"cache_records_loaded", cache_records},
      {"ms",
       {{"expand", initial_ms + growth.expand_ms},
        {"cache_load", cache_ms},
        {"execute", run_ms - growth.expand_ms},
        {"total", total_ms}}},
      {"counts",
       {{"ran", count(mg::TaskStatus::kRan)},
        {"cached", count(mg::TaskStatus::kCached)},
        {"unneeded", count(mg::TaskStatus::kUnneeded)},
        {"failed", count(mg::TaskStatus::kFailed) + count(mg::TaskStatus::kBlocked)}}},
      {"rechecked", runner.rechecked.load()},
      {"peak_rss_kb", PeakRssKb()},
  };
  std::cout << out.dump() << std::endl;
  if (summary.ExitCode() != 0) return 1;
  if (args.mode == "noop") {
    // A no-op runs nothing but, with --online, the observations (1 discover + V probes per app);
    // everything else is cached. Online, the executor re-checks each cached build, merge and
    // attestation through the runner (6 per version: the probes answer "missing"), offline none.
    const size_t observations = napps * (1 + static_cast<size_t>(args.versions));
    const size_t expected_ran = args.online ? observations : 0;
    const size_t expected_rechecked = args.online ? graph.size() - observations : 0;
    if (count(mg::TaskStatus::kRan) != expected_ran || count(mg::TaskStatus::kCached) != graph.size() - expected_ran ||
        graph.size() != napps * TasksPerApp(args.versions)) {
      std::cerr << "engine_overhead: not a no-op: " << count(mg::TaskStatus::kRan) << " task(s) ran, expected "
                << expected_ran << "; " << count(mg::TaskStatus::kCached) << " cached, expected "
                << graph.size() - expected_ran << "\n";
      return 1;
    }
    if (runner.rechecked.load() != expected_rechecked) {
      std::cerr << "engine_overhead: " << runner.rechecked.load() << " cache hit(s) re-checked through the runner, "
                << "expected " << expected_rechecked << ": the executor's re-check rules changed, so this "
                << "benchmark measures something else now (docs/benchmarks.md, section 1)\n";
      return 1;
    }
  }
  return 0;
}
