// merge_bench: mirrorgraph's merge task (tasks/merge_task.h) on many versions, against a real
// registry, as `mirrorgraph run` would run it: one shared CurlTransport/HttpClient/RegistryClient,
// RunMergeTask per version with the version's build results as inputs, on 1 thread or on a pool
// of N (the executor's "registry" pool holds 8).
//
//   merge_bench push  --registry HOST:PORT --repo REPO --plan PLAN.json
//       setup: pushes every image of the plan (bench/make_platform_images.py) by digest with the
//       engine's PushOciLayout; checks each pushed digest against the plan.
//   merge_bench merge --registry HOST:PORT --repo REPO --plan PLAN.json [--suffix S] [--jobs N]
//       the measured run: one merge task per plan version, its "version" parameter (the tag it
//       pushes) being <version><S>, so runs with different suffixes each write their own indexes
//       and tags instead of finding them done.
//
// The registry is plain HTTP without credentials. Prints one line of JSON: total wall time of the
// merges in ms (after setup of the clients, so without process start), per version, the median /
// min / max of single merges, the process's CPU time during the merges, how many tags were set
// (vs found already right), and the HTTP exchanges of the merges by method (count, median
// latency). Exit code 0 only when every merge succeeded.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_timing.h"
#include "http/curl_transport.h"
#include "http/http_transport.h"
#include "http/http_client.h"
#include "oci/layout_push.h"
#include "oci/registry_client.h"
#include "tasks/merge_task.h"

namespace {

using bench::Clock;
using bench::CpuMs;
using bench::Median;
using bench::MsSince;
using bench::Round2;
using bench::TimingTransport;

struct Args {
  std::string mode, registry, repo, plan, suffix;
  int jobs = 1;
};

bool ParseArgs(int argc, char** argv, Args* a) {
  if (argc < 2) return false;
  a->mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    if (k == "--registry") a->registry = v;
    else if (k == "--repo") a->repo = v;
    else if (k == "--plan") a->plan = v;
    else if (k == "--suffix") a->suffix = v;
    else if (k == "--jobs") a->jobs = std::atoi(v.c_str());
    else return false;
  }
  return (a->mode == "push" || a->mode == "merge") && !a->registry.empty() && !a->repo.empty() &&
         !a->plan.empty() && a->jobs > 0;
}

int Push(mg::RegistryClient& registry, const Args& a, const mg::Json& plan) {
  for (const mg::Json& v : plan) {
    for (const auto& [platform, image] : v.at("images").items()) {
      auto pushed = mg::PushOciLayout(registry, a.repo, image.at("layout").get<std::string>(), mg::BlobUploadOptions{});
      if (!pushed.ok()) {
        std::cerr << "merge_bench: " << pushed.status().message() << "\n";
        return 1;
      }
      if (pushed->digest != image.at("digest").get<std::string>()) {
        std::cerr << "merge_bench: pushed " << pushed->digest << " for " << platform << ", the plan says "
                  << image.at("digest") << "\n";
        return 1;
      }
    }
  }
  std::cout << mg::Json{{"pushed", plan.size() * 2}}.dump() << "\n";
  return 0;
}

struct MergeJob {
  mg::Task task;
  mg::Json inputs;
};

int Merge(mg::RegistryClient& registry, TimingTransport& timing, const Args& a, const mg::Json& plan) {
  std::vector<MergeJob> jobs;
  for (const mg::Json& v : plan) {
    const std::string version = v.at("version").get<std::string>() + a.suffix;
    MergeJob j;
    j.task.type = mg::TaskType::kMerge;
    j.task.coords = {"app", "app", version, ""};
    j.task.id = mg::FormatTaskId(j.task.type, j.task.coords);
    j.task.node = "merge";
    j.task.pool = "registry";
    mg::Json platforms = mg::Json::array();
    j.inputs = mg::Json::object();
    for (const auto& [platform, image] : v.at("images").items()) {
      platforms.push_back(platform);
      j.inputs[mg::FormatTaskId(mg::TaskType::kBuild, {"app", "app", version, platform})] = {
          {"platform", platform}, {"digest", image.at("digest")}};
    }
    j.task.SetParams({{"image", "app"},
                      {"platforms", platforms},
                      {"registry", a.registry},
                      {"repository", a.repo},
                      {"tag", v.at("tag")},
                      {"version", version}});
    jobs.push_back(std::move(j));
  }

  std::atomic<bool> cancel{false};
  std::atomic<size_t> next{0};
  std::atomic<int> tags_set{0}, tags_kept{0};
  std::mutex mu;
  std::vector<double> task_ms;
  std::string first_error;
  auto worker = [&] {
    for (size_t i = next++; i < jobs.size(); i = next++) {
      mg::TaskContext ctx{jobs[i].task, jobs[i].inputs, nullptr, cancel, [&](std::string_view line) {
                            if (line.rfind("tagged ", 0) == 0) ++tags_set;
                            else if (line.find(" already points at ") != std::string_view::npos) ++tags_kept;
                          }};
      const auto t0 = Clock::now();
      mg::TaskOutcome out = mg::RunMergeTask(ctx, registry);
      const double ms = MsSince(t0);
      std::lock_guard<std::mutex> lock(mu);
      task_ms.push_back(ms);
      if (!out.status.ok() && first_error.empty()) first_error = jobs[i].task.id + ": " + out.status.message();
    }
  };
  timing.Record(true);
  const double cpu0 = CpuMs();
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < a.jobs; ++t) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  const double total = MsSince(t0);
  const double cpu = CpuMs() - cpu0;
  timing.Record(false);
  if (!first_error.empty()) {
    std::cerr << "merge_bench: " << first_error << "\n";
    return 1;
  }
  std::sort(task_ms.begin(), task_ms.end());
  const size_t n = task_ms.size();
  auto r = Round2;
  std::cout << mg::Json{{"jobs", a.jobs},
                        {"versions", n},
                        {"total_ms", r(total)},
                        {"per_version_ms", r(total / n)},
                        {"cpu_ms", r(cpu)},
                        {"task_median_ms", r(Median(task_ms))},
                        {"task_min_ms", r(task_ms.front())},
                        {"task_max_ms", r(task_ms.back())},
                        {"tags_set", tags_set.load()},
                        {"tags_already_right", tags_kept.load()},
                        {"http", timing.Summary()}}
                   .dump()
            << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!ParseArgs(argc, argv, &a)) {
    std::cerr << "usage: merge_bench push|merge --registry HOST:PORT --repo REPO --plan PLAN.json [--suffix S] "
                 "[--jobs N]\n";
    return 2;
  }
  std::ifstream in(a.plan);
  mg::Json plan = mg::Json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!plan.is_array() || plan.empty()) {
    std::cerr << "merge_bench: " << a.plan << " is not a non-empty JSON array (bench/make_platform_images.py)\n";
    return 2;
  }
  mg::CurlTransport curl;
  TimingTransport transport(curl);
  mg::HttpClient http(transport);
  mg::RegistryClient registry(http, a.registry, /*plain_http=*/true, std::nullopt);
  return a.mode == "push" ? Push(registry, a, plan) : Merge(registry, transport, a, plan);
}
