// Concurrent pushes of one layer against the real docker-registry (issue 9, finding 4): several
// platform legs push OCI layouts that share a fresh layer, at the same time, into one repository
// and into two, each ending with its manifest PUT. docker-registry rewrites a repository's link
// file on every committed upload of a blob (truncating it first), and a manifest PUT that reads it
// in that moment is refused with 400 DIGEST_INVALID / MANIFEST_BLOB_UNKNOWN. Through one
// RegistryClient (as in `mirrorgraph run`) the uploads are deduplicated and the PUT retried: no
// push may fail.
//
// MG_UPLOAD_RACE_BASELINE=1 also measures the unprotected path (one client per leg, one manifest
// PUT attempt: what the code did before) and prints both failure counts; it asserts nothing about
// the baseline, which is a matter of timing (docs/testing.md has the figures).
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <thread>

#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/layout_push.h"
#include "oci/media_types.h"
#include "oci/push.h"
#include "oci/registry_client.h"
#include "cli_fixture.h"
#include "util/json.h"
#include "util/sha256.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;

namespace {

constexpr int kRounds = 60;        // per configuration
constexpr int kLegsPerRound = 4;   // legs pushing the same layer at once

void Write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

Json Desc(const std::string& media_type, const std::string& bytes) {
  return {{"mediaType", media_type}, {"digest", mg::Sha256Digest(bytes)}, {"size", bytes.size()}};
}

// An OCI layout in `dir` with one image: a config unique to `leg` and the shared `layer`.
void WriteLayout(const fs::path& dir, const std::string& layer, int leg) {
  const std::string config = Json{{"architecture", "amd64"}, {"os", "linux"}, {"leg", leg},
                                  {"rootfs", {{"type", "layers"}, {"diff_ids", Json::array()}}}}.dump();
  Json manifest = {{"schemaVersion", 2},
                   {"mediaType", mg::kMediaTypeOciManifest},
                   {"config", Desc(mg::kMediaTypeOciConfig, config)},
                   {"layers", Json::array({Desc("application/vnd.oci.image.layer.v1.tar+gzip", layer)})}};
  const std::string m = manifest.dump();
  for (const std::string* blob : {&config, &layer, &m}) Write(dir / "blobs" / "sha256" / mg::Sha256Hex(*blob), *blob);
  Write(dir / "index.json", Json{{"schemaVersion", 2}, {"manifests", Json::array({Desc(mg::kMediaTypeOciManifest, m)})}}.dump());
  Write(dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
}

struct Client {
  explicit Client(const std::string& host) : registry(http, host, /*plain_http=*/true, std::nullopt) {}
  mg::CurlTransport transport;
  mg::HttpClient http{transport};
  mg::RegistryClient registry;
};

struct Tally {
  int legs = 0;
  int failed = 0;
  std::string first_failure;
};

// kRounds rounds of kLegsPerRound legs pushing a fresh shared layer at once, into `repos` (leg i
// into repos[i % size]). `protected_path`: one shared client and the default PutManifest retries;
// otherwise one client per leg and a single manifest PUT attempt.
Tally Stress(const mg::testing::TestRegistry& reg, const std::vector<std::string>& repos, bool protected_path,
             uint32_t seed) {
  mg::testing::TempDir scratch("mg-race");
  std::mt19937 gen(seed);
  Tally tally;
  Client shared(reg.host());
  for (int round = 0; round < kRounds; ++round) {
    std::string layer(2048, '\0');
    for (char& c : layer) c = static_cast<char>(gen() & 0xff);
    std::vector<std::unique_ptr<Client>> own;
    for (int leg = 0; leg < kLegsPerRound; ++leg) {
      WriteLayout(scratch.path() / std::to_string(round) / std::to_string(leg), layer, round * kLegsPerRound + leg);
      if (!protected_path) own.push_back(std::make_unique<Client>(reg.host()));
    }
    std::vector<mg::Status> results(kLegsPerRound);
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int leg = 0; leg < kLegsPerRound; ++leg) {
      threads.emplace_back([&, leg] {
        mg::RegistryClient& client = protected_path ? shared.registry : own[leg]->registry;
        const std::string repo = repos[leg % repos.size()];
        const fs::path dir = scratch.path() / std::to_string(round) / std::to_string(leg);
        ++ready;
        while (ready.load() < kLegsPerRound) std::this_thread::yield();  // start together
        if (protected_path) {
          auto pushed = mg::PushOciLayout(client, repo, dir.string(), {});
          results[leg] = pushed.status();
          return;
        }
        // The old path: upload the blobs (no dedup across clients), one manifest PUT.
        Json manifest = Json::parse(mg::testing::ReadFile(dir / "index.json"))["manifests"][0];
        const std::string digest = manifest["digest"];
        const std::string bytes = mg::testing::ReadFile(dir / "blobs" / "sha256" / digest.substr(7));
        Json doc = Json::parse(bytes);
        for (const Json& d : {doc["config"], doc["layers"][0]}) {
          const std::string blob = d["digest"];
          mg::Status s = mg::PushBlob(client, repo, blob, mg::testing::ReadFile(dir / "blobs" / "sha256" / blob.substr(7)));
          if (!s.ok()) {
            results[leg] = s;
            return;
          }
        }
        mg::ManifestPutOptions once;
        once.max_attempts = 1;
        results[leg] = mg::PutManifest(client, repo, digest, bytes, mg::kMediaTypeOciManifest, once).status();
      });
    }
    for (std::thread& t : threads) t.join();
    for (const mg::Status& s : results) {
      ++tally.legs;
      if (s.ok()) continue;
      ++tally.failed;
      if (tally.first_failure.empty()) tally.first_failure = s.ToString();
    }
  }
  return tally;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(upload_race_test)

BOOST_AUTO_TEST_CASE(concurrent_pushes_of_one_layer_never_fail) {
  auto reg = mg::testing::TestRegistry::Start();
  BOOST_REQUIRE_MESSAGE(reg.ok(), reg.status().ToString());
  const bool baseline = std::getenv("MG_UPLOAD_RACE_BASELINE") != nullptr;
  const std::vector<std::pair<std::string, std::vector<std::string>>> configurations = {
      {"one repository", {"race/one"}}, {"two repositories", {"race/two-a", "race/two-b"}}};
  for (const auto& [name, repos] : configurations) {
    if (baseline) {
      Tally before = Stress(**reg, repos, /*protected_path=*/false, 17);
      BOOST_TEST_MESSAGE("baseline (one client per leg, one manifest PUT), " << name << ": " << before.failed << " of "
                         << before.legs << " pushes failed" << (before.failed ? "; first: " + before.first_failure : ""));
    }
    Tally after = Stress(**reg, repos, /*protected_path=*/true, 23);
    BOOST_TEST_MESSAGE("PushOciLayout through one client, " << name << ": " << after.failed << " of " << after.legs
                       << " pushes failed");
    BOOST_TEST(after.legs == kRounds * kLegsPerRound);
    BOOST_TEST(after.failed == 0, name << ": " << after.first_failure);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
