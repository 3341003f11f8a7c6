// The registry client and probe against a real docker-registry on loopback, with images pushed
// by skopeo (an independent implementation of the distribution API).
#include <boost/test/unit_test.hpp>

#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/docker_config.h"
#include "oci/media_types.h"
#include "oci/probe.h"
#include "oci/registry_client.h"
#include "registry_fixture.h"
#include "util/sha256.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::ProbeState;
using mg::Status;
using mg::testing::TestRegistry;

namespace {

// Started once per process and shared by the suites; stopped at exit.
TestRegistry& OpenRegistry() { return mg::testing::SharedPlainRegistry(); }
TestRegistry& AuthRegistry() { return mg::testing::SharedAuthRegistry(); }

struct Client {
  mg::CurlTransport transport;
  mg::HttpClient http{transport};
  mg::RegistryClient registry;
  Client(const TestRegistry& reg, std::optional<mg::Credentials> creds, std::string source = "")
      : registry(http, reg.host(), /*plain_http=*/true, std::move(creds), std::move(source)) {}
};

const std::vector<std::string> kBoth{"linux/amd64", "linux/arm64"};

}  // namespace

BOOST_AUTO_TEST_SUITE(oci_registry_test)

BOOST_AUTO_TEST_CASE(probe_complete_two_platform_index) {
  TestRegistry& reg = OpenRegistry();
  auto pushed = mg::testing::PushTestImage(reg, "team/app", "1.0", {"linux/amd64", "linux/arm64/v8"});
  BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.status().ToString());
  Client c(reg, std::nullopt);
  auto r = mg::ProbeImage(c.registry, "team/app", "1.0", kBoth, nullptr);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(r->state == ProbeState::kComplete);
  BOOST_TEST(r->digest == pushed->digest);
  BOOST_TEST(r->media_type == mg::kMediaTypeOciIndex);
  std::vector<std::string> want{"linux/amd64", "linux/arm64/v8"};
  BOOST_TEST(r->platforms == want, boost::test_tools::per_element());

  // skopeo sees the same bytes our client verified.
  auto raw = mg::testing::SkopeoInspectRaw(reg, "team/app", "1.0");
  BOOST_REQUIRE_MESSAGE(raw.ok(), raw.status().ToString());
  BOOST_TEST(mg::Sha256Digest(*raw) == r->digest);

  // A second probe with the first as the known result makes no GET (HEAD only) and agrees.
  auto again = mg::ProbeImage(c.registry, "team/app", "1.0", kBoth, &*r);
  BOOST_REQUIRE(again.ok());
  BOOST_CHECK(again->state == ProbeState::kComplete);
  BOOST_TEST(again->detail.find("unchanged") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(probe_incomplete_index_with_only_amd64) {
  TestRegistry& reg = OpenRegistry();
  auto pushed = mg::testing::PushTestImage(reg, "team/partial", "2.0", {"linux/amd64"});
  BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.status().ToString());
  Client c(reg, std::nullopt);
  auto r = mg::ProbeImage(c.registry, "team/partial", "2.0", kBoth, nullptr);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(r->state == ProbeState::kIncomplete);
  BOOST_TEST(r->platforms == std::vector<std::string>{"linux/amd64"}, boost::test_tools::per_element());
  BOOST_TEST(r->missing_platforms == std::vector<std::string>{"linux/arm64"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(probe_missing_tag) {
  TestRegistry& reg = OpenRegistry();
  Client c(reg, std::nullopt);
  // Neither the repository nor (after a push) the tag exists: both are "missing".
  auto none = mg::ProbeImage(c.registry, "team/never-pushed", "1.0", kBoth, nullptr);
  BOOST_REQUIRE_MESSAGE(none.ok(), none.status().ToString());
  BOOST_CHECK(none->state == ProbeState::kMissing);
  auto pushed = mg::testing::PushTestImage(reg, "team/tags", "1.0", {"linux/amd64"});
  BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.status().ToString());
  auto other_tag = mg::ProbeImage(c.registry, "team/tags", "1.1", kBoth, nullptr);
  BOOST_REQUIRE_MESSAGE(other_tag.ok(), other_tag.status().ToString());
  BOOST_CHECK(other_tag->state == ProbeState::kMissing);
  auto get = c.registry.GetManifest("team/tags", "1.1");
  BOOST_REQUIRE(!get.ok());
  BOOST_CHECK(get.status().code() == Status::Code::kNotFound);
}

BOOST_AUTO_TEST_CASE(probe_single_manifest) {
  TestRegistry& reg = OpenRegistry();
  auto pushed = mg::testing::PushTestImage(reg, "team/single", "3.0", {"linux/arm64/v8"}, /*as_index=*/false);
  BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.status().ToString());
  Client c(reg, std::nullopt);
  auto head = c.registry.HeadManifest("team/single", "3.0");
  BOOST_REQUIRE_MESSAGE(head.ok(), head.status().ToString());
  BOOST_TEST(head->exists);
  BOOST_TEST(head->digest == pushed->digest);
  BOOST_TEST(head->media_type == mg::kMediaTypeOciManifest);

  auto one = mg::ProbeImage(c.registry, "team/single", "3.0", {"linux/arm64"}, nullptr);
  BOOST_REQUIRE_MESSAGE(one.ok(), one.status().ToString());
  BOOST_CHECK(one->state == ProbeState::kComplete);  // read from the config blob
  BOOST_TEST(one->platforms == std::vector<std::string>{"linux/arm64/v8"}, boost::test_tools::per_element());

  auto other = mg::ProbeImage(c.registry, "team/single", "3.0", {"linux/amd64"}, nullptr);
  BOOST_REQUIRE(other.ok());
  BOOST_CHECK(other->state == ProbeState::kIncomplete);

  auto several = mg::ProbeImage(c.registry, "team/single", "3.0", kBoth, nullptr);
  BOOST_REQUIRE(several.ok());
  BOOST_CHECK(several->state == ProbeState::kIncomplete);
}

BOOST_AUTO_TEST_CASE(blobs_are_fetched_and_verified) {
  TestRegistry& reg = OpenRegistry();
  auto pushed = mg::testing::PushTestImage(reg, "team/blobs", "1.0", {"linux/amd64"}, false);
  BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.status().ToString());
  Client c(reg, std::nullopt);
  auto m = c.registry.GetManifest("team/blobs", pushed->digest);
  BOOST_REQUIRE_MESSAGE(m.ok(), m.status().ToString());
  std::string config_digest = m->json["config"]["digest"];
  auto blob = c.registry.GetBlob("team/blobs", config_digest);
  BOOST_REQUIRE_MESSAGE(blob.ok(), blob.status().ToString());
  BOOST_TEST(blob->find("\"architecture\":\"amd64\"") != std::string::npos);
  auto missing = c.registry.GetBlob("team/blobs", mg::Sha256Digest("not there"));
  BOOST_REQUIRE(!missing.ok());
  BOOST_CHECK(missing.status().code() == Status::Code::kNotFound);
}

BOOST_AUTO_TEST_CASE(auth_with_credentials_from_docker_config) {
  TestRegistry& reg = AuthRegistry();
  auto pushed = mg::testing::PushTestImage(reg, "team/private", "1.0", {"linux/amd64", "linux/arm64"});
  BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.status().ToString());
  const std::string path = reg.WriteDockerConfig(reg.options().user, reg.options().password);
  auto config = mg::DockerConfig::Load(path);
  BOOST_REQUIRE_MESSAGE(config.ok(), config.status().ToString());
  auto creds = config->Lookup("http://" + reg.host());
  BOOST_REQUIRE(creds.ok() && creds->has_value());
  Client c(reg, **creds, config->path());
  auto r = mg::ProbeImage(c.registry, "team/private", "1.0", kBoth, nullptr);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(r->state == ProbeState::kComplete);
  auto missing = mg::ProbeImage(c.registry, "team/private", "9.9", kBoth, nullptr);
  BOOST_REQUIRE_MESSAGE(missing.ok(), missing.status().ToString());
  BOOST_CHECK(missing->state == ProbeState::kMissing);
}

BOOST_AUTO_TEST_CASE(auth_without_or_with_wrong_credentials_is_an_error_not_missing) {
  TestRegistry& reg = AuthRegistry();
  auto pushed = mg::testing::PushTestImage(reg, "team/locked", "1.0", {"linux/amd64"});
  BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.status().ToString());
  const std::string path = reg.WriteDockerConfig(reg.options().user, "not-the-password", "wrong-config");
  auto config = mg::DockerConfig::Load(path);
  BOOST_REQUIRE(config.ok());
  auto wrong = config->Lookup(reg.host());
  BOOST_REQUIRE(wrong.ok() && wrong->has_value());

  Client anonymous(reg, std::nullopt, path);
  Client wrong_creds(reg, **wrong, path);
  for (Client* c : {&anonymous, &wrong_creds}) {
    // Both for a tag that exists and one that does not: without access, nothing is "missing".
    for (const char* tag : {"1.0", "no-such-tag"}) {
      auto r = mg::ProbeImage(c->registry, "team/locked", tag, kBoth, nullptr);
      BOOST_REQUIRE(!r.ok());
      BOOST_CHECK_MESSAGE(r.status().code() == Status::Code::kPermissionDenied, r.status().ToString());
      BOOST_TEST(r.status().message().find(path) != std::string::npos);
      BOOST_TEST(r.status().message().find("not-the-password") == std::string::npos);
      BOOST_TEST(r.status().message().find(reg.options().password) == std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(unreachable_registry_is_unavailable) {
  // A registry that was stopped: connection refused after retries, never "missing".
  std::string host;
  {
    auto reg = TestRegistry::Start();
    BOOST_REQUIRE_MESSAGE(reg.ok(), reg.status().ToString());
    host = (*reg)->host();
  }
  mg::CurlTransport transport;
  mg::HttpClientOptions o;
  o.base_delay = std::chrono::milliseconds(10);
  mg::HttpClient http(transport, o);
  mg::RegistryClient client(http, host, true, std::nullopt);
  auto r = mg::ProbeImage(client, "team/app", "1.0", kBoth, nullptr);
  BOOST_REQUIRE(!r.ok());
  BOOST_CHECK_MESSAGE(r.status().code() == Status::Code::kUnavailable, r.status().ToString());
  BOOST_TEST(r.status().message().find(host) != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
