// The sign task over the in-memory FakeRegistry: the key from the settings (or a clear error),
// the index from the merge result or from the version tag, the index and every platform signed,
// idempotence, and the re-check of cached results.
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <fstream>

#include "oci/media_types.h"
#include "sign/cosign_storage.h"
#include "sign/keys.h"
#include "tasks/attest_common.h"
#include "tasks/attest_tasks.h"
#include "unit/oci/fake_registry.h"
#include "unit/util/temp_dir.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::Json;
using mg::testing::FakeRegistry;

constexpr char kRepo[] = "mirror/hello";

std::string ImageManifest(const std::string& marker) {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":)"
         R"("application/vnd.oci.image.config.v1+json","digest":"sha256:)" +
         std::string(64, 'c') + R"(","size":2},"layers":[],"annotations":{"m":")" + marker + R"("}})";
}

struct Fixture : mg::testing::FakeRegistryClient {
  mg::testing::TempDir dir;
  mg::AttestSettings settings;
  std::string amd64, arm64, index;
  mg::Task task;
  std::atomic<bool> cancel{false};
  std::vector<std::string> log;

  Fixture() {
    BOOST_REQUIRE(mg::GenerateKeyPair(dir / "cosign.key", dir / "cosign.pub", "pw").ok());
    std::ofstream(dir / "pass") << "pw\n";
    BOOST_REQUIRE_EQUAL(::chmod((dir / "pass").c_str(), 0600), 0);
    settings.key = dir / "cosign.key";
    settings.passphrase_file = dir / "pass";
    amd64 = reg.PutManifest(kRepo, "", mg::kMediaTypeOciManifest, ImageManifest("amd64"));
    arm64 = reg.PutManifest(kRepo, "", mg::kMediaTypeOciManifest, ImageManifest("arm64"));
    const std::string attestation = reg.PutManifest(kRepo, "", mg::kMediaTypeOciManifest, ImageManifest("att"));
    Json idx = {{"schemaVersion", 2},
                {"mediaType", mg::kMediaTypeOciIndex},
                {"manifests",
                 {{{"mediaType", mg::kMediaTypeOciManifest}, {"digest", amd64}, {"size", 1},
                   {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}},
                  {{"mediaType", mg::kMediaTypeOciManifest}, {"digest", arm64}, {"size", 1},
                   {"platform", {{"os", "linux"}, {"architecture", "arm64"}, {"variant", "v8"}}}},
                  {{"mediaType", mg::kMediaTypeOciManifest}, {"digest", attestation}, {"size", 1},
                   {"platform", {{"os", "unknown"}, {"architecture", "unknown"}}}}}}};
    index = reg.PutManifest(kRepo, "1.0.0", mg::kMediaTypeOciIndex, idx.dump());
    task.id = "sign:hello@1.0.0";
    task.type = mg::TaskType::kSign;
    task.SetParams({{"image", "hello"}, {"registry", FakeRegistry::kHost}, {"repository", kRepo},
                    {"tag", "v1.0.0"}, {"version", "1.0.0"}});
  }

  Json MergeResult() const {
    return {{"digest", index},
            {"media_type", mg::kMediaTypeOciIndex},
            {"manifests", {{{"platform", "linux/amd64"}, {"digest", amd64}}, {{"platform", "linux/arm64"}, {"digest", arm64}}}}};
  }

  mg::TaskOutcome Run(Json inputs, const Json* cached = nullptr) {
    mg::TaskContext ctx{task, std::move(inputs), nullptr, cancel,
                        [this](std::string_view line) { log.emplace_back(line); }, cached};
    return mg::RunSignTask(ctx, client, settings);
  }

  size_t SigLayers(const std::string& digest) const {
    const Json m = mg::ParseJson(reg.ManifestBytes(kRepo, mg::CosignTag(digest, ".sig")));
    return m.is_object() ? m["layers"].size() : 0;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(sign_task_test)

BOOST_AUTO_TEST_CASE(no_key_says_how_to_configure_one) {
  Fixture f;
  f.settings.key.clear();
  mg::TaskOutcome out = f.Run(Json::object());
  BOOST_TEST((out.status.code() == mg::Status::Code::kFailedPrecondition));
  BOOST_TEST(out.status.message().find("[attestations] key") != std::string::npos);
  BOOST_TEST(out.status.message().find("mirrorgraph keygen") != std::string::npos);
  BOOST_TEST(f.reg.transport.request_count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_wrong_passphrase_fails_naming_the_setting) {
  Fixture f;
  std::ofstream(f.dir / "pass", std::ios::trunc) << "wrong\n";
  mg::TaskOutcome out = f.Run(Json::object());
  BOOST_TEST((out.status.code() == mg::Status::Code::kPermissionDenied));
  BOOST_TEST(out.status.message().find("[attestations] key") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(signs_the_index_and_every_platform_from_the_merge_result) {
  Fixture f;
  mg::TaskOutcome out = f.Run({{"merge:hello@1.0.0", f.MergeResult()}});
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_TEST(out.result["index"] == f.index);
  BOOST_TEST(out.result["signed"] == Json({f.index, f.amd64, f.arm64}));
  BOOST_TEST(out.result["added"] == 3);
  const auto pub = mg::LoadPublicKeyFile(f.dir / "cosign.pub").value();
  BOOST_TEST(out.result["public_key_sha256"] == pub.Fingerprint());
  BOOST_TEST(out.result.contains("key_id"));
  for (const std::string& d : {f.index, f.amd64, f.arm64}) {
    BOOST_TEST(f.SigLayers(d) == 1u);
    BOOST_TEST(mg::HasCosignSignature(f.client, kRepo, d, pub).value());
  }

  // Again: nothing added, nothing written.
  const int puts = f.reg.count("PUT", "/manifests/");
  mg::TaskOutcome again = f.Run({{"merge:hello@1.0.0", f.MergeResult()}});
  BOOST_REQUIRE(again.status.ok());
  BOOST_TEST(again.result["added"] == 0);
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == puts);
  for (const std::string& d : {f.index, f.amd64, f.arm64}) BOOST_TEST(f.SigLayers(d) == 1u);
}

BOOST_AUTO_TEST_CASE(without_a_merge_result_the_version_tag_is_resolved) {
  Fixture f;
  mg::TaskOutcome out = f.Run(Json::object());
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  // The unknown/unknown attestation entry of the index is not a platform.
  BOOST_TEST(out.result["signed"] == Json({f.index, f.amd64, f.arm64}));
  BOOST_TEST(out.result["added"] == 3);
}

BOOST_AUTO_TEST_CASE(a_missing_version_tag_is_a_clear_error) {
  Fixture f;
  f.task.SetParams({{"repository", kRepo}, {"version", "9.9.9"}});
  mg::TaskOutcome out = f.Run(Json::object());
  BOOST_TEST((out.status.code() == mg::Status::Code::kFailedPrecondition));
  BOOST_TEST(out.status.message().find("reg.example/mirror/hello:9.9.9 does not exist") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_cached_result_is_reused_while_the_signatures_are_there) {
  Fixture f;
  mg::TaskOutcome first = f.Run(Json::object());
  BOOST_REQUIRE(first.status.ok());
  const int puts = f.reg.count("PUT", "/manifests/");
  mg::TaskOutcome rechecked = f.Run(Json::object(), &first.result);
  BOOST_REQUIRE_MESSAGE(rechecked.status.ok(), rechecked.status.ToString());
  BOOST_TEST(rechecked.reused);
  BOOST_TEST(rechecked.note.find("re-checked 3 signature(s)") != std::string::npos);
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == puts);

  // One signature lost: the task signs again and adds exactly that one.
  f.reg.PutManifest(kRepo, mg::CosignTag(f.arm64, ".sig"), mg::kMediaTypeOciManifest,
                    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]})");
  mg::TaskOutcome redone = f.Run(Json::object(), &first.result);
  BOOST_REQUIRE_MESSAGE(redone.status.ok(), redone.status.ToString());
  BOOST_TEST(!redone.reused);
  BOOST_TEST(redone.result["added"] == 1);
  BOOST_TEST(f.SigLayers(f.arm64) == 1u);
  bool logged = false;
  for (const std::string& line : f.log) logged = logged || line.find("is gone from the registry") != std::string::npos;
  BOOST_TEST(logged);
}

BOOST_AUTO_TEST_CASE(a_cached_result_of_another_key_is_not_reused) {
  Fixture f;
  mg::TaskOutcome first = f.Run(Json::object());
  BOOST_REQUIRE(first.status.ok());
  mg::testing::TempDir other;
  BOOST_REQUIRE(mg::GenerateKeyPair(other / "k.key", other / "k.pub", "pw").ok());
  f.settings.key = other / "k.key";
  mg::TaskOutcome out = f.Run(Json::object(), &first.result);
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_TEST(!out.reused);
  BOOST_TEST(out.result["added"] == 3);
  BOOST_TEST(f.SigLayers(f.index) == 2u);
}

BOOST_AUTO_TEST_CASE(a_moved_version_tag_is_not_reused) {
  Fixture f;
  mg::TaskOutcome first = f.Run(Json::object());
  BOOST_REQUIRE(first.status.ok());
  Json cached = first.result;
  cached["index"] = "sha256:" + std::string(64, '0');
  mg::TaskOutcome out = f.Run(Json::object(), &cached);
  BOOST_REQUIRE(out.status.ok());
  BOOST_TEST(!out.reused);
  BOOST_TEST(out.result["added"] == 0);  // the signatures were there; the result is refreshed
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
