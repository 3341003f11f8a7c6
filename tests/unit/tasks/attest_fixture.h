// Shared by the sbom and provenance task tests: an in-memory FakeRegistry holding a two-platform
// index (real gzip layers with an os-release, a dpkg status, a node_modules tree and an app
// package.json; configs with "created"), a cosign key pair, the task and its context.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "oci/media_types.h"
#include "sign/cosign_storage.h"
#include "sign/dsse.h"
#include "sign/intoto.h"
#include "sign/keys.h"
#include "tasks/attest_common.h"
#include "tasks/attest_tasks.h"
#include "tasks/merge_task.h"
#include "unit/oci/fake_registry.h"
#include "unit/sbom/tar_builder.h"
#include "unit/util/temp_dir.h"

namespace mg::testing {

inline constexpr char kAttestRepo[] = "mirror/hello";
inline const std::string kAttestCommit = "0123456789abcdef0123456789abcdef01234567";

inline std::string DpkgStatus(const std::string& arch) {
  return "Package: libfoo1\nStatus: install ok installed\nArchitecture: " + arch +
         "\nVersion: 1.2-3\n\n"
         "Package: bar-utils\nStatus: install ok installed\nArchitecture: " + arch +
         "\nVersion: 2:0.9+dfsg-1\n\n"
         "Package: gone\nStatus: deinstall ok config-files\nArchitecture: " + arch + "\nVersion: 1\n";
}

struct AttestFixture {
  FakeRegistry reg;
  HttpClient http{reg.transport, [] {
                    HttpClientOptions o;
                    o.sleep = [](std::chrono::milliseconds) {};
                    o.max_attempts = 1;
                    return o;
                  }()};
  RegistryClient client{http, FakeRegistry::kHost, false, std::nullopt};
  TempDir dir;
  AttestSettings settings;
  std::string amd64, arm64, index;
  std::string amd64_created = "2024-05-06T09:08:09.123456789+02:00";  // 07:08:09Z
  std::string arm64_created = "2024-05-06T07:10:00Z";
  Task task;
  std::atomic<bool> cancel{false};
  std::vector<std::string> log;

  AttestFixture(TaskType type, const std::string& type_name) {
    BOOST_REQUIRE(GenerateKeyPair(dir / "cosign.key", dir / "cosign.pub", "pw").ok());
    std::ofstream(dir / "pass") << "pw\n";
    BOOST_REQUIRE_EQUAL(::chmod((dir / "pass").c_str(), 0600), 0);
    settings.key = dir / "cosign.key";
    settings.passphrase_file = dir / "pass";
    settings.run_id = "20240506T070000Z-1";
    amd64 = PutImage("amd64", amd64_created, {});
    arm64 = PutImage("arm64", arm64_created, {});
    Json idx = {{"schemaVersion", 2},
                {"mediaType", kMediaTypeOciIndex},
                {"manifests",
                 {{{"mediaType", kMediaTypeOciManifest}, {"digest", amd64}, {"size", 1},
                   {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}},
                  {{"mediaType", kMediaTypeOciManifest}, {"digest", arm64}, {"size", 1},
                   {"platform", {{"os", "linux"}, {"architecture", "arm64"}}}}}},
                {"annotations",
                 {{"org.opencontainers.image.version", "1.0.0"},
                  {"org.opencontainers.image.source", "https://git.example.org/hello.git"},
                  {"org.opencontainers.image.revision", kAttestCommit},
                  {"dev.mirrorgraph.upstream.tag", "v1.0.0"}}}};
    index = reg.PutManifest(kAttestRepo, "1.0.0", kMediaTypeOciIndex, idx.dump());
    task.id = type_name + ":hello@1.0.0";
    task.type = type;
    task.coords = {"hello", "hello", "1.0.0", ""};
    task.SetParams({{"commit", kAttestCommit}, {"image", "hello"}, {"registry", FakeRegistry::kHost},
                    {"repository", kAttestRepo}, {"tag", "v1.0.0"}, {"version", "1.0.0"}});
    task.SetIdentity({{"engine", MIRRORGRAPH_VERSION}, {"plugin", {{"name", "generic"}, {"version", "1.1.0"}}}});
  }

  // An image for `arch`: a gzip base layer (os-release, dpkg status, node_modules) and a plain
  // upper layer (the app's package.json); `annotations` on the manifest.
  std::string PutImage(const std::string& arch, const std::string& created, const Json& annotations) {
    const std::string lower =
        TarBuilder()
            .File("etc/os-release", "ID=debian\nVERSION_ID=12\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n")
            .File("var/lib/dpkg/status", DpkgStatus(arch))
            .File("app/node_modules/left-pad/package.json", R"({"name":"left-pad","version":"1.3.0","license":"WTFPL"})")
            .File("app/node_modules/@scope/util/package.json", R"({"name":"@scope/util","version":"0.1.0"})")
            .Finish();
    const std::string upper =
        TarBuilder(TarBuilder::Compression::kNone).File("app/package.json", R"({"name":"hello","version":"1.0.0","license":"MIT"})").Finish();
    const std::string config = Json{{"architecture", arch}, {"os", "linux"}, {"created", created},
                                    {"rootfs", {{"type", "layers"}, {"diff_ids", Json::array()}}}}.dump();
    auto desc = [&](const std::string& media_type, const std::string& blob) {
      return Json{{"mediaType", media_type}, {"digest", reg.PutBlob(kAttestRepo, blob)}, {"size", blob.size()}};
    };
    Json m = {{"schemaVersion", 2},
              {"mediaType", kMediaTypeOciManifest},
              {"config", desc(kMediaTypeOciConfig, config)},
              {"layers", {desc("application/vnd.oci.image.layer.v1.tar+gzip", lower),
                          desc("application/vnd.oci.image.layer.v1.tar", upper)}}};
    if (annotations.is_object() && !annotations.empty()) m["annotations"] = annotations;
    return reg.PutManifest(kAttestRepo, "", kMediaTypeOciManifest, m.dump());
  }

  Json MergeResult() const {
    Json build = {{"builder", {{"name", "buildah"}, {"version", "1.28.2"}}},
                  {"recipe", {{"build_args", {{"VERSION", "1.0.0"}, {"NODE_URL", "https://nodejs.example/node-v20.tar.gz"}}},
                              {"context", "."},
                              {"depends_on_images", Json::array()},
                              {"dockerfile", "Dockerfile"},
                              {"edits", {{{"kind", "replace"}, {"pattern", "a"}, {"with", "b"}}}},
                              {"source", {{"ref", "v1.0.0"}, {"type", "git"}, {"url", "https://git.example.org/hello.git"}}}}},
                  {"edits_applied", {"Dockerfile: replace a -> b (line 3)"}}};
    return {{"digest", index},
            {"media_type", kMediaTypeOciIndex},
            {"version", "1.0.0"},
            {"source", {{"type", "git"}, {"url", "https://git.example.org/hello.git"}, {"ref", "v1.0.0"}, {"commit", kAttestCommit}}},
            {"manifests",
             {{{"platform", "linux/amd64"}, {"digest", amd64}, {"build", build}},
              {{"platform", "linux/arm64"}, {"digest", arm64}, {"build", build}}}}};
  }

  // The merge task's own result over the fixture's two images (RunMergeTask, what `mirrorgraph
  // run` hands the attestation tasks): each platform entry records the manifest's text and the
  // config's "created". It writes a new index (its annotations differ from the fixture's) and tags
  // 1.0.0 with it.
  Json RealMergeResult() {
    Task merge;
    merge.id = "merge:hello@1.0.0";
    merge.type = TaskType::kMerge;
    merge.coords = {"hello", "hello", "1.0.0", ""};
    merge.SetParams({{"platforms", {"linux/amd64", "linux/arm64"}},
                     {"repository", kAttestRepo},
                     {"tag", "v1.0.0"},
                     {"version", "1.0.0"}});
    const Json inputs = {{"build:hello@1.0.0/linux/amd64", {{"platform", "linux/amd64"}, {"digest", amd64}}},
                         {"build:hello@1.0.0/linux/arm64", {{"platform", "linux/arm64"}, {"digest", arm64}}}};
    TaskContext ctx{merge, inputs, nullptr, cancel, [](std::string_view) {}, nullptr};
    TaskOutcome out = RunMergeTask(ctx, client);
    BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
    return out.result;
  }

  // `merge` without what the merge recorded of the platform manifests: a result cached by a
  // version before they were recorded.
  static Json WithoutRecordedManifests(Json merge) {
    for (Json& m : merge["manifests"]) {
      m.erase("manifest");
      m.erase("config_created");
    }
    return merge;
  }

  // GETs of the platform manifests and of their configs.
  int PlatformReads() const {
    int n = reg.count("GET", "/manifests/" + amd64) + reg.count("GET", "/manifests/" + arm64);
    for (const std::string& d : {amd64, arm64}) {
      const Json m = ParseJson(reg.ManifestBytes(kAttestRepo, d));
      n += reg.count("GET", "/blobs/" + m["config"]["digest"].get<std::string>());
    }
    return n;
  }

  // cached_remote: `cached` came from the remote cache tier (TaskContext::cached_result_remote).
  TaskContext Context(Json inputs, const Json* cached, const Json* recorded = nullptr, bool cached_remote = false) {
    return TaskContext{task,   std::move(inputs), nullptr, cancel, [this](std::string_view line) { log.emplace_back(line); },
                       cached, recorded,          cached_remote};
  }

  size_t AttLayers(const std::string& digest) const {
    const Json m = ParseJson(reg.ManifestBytes(kAttestRepo, CosignTag(digest, ".att")));
    return m.is_object() ? m["layers"].size() : 0;
  }

  // The verified statements of `predicate_type` attached to `digest`.
  std::vector<InTotoStatement> Statements(const std::string& digest, std::string_view predicate_type) {
    std::vector<InTotoStatement> out;
    const PublicKey pub = LoadPublicKeyFile(dir / "cosign.pub").value();
    auto layers = ReadCosignLayers(client, kAttestRepo, digest, ".att");
    BOOST_REQUIRE_MESSAGE(layers.ok(), layers.status().ToString());
    for (const CosignLayer& l : *layers) {
      auto env = ParseDsseEnvelope(l.payload);
      BOOST_REQUIRE(env.ok());
      BOOST_REQUIRE(DsseVerify(*env, pub).value());
      auto st = ParseStatement(env->payload);
      BOOST_REQUIRE(st.ok());
      if (st->predicate_type == predicate_type) out.push_back(*st);
    }
    return out;
  }

  bool Logged(const std::string& needle) const {
    for (const std::string& line : log) {
      if (line.find(needle) != std::string::npos) return true;
    }
    return false;
  }
};

}  // namespace mg::testing
