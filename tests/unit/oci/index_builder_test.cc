#include "oci/index_builder.h"

#include <algorithm>

#include <boost/test/unit_test.hpp>

#include "oci/media_types.h"
#include "oci/push.h"
#include "unit/oci/fake_registry.h"
#include "util/sha256.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::PlatformManifest;
using mg::Status;
using mg::testing::FakeRegistry;

namespace {

PlatformManifest Entry(const std::string& seed, const std::string& os, const std::string& arch,
                       const std::string& variant = "", const std::string& media_type = mg::kMediaTypeOciManifest) {
  return PlatformManifest{
      mg::Sha256Digest(seed), static_cast<int64_t>(100 + seed.size()), media_type, os, arch, variant, "", ""};
}

struct Fixture {
  FakeRegistry reg;
  mg::HttpClient http{reg.transport, [] {
                        mg::HttpClientOptions o;
                        o.sleep = [](std::chrono::milliseconds) {};
                        return o;
                      }()};
  mg::RegistryClient client{http, "reg.example", false, std::nullopt};
};

}  // namespace

BOOST_AUTO_TEST_SUITE(index_builder_test)

BOOST_AUTO_TEST_CASE(oci_index_is_sorted_and_order_independent) {
  std::vector<PlatformManifest> in{Entry("arm", "linux", "arm64", "v8"), Entry("amd", "linux", "amd64"),
                                   Entry("arm7", "linux", "arm", "v7")};
  auto a = mg::BuildIndex(in, nullptr);
  BOOST_REQUIRE_MESSAGE(a.ok(), a.status().ToString());
  std::reverse(in.begin(), in.end());
  auto b = mg::BuildIndex(in, mg::Json::object());
  BOOST_REQUIRE_MESSAGE(b.ok(), b.status().ToString());
  BOOST_TEST(*a == *b);

  mg::Json doc = mg::ParseJson(*a);
  BOOST_REQUIRE(doc.is_object());
  BOOST_TEST(doc["schemaVersion"] == 2);
  BOOST_TEST(doc["mediaType"] == mg::kMediaTypeOciIndex);
  BOOST_TEST(!doc.contains("annotations"));
  BOOST_REQUIRE(doc["manifests"].size() == 3u);
  std::vector<std::string> arches;
  for (const auto& e : doc["manifests"]) arches.push_back(e["platform"]["architecture"]);
  std::vector<std::string> want{"amd64", "arm", "arm64"};
  BOOST_TEST(arches == want, boost::test_tools::per_element());
  BOOST_TEST(doc["manifests"][0]["digest"] == mg::Sha256Digest("amd"));
  BOOST_TEST(doc["manifests"][0]["size"] == 103);
  BOOST_TEST(doc["manifests"][0]["mediaType"] == mg::kMediaTypeOciManifest);
  BOOST_TEST(!doc["manifests"][0]["platform"].contains("variant"));
  BOOST_TEST(doc["manifests"][2]["platform"]["variant"] == "v8");
  // Canonical: re-serialising the parsed document gives the same bytes.
  BOOST_TEST(mg::CanonicalJson(doc) == *a);
}

BOOST_AUTO_TEST_CASE(annotations_on_the_oci_index) {
  mg::Json ann = {{"org.opencontainers.image.version", "1.0.0"},
                  {"org.opencontainers.image.source", "https://example.test/app"}};
  auto out = mg::BuildIndex({Entry("amd", "linux", "amd64")}, ann);
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  mg::Json doc = mg::ParseJson(*out);
  BOOST_TEST(doc["annotations"] == ann);
  BOOST_TEST(out->find("\"annotations\":{\"org.opencontainers.image.source\"") != std::string::npos);

  auto bad = mg::BuildIndex({Entry("amd", "linux", "amd64")}, mg::Json{{"k", 1}});
  BOOST_CHECK(bad.status().code() == mg::Status::Code::kInvalidArgument);
  auto not_object = mg::BuildIndex({Entry("amd", "linux", "amd64")}, mg::Json::array());
  BOOST_CHECK(not_object.status().code() == mg::Status::Code::kInvalidArgument);
}

BOOST_AUTO_TEST_CASE(docker_manifests_give_a_manifest_list) {
  std::vector<PlatformManifest> in{Entry("a", "linux", "arm64", "", mg::kMediaTypeDockerManifest),
                                   Entry("b", "linux", "amd64", "", mg::kMediaTypeDockerManifest)};
  auto out = mg::BuildIndex(in, nullptr);
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  mg::Json doc = mg::ParseJson(*out);
  BOOST_TEST(doc["mediaType"] == mg::kMediaTypeDockerManifestList);
  BOOST_TEST(doc["manifests"][0]["platform"]["architecture"] == "amd64");
  BOOST_TEST(doc["manifests"][1]["mediaType"] == mg::kMediaTypeDockerManifest);
  // A manifest list has no annotations field.
  auto ann = mg::BuildIndex(in, mg::Json{{"org.opencontainers.image.version", "1"}});
  BOOST_CHECK(ann.status().code() == mg::Status::Code::kInvalidArgument);
}

BOOST_AUTO_TEST_CASE(mixed_or_invalid_entries_are_rejected) {
  auto mixed = mg::BuildIndex({Entry("a", "linux", "amd64"),
                               Entry("b", "linux", "arm64", "", mg::kMediaTypeDockerManifest)},
                              nullptr);
  BOOST_CHECK(mixed.status().code() == mg::Status::Code::kInvalidArgument);
  BOOST_TEST(mixed.status().message().find("mixed") != std::string::npos);

  BOOST_CHECK(mg::BuildIndex({}, nullptr).status().code() == mg::Status::Code::kInvalidArgument);
  BOOST_CHECK(mg::BuildIndex({Entry("a", "linux", "amd64", "", mg::kMediaTypeOciIndex)}, nullptr).status().code() ==
             mg::Status::Code::kInvalidArgument);
  // "linux/arm64" and "linux/arm64/v8" are the same platform.
  auto dup = mg::BuildIndex({Entry("a", "linux", "arm64"), Entry("b", "linux", "arm64", "v8")}, nullptr);
  BOOST_CHECK(dup.status().code() == mg::Status::Code::kInvalidArgument);
  PlatformManifest no_arch = Entry("a", "linux", "");
  BOOST_CHECK(mg::BuildIndex({no_arch}, nullptr).status().code() == mg::Status::Code::kInvalidArgument);
  PlatformManifest bad_digest = Entry("a", "linux", "amd64");
  bad_digest.digest = "sha256:nothex";
  BOOST_CHECK(mg::BuildIndex({bad_digest}, nullptr).status().code() == mg::Status::Code::kInvalidArgument);
  PlatformManifest no_size = Entry("a", "linux", "amd64");
  no_size.size = 0;
  BOOST_CHECK(mg::BuildIndex({no_size}, nullptr).status().code() == mg::Status::Code::kInvalidArgument);
}

BOOST_AUTO_TEST_CASE(describe_reads_the_config_platform) {
  Fixture f;
  std::string config =
      R"({"architecture":"arm64","os":"linux","variant":"v8","created":"2024-05-06T07:08:09Z","rootfs":{"type":"layers"}})";
  std::string config_digest = f.reg.PutBlob("team/app", config);
  std::string manifest = std::string(R"({"schemaVersion":2,"mediaType":")") + mg::kMediaTypeOciManifest +
                         R"(","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                         config_digest + R"(","size":)" + std::to_string(config.size()) + R"(},"layers":[]})";
  std::string digest = f.reg.PutManifest("team/app", "", mg::kMediaTypeOciManifest, manifest);
  auto d = mg::DescribePlatformManifest(f.client, "team/app", digest);
  BOOST_REQUIRE_MESSAGE(d.ok(), d.status().ToString());
  BOOST_TEST(d->digest == digest);
  BOOST_TEST(d->size == static_cast<int64_t>(manifest.size()));
  BOOST_TEST(d->media_type == mg::kMediaTypeOciManifest);
  BOOST_TEST(d->os == "linux");
  BOOST_TEST(d->architecture == "arm64");
  BOOST_TEST(d->variant == "v8");
  // What it read beside, for the merge result: the manifest's bytes and the config's "created".
  BOOST_TEST(d->manifest_text == manifest);
  BOOST_TEST(d->config_created == "2024-05-06T07:08:09Z");

  // An index is not a platform manifest.
  std::string index = std::string(R"({"schemaVersion":2,"mediaType":")") + mg::kMediaTypeOciIndex +
                      R"(","manifests":[]})";
  std::string index_digest = f.reg.PutManifest("team/app", "", mg::kMediaTypeOciIndex, index);
  BOOST_CHECK(mg::DescribePlatformManifest(f.client, "team/app", index_digest).status().code() ==
             mg::Status::Code::kInvalidArgument);
  BOOST_CHECK(mg::DescribePlatformManifest(f.client, "team/app", mg::Sha256Digest("absent")).status().code() ==
             mg::Status::Code::kNotFound);
}

BOOST_AUTO_TEST_CASE(push_preconditions_fail_before_any_request) {
  Fixture f;
  Status mismatch = mg::PushBlob(f.client, "team/app", mg::Sha256Digest("other"), "content");
  BOOST_CHECK(mismatch.code() == mg::Status::Code::kInvalidArgument);
  auto wrong_type = mg::PutManifest(f.client, "team/app", "1.0.0",
                                    std::string(R"({"mediaType":")") + mg::kMediaTypeOciIndex + R"("})",
                                    mg::kMediaTypeOciManifest);
  BOOST_CHECK(wrong_type.status().code() == mg::Status::Code::kInvalidArgument);
  auto wrong_digest = mg::PutManifest(f.client, "team/app", mg::Sha256Digest("x"), "{}", mg::kMediaTypeOciIndex);
  BOOST_CHECK(wrong_digest.status().code() == mg::Status::Code::kInvalidArgument);
  auto not_json = mg::PutManifest(f.client, "team/app", "1.0.0", "not json", mg::kMediaTypeOciIndex);
  BOOST_CHECK(not_json.status().code() == mg::Status::Code::kInvalidArgument);
  auto bad_repo = mg::MountBlob(f.client, "Team/App", mg::Sha256Digest("x"), "team/app");
  BOOST_CHECK(bad_repo.status().code() == mg::Status::Code::kInvalidArgument);
  BOOST_TEST(f.reg.transport.requests().empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
