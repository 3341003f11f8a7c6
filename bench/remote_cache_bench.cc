// The remote cache tier's cost per task (docs/benchmarks.md, "Remote cache"): the real Executor,
// ActionCache and OciRemoteCache against a real registry, with a runner that answers at once, so
// what is measured is the tier's own work (lookups, writes, copies into the first tier).
//
// usage: remote_cache_bench --registry HOST:PORT --repository REPO --tasks N [--jobs J]
//                           [--state DIR] [--check]
//
// Phases, each with a fresh state directory unless said otherwise:
//   local       no remote tier: N tasks run                                     (the baseline)
//   remote-miss the remote (REPO, empty): N lookups miss, N tasks run, N writes (joined in Run())
//   remote-hit  the same remote: N hits, re-checked (by the fake: at once), copied locally
//   local-hit   remote-hit's state directory again, with the remote: N local hits, no request
// Prints one JSON object per phase: {"phase","tasks","ms","requests":{METHOD:{count,median_ms}},
// "ran","cached","remote":{lookups,hits,reused,misses,writes,...}}.
// --check: exits 1 (saying why) unless each phase did what it claims: all ran / all missed and
// written / all remote hits, none run / all local hits with no request. Never checks a duration.
#include <filesystem>
#include <iostream>
#include <string>

#include "bench_timing.h"
#include "exec/executor.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/registry_client.h"
#include "remote/oci_remote_cache.h"
#include "report/run_report.h"
#include "util/sha256.h"

namespace {

using bench::Clock;
using bench::MsSince;

// Builds at once; re-checks hold.
class InstantRunner : public mg::TaskRunner {
 public:
  mg::TaskOutcome Run(const mg::TaskContext& ctx) override {
    if (ctx.cached_result != nullptr) return {mg::Status::OK(), {}, true, "re-checked"};
    calls++;
    return {mg::Status::OK(), mg::Json{{"digest", "sha256:" + mg::Sha256Hex(ctx.task.id)}}};
  }
  std::atomic<int> calls{0};
};

mg::TaskGraph Graph(int tasks) {
  mg::TaskGraph g;
  for (int i = 0; i < tasks; ++i) {
    mg::Task t;
    t.type = mg::TaskType::kBuild;
    t.coords = {"bench", "bench", "1.0." + std::to_string(i), "linux/amd64"};
    t.id = mg::FormatTaskId(t.type, t.coords);
    t.pool = "build:linux/amd64";
    t.SetParams(mg::Json{{"version", t.coords.version}, {"n", i}});
    t.SetIdentity(mg::Json{{"engine", "bench"}});
    g.Add(std::move(t));
  }
  return g;
}

struct Phase {
  mg::Json json;
  mg::RunSummary summary;
  int calls = 0;
};

Phase RunPhase(const std::string& name, const std::string& state, int tasks, int jobs, const std::string& registry,
               const std::string& repository, bool with_remote) {
  std::filesystem::create_directories(state);
  auto cache = mg::ActionCache::Open(state);
  if (!cache.ok()) {
    std::cerr << "remote_cache_bench: " << cache.status().ToString() << "\n";
    std::exit(2);
  }
  mg::CurlTransport curl;
  bench::TimingTransport timing(curl);
  mg::HttpClient http(timing);
  mg::RegistryClient client(http, registry, /*plain_http=*/true, std::nullopt);
  mg::OciRemoteCache remote(client, repository);
  InstantRunner runner;
  mg::TaskGraph g = Graph(tasks);
  mg::ExecOptions opt;
  opt.jobs = jobs;
  opt.pools = {{"build", jobs}};
  opt.remote = with_remote ? &remote : nullptr;
  timing.Record(true);
  const auto t0 = Clock::now();
  mg::Executor exec(g, **cache, nullptr, runner, nullptr, nullptr, opt);
  Phase p;
  p.summary = exec.Run();
  const double ms = MsSince(t0);
  p.calls = runner.calls.load();
  p.json = {{"phase", name},
            {"tasks", tasks},
            {"jobs", jobs},
            {"ms", bench::Round2(ms)},
            {"requests", timing.Summary()},
            {"ran", p.summary.counts[mg::TaskStatus::kRan]},
            {"cached", p.summary.counts[mg::TaskStatus::kCached]},
            {"runner_calls", p.calls}};
  if (with_remote) p.json["remote"] = mg::RemoteCacheJson(p.summary.remote);
  std::cout << mg::CanonicalJson(p.json) << "\n";
  return p;
}

size_t Requests(const mg::Json& phase) {
  size_t n = 0;
  for (auto& [method, v] : phase["requests"].items()) n += v["count"].get<size_t>();
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  std::string registry, repository, state = std::filesystem::temp_directory_path() / "mg-remote-bench";
  int tasks = 100, jobs = 4;
  bool check = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "remote_cache_bench: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--registry") registry = next();
    else if (a == "--repository") repository = next();
    else if (a == "--tasks") tasks = std::stoi(next());
    else if (a == "--jobs") jobs = std::stoi(next());
    else if (a == "--state") state = next();
    else if (a == "--check") check = true;
    else {
      std::cerr << "remote_cache_bench: unknown argument " << a << " (see the comment at the top of bench/remote_cache_bench.cc)\n";
      return 2;
    }
  }
  if (registry.empty() || repository.empty()) {
    std::cerr << "remote_cache_bench: --registry HOST:PORT and --repository REPO are required\n";
    return 2;
  }
  std::filesystem::remove_all(state);
  Phase local = RunPhase("local", state + "/local", tasks, jobs, registry, repository, false);
  Phase miss = RunPhase("remote-miss", state + "/miss", tasks, jobs, registry, repository, true);
  Phase hit = RunPhase("remote-hit", state + "/hit", tasks, jobs, registry, repository, true);
  Phase again = RunPhase("local-hit", state + "/hit", tasks, jobs, registry, repository, true);
  std::filesystem::remove_all(state);
  if (!check) return 0;
  std::vector<std::string> wrong;
  const size_t n = static_cast<size_t>(tasks);
  if (local.calls != tasks || Requests(local.json) != 0) wrong.push_back("local: not every task ran, or it sent requests");
  const mg::RemoteCacheStats& m = miss.summary.remote;
  if (miss.calls != tasks || m.misses != n || m.writes != n || !m.write_failures.empty() || !m.errors.empty()) {
    wrong.push_back("remote-miss: expected " + std::to_string(n) + " misses, runs and writes: " + miss.json.dump());
  }
  const mg::RemoteCacheStats& h = hit.summary.remote;
  if (hit.calls != 0 || h.reused != n || h.misses != 0 || !h.rejected.empty()) {
    wrong.push_back("remote-hit: expected " + std::to_string(n) + " remote hits and nothing run: " + hit.json.dump());
  }
  if (again.calls != 0 || again.summary.remote.lookups != 0 || Requests(again.json) != 0 ||
      again.summary.counts[mg::TaskStatus::kCached] != n) {
    wrong.push_back("local-hit: expected all local hits and no request: " + again.json.dump());
  }
  for (const std::string& w : wrong) std::cerr << "remote_cache_bench: check failed: " << w << "\n";
  if (wrong.empty()) std::cerr << "remote_cache_bench: checks passed (" << tasks << " tasks per phase)\n";
  return wrong.empty() ? 0 : 1;
}
