// attest_bench: mirrorgraph's attestation tasks (tasks/attest_tasks.h: sign, sbom, provenance) on
// many versions against a real registry, as `mirrorgraph run` runs them: one shared
// CurlTransport/HttpClient/RegistryClient, the three tasks of every version in one queue served by
// 1 or N threads (the executor's "registry" pool holds 8), each task with the version's merge
// result as its input, one signing key decrypted once for the process.
//
//   attest_bench setup  --registry HOST:PORT --repo REPO --plan PLAN.json --out DIR [--predicates]
//       untimed: pushes every image of the plan (bench/make_attest_images.py) by digest, merges
//       each version into its index (RunMergeTask, tagged with the version) and writes
//       DIR/merges.json ([{"version", "tag", "merge": <merge result>}]). With --predicates also
//       DIR/<version>.spdx.json (the index's SPDX document, as the sbom task builds it) and
//       DIR/<version>.slsa.json (a provenance predicate) for the cosign baseline to attest, and
//       DIR/<version>-<platform manifest hex>.spdx.json (each platform's document).
//   attest_bench attest --registry HOST:PORT --repo REPO --merges DIR/merges.json --key KEY [--jobs N]
//       the measured run: sign + sbom + provenance for every version. The passphrase comes from
//       COSIGN_PASSWORD.
//   attest_bench attest ... --fulcio-url URL --rekor-url URL --identity-token SPEC [--jobs N]
//       the same, keyless ([attestations] signer = "keyless": one SharedKeyless for the process, as
//       a `mirrorgraph run` session holds; SPEC as identity_token, e.g. file:PATH): an ephemeral
//       key, a Fulcio certificate, a Rekor entry for every signature and attestation.
//
// The registry is plain HTTP without credentials. `attest` prints one line of JSON: total wall
// time of the tasks in ms (from before the first task, so the key's decryption is included; not
// process start), per version, CPU time, the median time of each task type, signatures and
// attestations added, and the HTTP exchanges by method (count, median latency; Fulcio's and Rekor's
// as "sigstore POST" etc.; keyless: the certificates requested). Exit code 0 only when every task
// succeeded.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_timing.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "http/http_transport.h"
#include "oci/layout_push.h"
#include "oci/registry_client.h"
#include "sbom/registry_layers.h"
#include "sbom/spdx.h"
#include "sign/keyless_signer.h"
#include "sign/slsa_provenance.h"
#include "tasks/attest_tasks.h"
#include "tasks/merge_task.h"

namespace {

using bench::Clock;
using bench::CpuMs;
using bench::Median;
using bench::MsSince;
using bench::Round2;
using bench::TimingTransport;

struct Args {
  std::string mode, registry, repo, plan, out, merges, key;
  std::string fulcio_url, rekor_url, identity_token;  // keyless
  bool predicates = false;
  int jobs = 1;
};

bool ParseArgs(int argc, char** argv, Args* a) {
  if (argc < 2) return false;
  a->mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--predicates") {
      a->predicates = true;
      continue;
    }
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    if (k == "--registry") a->registry = v;
    else if (k == "--repo") a->repo = v;
    else if (k == "--plan") a->plan = v;
    else if (k == "--out") a->out = v;
    else if (k == "--merges") a->merges = v;
    else if (k == "--key") a->key = v;
    else if (k == "--fulcio-url") a->fulcio_url = v;
    else if (k == "--rekor-url") a->rekor_url = v;
    else if (k == "--identity-token") a->identity_token = v;
    else if (k == "--jobs") a->jobs = std::atoi(v.c_str());
    else return false;
  }
  if (a->registry.empty() || a->repo.empty() || a->jobs <= 0) return false;
  if (a->mode == "setup") return !a->plan.empty() && !a->out.empty();
  const bool keyless = !a->fulcio_url.empty() || !a->rekor_url.empty() || !a->identity_token.empty();
  if (keyless && (a->fulcio_url.empty() || a->rekor_url.empty() || a->identity_token.empty())) return false;
  if (a->mode == "attest") return !a->merges.empty() && (a->key.empty() != !keyless);
  return false;
}

mg::Json ReadJson(const std::string& path) {
  std::ifstream in(path);
  return mg::Json::parse(in, nullptr, /*allow_exceptions=*/false);
}

bool WriteJson(const std::string& path, const mg::Json& j) {
  std::ofstream out(path, std::ios::trunc);
  out << j.dump();
  return static_cast<bool>(out);
}

int Fail(const std::string& message) {
  std::cerr << "attest_bench: " << message << "\n";
  return 1;
}

// The predicates cosign attests in the baseline: the index's SPDX document and a provenance.
mg::Status WritePredicates(mg::RegistryClient& registry, const Args& a, const mg::Json& merge) {
  const std::string version = merge.value("version", "");
  mg::SpdxInput in;
  in.repository = registry.registry() + "/" + a.repo;
  in.tag = version;
  in.index_digest = merge.value("digest", "");
  in.created = "2024-05-06T07:08:09Z";
  for (const mg::Json& m : merge["manifests"]) {
    auto scan = mg::ScanImage(registry, a.repo, m.value("digest", ""));
    if (!scan.ok()) return scan.status();
    in.images.push_back({m.value("digest", ""), m.value("platform", ""), std::move(*scan)});
  }
  auto spdx = mg::BuildSpdx(in);
  if (!spdx.ok()) return spdx.status();
  // Each platform's own document, for the like-for-like baseline (cosign attests every manifest).
  for (const mg::SpdxImage& image : in.images) {
    mg::SpdxInput one;
    one.repository = in.repository;
    one.tag = version;
    one.created = in.created;
    one.images.push_back(image);
    auto doc = mg::BuildSpdx(one);
    if (!doc.ok()) return doc.status();
    if (!WriteJson(a.out + "/" + version + "-" + image.digest.substr(7) + ".spdx.json", *doc)) {
      return mg::Status::IOError("cannot write the predicates of " + version + " in " + a.out);
    }
  }
  mg::SlsaProvenanceInput p;
  p.external_parameters = {{"app", "app"}, {"version", version}, {"platforms", {"linux/amd64", "linux/arm64"}}};
  p.internal_parameters = {{"builder", {{"name", "buildah"}}}};
  p.invocation_id = "bench";
  auto slsa = mg::BuildSlsaProvenance(p);
  if (!slsa.ok()) return slsa.status();
  if (!WriteJson(a.out + "/" + version + ".spdx.json", *spdx) || !WriteJson(a.out + "/" + version + ".slsa.json", *slsa)) {
    return mg::Status::IOError("cannot write the predicates of " + version + " in " + a.out);
  }
  return mg::Status::OK();
}

int Setup(mg::RegistryClient& registry, const Args& a) {
  const mg::Json plan = ReadJson(a.plan);
  if (!plan.is_array() || plan.empty()) return Fail(a.plan + " is not a non-empty JSON array (bench/make_attest_images.py)");
  std::atomic<bool> cancel{false};
  mg::Json merges = mg::Json::array();
  for (const mg::Json& v : plan) {
    const std::string version = v.at("version").get<std::string>();
    mg::Json inputs = mg::Json::object(), platforms = mg::Json::array();
    for (const auto& [platform, image] : v.at("images").items()) {
      auto pushed = mg::PushOciLayout(registry, a.repo, image.at("layout").get<std::string>(), mg::BlobUploadOptions{});
      if (!pushed.ok()) return Fail(pushed.status().message());
      platforms.push_back(platform);
      inputs[mg::FormatTaskId(mg::TaskType::kBuild, {"app", "app", version, platform})] = {
          {"platform", platform}, {"digest", pushed->digest},
          {"source", {{"type", "git"}, {"url", "https://git.example.org/app.git"}, {"ref", v.at("tag")},
                      {"commit", "0123456789abcdef0123456789abcdef01234567"}}},
          {"builder", {{"name", "buildah"}, {"version", "1.28.2"}}}};
    }
    mg::Task task;
    task.type = mg::TaskType::kMerge;
    task.coords = {"app", "app", version, ""};
    task.id = mg::FormatTaskId(task.type, task.coords);
    task.SetParams({{"image", "app"}, {"platforms", platforms}, {"registry", a.registry}, {"repository", a.repo},
                    {"tag", v.at("tag")}, {"version", version}});
    mg::TaskContext ctx{task, inputs, nullptr, cancel, [](std::string_view) {}};
    mg::TaskOutcome out = mg::RunMergeTask(ctx, registry);
    if (!out.status.ok()) return Fail(task.id + ": " + out.status.message());
    if (a.predicates) {
      mg::Status s = WritePredicates(registry, a, out.result);
      if (!s.ok()) return Fail(s.message());
    }
    merges.push_back({{"version", version}, {"tag", v.at("tag")}, {"merge", out.result}});
  }
  if (!WriteJson(a.out + "/merges.json", merges)) return Fail("cannot write " + a.out + "/merges.json");
  std::cout << mg::Json{{"versions", merges.size()}, {"repository", a.repo}}.dump() << "\n";
  return 0;
}

struct Job {
  mg::Task task;
  mg::Json inputs;
};

int Attest(mg::HttpClient& http, mg::RegistryClient& registry, TimingTransport& timing, const Args& a) {
  const mg::Json merges = ReadJson(a.merges);
  if (!merges.is_array() || merges.empty()) return Fail(a.merges + " is not a non-empty JSON array (attest_bench setup)");
  mg::AttestSettings settings;
  settings.key = a.key;
  if (!a.fulcio_url.empty()) {
    settings.keyless = std::make_shared<mg::SharedKeyless>(http, a.fulcio_url, a.rekor_url, a.identity_token);
  }
  settings.run_id = "bench";
  std::vector<Job> jobs;
  for (const mg::Json& m : merges) {
    const std::string version = m.at("version").get<std::string>();
    for (mg::TaskType type : {mg::TaskType::kSign, mg::TaskType::kSbom, mg::TaskType::kProvenance}) {
      Job j;
      j.task.type = type;
      j.task.coords = {"app", "app", version, ""};
      j.task.id = mg::FormatTaskId(type, j.task.coords);
      j.task.pool = "registry";
      j.task.SetParams({{"image", "app"}, {"registry", a.registry}, {"repository", a.repo}, {"tag", m.at("tag")},
                        {"version", version}});
      j.task.SetIdentity({{"engine", MIRRORGRAPH_VERSION}, {"plugin", {{"name", "generic"}, {"version", "1.1.0"}}}});
      j.inputs = {{mg::FormatTaskId(mg::TaskType::kMerge, j.task.coords), m.at("merge")}};
      jobs.push_back(std::move(j));
    }
  }

  std::atomic<bool> cancel{false};
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::map<std::string, std::vector<double>> task_ms;
  std::map<std::string, int64_t> added;
  std::string first_error;
  auto worker = [&] {
    for (size_t i = next++; i < jobs.size(); i = next++) {
      const Job& j = jobs[i];
      mg::TaskContext ctx{j.task, j.inputs, nullptr, cancel, [](std::string_view) {}};
      const auto t0 = Clock::now();
      mg::TaskOutcome out = j.task.type == mg::TaskType::kSign   ? mg::RunSignTask(ctx, registry, settings)
                            : j.task.type == mg::TaskType::kSbom ? mg::RunSbomTask(ctx, registry, settings)
                                                                 : mg::RunProvenanceTask(ctx, registry, settings);
      const double ms = MsSince(t0);
      std::lock_guard<std::mutex> lock(mu);
      const std::string type = mg::TaskTypeName(j.task.type);
      task_ms[type].push_back(ms);
      if (out.status.ok()) added[type] += out.result.value("added", int64_t{0});
      if (!out.status.ok() && first_error.empty()) first_error = j.task.id + ": " + out.status.message();
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
  if (!first_error.empty()) return Fail(first_error);
  mg::Json medians = mg::Json::object();
  for (const auto& [type, v] : task_ms) medians[type] = Round2(Median(v));
  int certificates = 0;
  if (settings.keyless) {
    auto signer = settings.keyless->Get();  // made by the first task; no request here
    if (!signer.ok()) return Fail(signer.status().message());
    certificates = (*signer)->certificates_requested();
  }
  std::cout << mg::Json{{"jobs", a.jobs},
                        {"signer", settings.keyless ? "keyless" : "key"},
                        {"certificates_requested", certificates},
                        {"versions", merges.size()},
                        {"total_ms", Round2(total)},
                        {"per_version_ms", Round2(total / merges.size())},
                        {"cpu_ms", Round2(cpu)},
                        {"task_median_ms", medians},
                        {"added", added},
                        {"http", timing.Summary()}}
                   .dump()
            << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!ParseArgs(argc, argv, &a)) {
    std::cerr << "usage: attest_bench setup --registry HOST:PORT --repo REPO --plan PLAN.json --out DIR [--predicates]\n"
                 "       attest_bench attest --registry HOST:PORT --repo REPO --merges MERGES.json --key KEY [--jobs N]\n"
                 "       attest_bench attest --registry HOST:PORT --repo REPO --merges MERGES.json --fulcio-url URL\n"
                 "                           --rekor-url URL --identity-token file:PATH|env:NAME [--jobs N]\n";
    return 2;
  }
  mg::CurlTransport curl;
  TimingTransport transport(curl);
  transport.Label(a.fulcio_url, "sigstore");
  if (a.rekor_url != a.fulcio_url) transport.Label(a.rekor_url, "sigstore");
  mg::HttpClient http(transport);
  mg::RegistryClient registry(http, a.registry, /*plain_http=*/true, std::nullopt);
  return a.mode == "setup" ? Setup(registry, a) : Attest(http, registry, transport, a);
}
