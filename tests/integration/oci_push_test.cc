// The write side (PushBlob, MountBlob, PutManifest) and BuildIndex against a real docker-registry
// on loopback; skopeo and ProbeImage check the result independently.
#include <boost/test/unit_test.hpp>

#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/docker_config.h"
#include "oci/index_builder.h"
#include "oci/media_types.h"
#include "oci/probe.h"
#include "oci/push.h"
#include "oci/registry_client.h"
#include "registry_fixture.h"
#include "util/sha256.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::ProbeState;
using mg::Status;
using mg::testing::TestRegistry;

namespace {

TestRegistry& OpenRegistry() { return mg::testing::SharedPlainRegistry(); }
TestRegistry& AuthRegistry() { return mg::testing::SharedAuthRegistry(); }

struct Client {
  mg::CurlTransport transport;
  mg::HttpClient http{transport};
  mg::RegistryClient registry;
  Client(const TestRegistry& reg, std::optional<mg::Credentials> creds)
      : registry(http, reg.host(), /*plain_http=*/true, std::move(creds)) {}
};

// A tiny single-platform OCI image of our own: config, one (not really tar) layer, manifest.
struct TinyImage {
  std::string config, layer, manifest;
  std::string config_digest, layer_digest;
};

TinyImage MakeTinyImage(const std::string& arch, const std::string& salt) {
  TinyImage img;
  img.config = mg::CanonicalJson(
      {{"architecture", arch}, {"os", "linux"}, {"rootfs", {{"type", "layers"}, {"diff_ids", mg::Json::array()}}}});
  img.layer = "layer for " + arch + " " + salt;
  img.config_digest = mg::Sha256Digest(img.config);
  img.layer_digest = mg::Sha256Digest(img.layer);
  mg::Json m = {{"schemaVersion", 2},
                {"mediaType", mg::kMediaTypeOciManifest},
                {"config", {{"mediaType", mg::kMediaTypeOciConfig},
                            {"digest", img.config_digest},
                            {"size", img.config.size()}}},
                {"layers", mg::Json::array({{{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                                             {"digest", img.layer_digest},
                                             {"size", img.layer.size()}}})}};
  img.manifest = mg::CanonicalJson(m);
  return img;
}

Status PushTiny(mg::RegistryClient& client, const std::string& repo, const TinyImage& img, const std::string& tag,
                std::string* digest) {
  MG_RETURN_IF_ERROR(mg::PushBlob(client, repo, img.config_digest, img.config));
  MG_RETURN_IF_ERROR(mg::PushBlob(client, repo, img.layer_digest, img.layer));
  mg::Result<std::string> d = mg::PutManifest(client, repo, tag, img.manifest, mg::kMediaTypeOciManifest);
  if (!d.ok()) return d.status();
  *digest = *d;
  return Status::OK();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(oci_push_test)

BOOST_AUTO_TEST_CASE(index_over_two_pushed_images) {
  TestRegistry& reg = OpenRegistry();
  auto amd = mg::testing::PushTestImage(reg, "team/multi", "amd", {"linux/amd64"}, /*as_index=*/false);
  BOOST_REQUIRE_MESSAGE(amd.ok(), amd.status().ToString());
  auto arm = mg::testing::PushTestImage(reg, "team/multi", "arm", {"linux/arm64/v8"}, /*as_index=*/false);
  BOOST_REQUIRE_MESSAGE(arm.ok(), arm.status().ToString());

  Client c(reg, std::nullopt);
  std::vector<mg::PlatformManifest> entries;
  for (const std::string& digest : {arm->digest, amd->digest}) {
    auto d = mg::DescribePlatformManifest(c.registry, "team/multi", digest);
    BOOST_REQUIRE_MESSAGE(d.ok(), d.status().ToString());
    BOOST_TEST(d->digest == digest);
    entries.push_back(*d);
  }
  BOOST_TEST(entries[0].architecture == "arm64");
  BOOST_TEST(entries[0].variant == "v8");
  BOOST_TEST(entries[1].architecture == "amd64");

  mg::Json annotations = {{"org.opencontainers.image.version", "1.0.0"},
                          {"org.opencontainers.image.source", "https://example.test/app"}};
  auto index = mg::BuildIndex(entries, annotations);
  BOOST_REQUIRE_MESSAGE(index.ok(), index.status().ToString());
  auto put = mg::PutManifest(c.registry, "team/multi", "1.0.0", *index, mg::kMediaTypeOciIndex);
  BOOST_REQUIRE_MESSAGE(put.ok(), put.status().ToString());
  BOOST_TEST(*put == mg::Sha256Digest(*index));

  // skopeo sees exactly our bytes: an index listing both platforms.
  auto raw = mg::testing::SkopeoInspectRaw(reg, "team/multi", "1.0.0");
  BOOST_REQUIRE_MESSAGE(raw.ok(), raw.status().ToString());
  BOOST_TEST(*raw == *index);
  mg::Json doc = mg::ParseJson(*raw);
  BOOST_TEST(doc["mediaType"] == mg::kMediaTypeOciIndex);
  BOOST_REQUIRE(doc["manifests"].size() == 2u);
  BOOST_TEST(doc["manifests"][0]["digest"] == amd->digest);
  BOOST_TEST(doc["manifests"][1]["digest"] == arm->digest);
  BOOST_TEST(doc["annotations"]["org.opencontainers.image.version"] == "1.0.0");

  auto probe = mg::ProbeImage(c.registry, "team/multi", "1.0.0", {"linux/amd64", "linux/arm64"}, nullptr);
  BOOST_REQUIRE_MESSAGE(probe.ok(), probe.status().ToString());
  BOOST_CHECK(probe->state == ProbeState::kComplete);
  BOOST_TEST(probe->digest == *put);

  // PUT by digest of the same bytes is accepted and answers the same digest.
  auto by_digest = mg::PutManifest(c.registry, "team/multi", *put, *index, mg::kMediaTypeOciIndex);
  BOOST_REQUIRE_MESSAGE(by_digest.ok(), by_digest.status().ToString());
  BOOST_TEST(*by_digest == *put);
}

BOOST_AUTO_TEST_CASE(own_image_blobs_are_idempotent_and_verified) {
  TestRegistry& reg = OpenRegistry();
  Client c(reg, std::nullopt);
  TinyImage img = MakeTinyImage("amd64", "own");
  std::string digest;
  Status first = PushTiny(c.registry, "team/own", img, "0.1", &digest);
  BOOST_REQUIRE_MESSAGE(first.ok(), first.ToString());
  BOOST_TEST(digest == mg::Sha256Digest(img.manifest));
  // Again: blobs are found by HEAD and skipped; the manifest PUT is idempotent.
  std::string again;
  Status second = PushTiny(c.registry, "team/own", img, "0.1", &again);
  BOOST_REQUIRE_MESSAGE(second.ok(), second.ToString());
  BOOST_TEST(again == digest);

  auto blob = c.registry.GetBlob("team/own", img.layer_digest);
  BOOST_REQUIRE_MESSAGE(blob.ok(), blob.status().ToString());
  BOOST_TEST(*blob == img.layer);
  auto raw = mg::testing::SkopeoInspectRaw(reg, "team/own", "0.1");
  BOOST_REQUIRE_MESSAGE(raw.ok(), raw.status().ToString());
  BOOST_TEST(*raw == img.manifest);
  auto probe = mg::ProbeImage(c.registry, "team/own", "0.1", {"linux/amd64"}, nullptr);
  BOOST_REQUIRE_MESSAGE(probe.ok(), probe.status().ToString());
  BOOST_CHECK(probe->state == ProbeState::kComplete);

  // A digest that does not match the bytes is refused before sending: the blob stays absent.
  const std::string other = "other bytes";
  Status mismatch = mg::PushBlob(c.registry, "team/own", mg::Sha256Digest("something else"), other);
  BOOST_CHECK(mismatch.code() == Status::Code::kInvalidArgument);
  BOOST_CHECK(c.registry.GetBlob("team/own", mg::Sha256Digest(other)).status().code() == Status::Code::kNotFound);
  BOOST_CHECK(c.registry.GetBlob("team/own", mg::Sha256Digest("something else")).status().code() ==
              Status::Code::kNotFound);

  // A manifest naming a blob the repository lacks is refused by the registry.
  TinyImage missing = MakeTinyImage("arm64", "never pushed");
  auto refused = mg::PutManifest(c.registry, "team/own", "broken", missing.manifest, mg::kMediaTypeOciManifest);
  BOOST_TEST(!refused.ok());
}

BOOST_AUTO_TEST_CASE(mount_from_another_repository) {
  TestRegistry& reg = OpenRegistry();
  Client c(reg, std::nullopt);
  const std::string bytes = "shared layer bytes";
  const std::string digest = mg::Sha256Digest(bytes);
  BOOST_REQUIRE(mg::PushBlob(c.registry, "team/source", digest, bytes).ok());
  auto mounted = mg::MountBlob(c.registry, "team/target", digest, "team/source");
  BOOST_REQUIRE_MESSAGE(mounted.ok(), mounted.status().ToString());
  BOOST_CHECK(*mounted == mg::MountOutcome::kMounted);
  auto blob = c.registry.GetBlob("team/target", digest);
  BOOST_REQUIRE_MESSAGE(blob.ok(), blob.status().ToString());
  BOOST_TEST(*blob == bytes);

  // Not in the source repository: the registry opens an upload instead; the caller must push.
  const std::string absent = mg::Sha256Digest("never pushed anywhere");
  auto declined = mg::MountBlob(c.registry, "team/target", absent, "team/source");
  BOOST_REQUIRE_MESSAGE(declined.ok(), declined.status().ToString());
  BOOST_CHECK(*declined == mg::MountOutcome::kNotMounted);
}

BOOST_AUTO_TEST_CASE(htpasswd_registry_needs_credentials_to_push) {
  TestRegistry& reg = AuthRegistry();
  TinyImage img = MakeTinyImage("arm64", "auth");

  Client anonymous(reg, std::nullopt);
  std::string digest;
  Status denied = PushTiny(anonymous.registry, "team/secure", img, "1.0.0", &digest);
  BOOST_CHECK_MESSAGE(denied.code() == Status::Code::kPermissionDenied, denied.ToString());
  auto denied_put = mg::PutManifest(anonymous.registry, "team/secure", "1.0.0", img.manifest, mg::kMediaTypeOciManifest);
  BOOST_CHECK(denied_put.status().code() == Status::Code::kPermissionDenied);
  BOOST_TEST(denied.message().find(reg.options().password) == std::string::npos);

  Client authorized(reg, mg::Credentials{reg.options().user, reg.options().password, ""});
  Status pushed = PushTiny(authorized.registry, "team/secure", img, "1.0.0", &digest);
  BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.ToString());
  BOOST_TEST(digest == mg::Sha256Digest(img.manifest));
  auto raw = mg::testing::SkopeoInspectRaw(reg, "team/secure", "1.0.0");
  BOOST_REQUIRE_MESSAGE(raw.ok(), raw.status().ToString());
  BOOST_TEST(*raw == img.manifest);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
