#include "oci/probe.h"

#include <boost/test/unit_test.hpp>

#include "oci/media_types.h"
#include "unit/oci/fake_registry.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::ProbeState;
using mg::Status;
using mg::testing::FakeRegistry;

namespace {

std::string Entry(const std::string& digest, const std::string& os, const std::string& arch,
                  const std::string& variant = "") {
  mg::Json e = {{"mediaType", mg::kMediaTypeOciManifest}, {"digest", digest}, {"size", 100}};
  e["platform"] = {{"os", os}, {"architecture", arch}};
  if (!variant.empty()) e["platform"]["variant"] = variant;
  return e.dump();
}

std::string Index(const std::vector<std::string>& entries, const char* media_type = mg::kMediaTypeOciIndex) {
  std::string out = std::string(R"({"schemaVersion":2,"mediaType":")") + media_type + R"(","manifests":[)";
  for (size_t i = 0; i < entries.size(); ++i) out += (i ? "," : "") + entries[i];
  return out + "]}";
}

std::string ImageManifest(const std::string& config_digest) {
  return std::string(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")") +
         config_digest + R"(","size":10},"layers":[]})";
}

struct Fixture {
  FakeRegistry reg;
  mg::HttpClient http{reg.transport, [] {
                        mg::HttpClientOptions o;
                        o.sleep = [](std::chrono::milliseconds) {};
                        return o;
                      }()};
  mg::RegistryClient client{http, "reg.example", false, mg::Credentials{"alice", "s3cret-pw", ""}, "/cfg.json"};
  const std::string d1 = mg::Sha256Digest("amd64"), d2 = mg::Sha256Digest("arm64");
  const std::vector<std::string> both{"linux/amd64", "linux/arm64"};
};

}  // namespace

BOOST_AUTO_TEST_SUITE(probe_test)

BOOST_FIXTURE_TEST_CASE(missing_tag, Fixture) {
  auto r = mg::ProbeImage(client, "team/app", "1.0", both, nullptr);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(r->state == ProbeState::kMissing);
  BOOST_TEST(r->digest.empty());
  BOOST_TEST(r->missing_platforms == both, boost::test_tools::per_element());
  BOOST_TEST(r->detail.find("404") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(errors_are_never_missing, Fixture) {
  reg.PutManifest("team/app", "1.0", mg::kMediaTypeOciIndex, Index({Entry(d1, "linux", "amd64")}));
  struct Case {
    FakeRegistry::Auth auth;
    std::string password;
    int forced;
    Status::Code want;
  };
  const Case cases[] = {
      {FakeRegistry::Auth::kBasic, "other-pw", 0, Status::Code::kPermissionDenied},   // 401 after auth
      {FakeRegistry::Auth::kBearer, "other-pw", 0, Status::Code::kPermissionDenied},  // token refused
      {FakeRegistry::Auth::kNone, "", 403, Status::Code::kPermissionDenied},
      {FakeRegistry::Auth::kNone, "", 500, Status::Code::kUnavailable},
      {FakeRegistry::Auth::kNone, "", 429, Status::Code::kUnavailable},
  };
  for (const Case& c : cases) {
    reg.auth = c.auth;
    if (!c.password.empty()) reg.password = c.password;
    reg.forced_status.clear();
    if (c.forced != 0) reg.forced_status["/manifests/"] = c.forced;
    mg::RegistryClient fresh(http, "reg.example", false, mg::Credentials{"alice", "s3cret-pw", ""}, "/cfg.json");
    auto r = mg::ProbeImage(fresh, "team/app", "1.0", both, nullptr);
    BOOST_REQUIRE(!r.ok());
    BOOST_CHECK_MESSAGE(r.status().code() == c.want, r.status().ToString());
    BOOST_TEST(r.status().message().find("probe reg.example/team/app:1.0") != std::string::npos);
  }
}

BOOST_FIXTURE_TEST_CASE(complete_index_ignores_attestations, Fixture) {
  mg::Json attestation = mg::ParseJson(Entry(mg::Sha256Digest("att"), "unknown", "unknown"));
  attestation["annotations"] = {{"vnd.docker.reference.type", "attestation-manifest"}};
  std::string index = Index({Entry(d2, "linux", "arm64", "v8"), Entry(d1, "linux", "amd64"), attestation.dump()});
  std::string digest = reg.PutManifest("team/app", "1.0", mg::kMediaTypeOciIndex, index);
  auto r = mg::ProbeImage(client, "team/app", "1.0", both, nullptr);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(r->state == ProbeState::kComplete);
  BOOST_TEST(r->digest == digest);
  BOOST_TEST(r->media_type == mg::kMediaTypeOciIndex);
  std::vector<std::string> want{"linux/amd64", "linux/arm64/v8"};
  BOOST_TEST(r->platforms == want, boost::test_tools::per_element());
  BOOST_TEST(r->missing_platforms.empty());
  // The GET is by digest, so HEAD and GET describe the same content.
  BOOST_TEST(reg.count("GET", "/manifests/" + digest) == 1);
}

BOOST_FIXTURE_TEST_CASE(incomplete_index, Fixture) {
  reg.PutManifest("team/app", "1.0", mg::kMediaTypeDockerManifestList,
                  Index({Entry(d1, "linux", "amd64")}, mg::kMediaTypeDockerManifestList));
  auto r = mg::ProbeImage(client, "team/app", "1.0", {"linux/arm64/v8", "linux/amd64"}, nullptr);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(r->state == ProbeState::kIncomplete);
  BOOST_TEST(r->platforms == std::vector<std::string>{"linux/amd64"}, boost::test_tools::per_element());
  BOOST_TEST(r->missing_platforms == std::vector<std::string>{"linux/arm64/v8"}, boost::test_tools::per_element());
  BOOST_TEST(r->detail.find("lacks linux/arm64/v8") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(single_manifest_with_several_wanted_is_incomplete_without_config_fetch, Fixture) {
  std::string cfg = reg.PutBlob("team/app", R"({"os":"linux","architecture":"amd64"})");
  reg.PutManifest("team/app", "1.0", mg::kMediaTypeOciManifest, ImageManifest(cfg));
  auto r = mg::ProbeImage(client, "team/app", "1.0", both, nullptr);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(r->state == ProbeState::kIncomplete);
  BOOST_TEST(r->missing_platforms == both, boost::test_tools::per_element());
  BOOST_TEST(reg.count("GET", "/blobs/") == 0);
}

BOOST_FIXTURE_TEST_CASE(single_manifest_with_one_wanted_reads_the_config, Fixture) {
  std::string cfg = reg.PutBlob("team/app", R"({"os":"linux","architecture":"arm64","variant":"v8"})");
  reg.PutManifest("team/app", "1.0", mg::kMediaTypeOciManifest, ImageManifest(cfg));
  auto match = mg::ProbeImage(client, "team/app", "1.0", {"linux/arm64"}, nullptr);
  BOOST_REQUIRE_MESSAGE(match.ok(), match.status().ToString());
  BOOST_CHECK(match->state == ProbeState::kComplete);
  BOOST_TEST(match->platforms == std::vector<std::string>{"linux/arm64/v8"}, boost::test_tools::per_element());
  BOOST_TEST(reg.count("GET", "/blobs/" + cfg) == 1);

  auto mismatch = mg::ProbeImage(client, "team/app", "1.0", {"linux/amd64"}, nullptr);
  BOOST_REQUIRE(mismatch.ok());
  BOOST_CHECK(mismatch->state == ProbeState::kIncomplete);
  BOOST_TEST(mismatch->missing_platforms == std::vector<std::string>{"linux/amd64"}, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(known_digest_is_reused_without_a_get, Fixture) {
  std::string digest =
      reg.PutManifest("team/app", "1.0", mg::kMediaTypeOciIndex, Index({Entry(d1, "linux", "amd64")}));
  mg::ProbeResult known;
  known.state = ProbeState::kIncomplete;
  known.digest = digest;
  known.media_type = mg::kMediaTypeOciIndex;
  known.platforms = {"linux/amd64", "linux/arm64"};  // deliberately not what the registry holds
  auto r = mg::ProbeImage(client, "team/app", "1.0", both, &known);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(reg.count("GET", "/manifests/") == 0);
  BOOST_TEST(reg.count("HEAD", "/manifests/1.0") == 1);
  BOOST_CHECK(r->state == ProbeState::kComplete);  // re-classified from the known platform list
  BOOST_TEST(r->platforms == known.platforms, boost::test_tools::per_element());

  known.digest = mg::Sha256Digest("an older index");
  auto fresh = mg::ProbeImage(client, "team/app", "1.0", both, &known);
  BOOST_REQUIRE(fresh.ok());
  BOOST_TEST(reg.count("GET", "/manifests/") == 1);
  BOOST_CHECK(fresh->state == ProbeState::kIncomplete);
}

BOOST_FIXTURE_TEST_CASE(unsupported_media_type_is_an_error, Fixture) {
  reg.PutManifest("team/app", "1.0", "application/vnd.cncf.helm.chart.content.v1.tar+gzip", R"({"x":1})");
  auto r = mg::ProbeImage(client, "team/app", "1.0", both, nullptr);
  BOOST_REQUIRE(!r.ok());
  BOOST_CHECK(r.status().code() == Status::Code::kFailedPrecondition);
}

BOOST_AUTO_TEST_CASE(json_round_trip_and_damage) {
  mg::ProbeResult r;
  r.state = ProbeState::kIncomplete;
  r.digest = "sha256:" + std::string(64, 'a');
  r.media_type = mg::kMediaTypeOciIndex;
  r.platforms = {"linux/amd64"};
  r.missing_platforms = {"linux/arm64"};
  r.detail = "lacks linux/arm64";
  mg::Json j = r.ToJson();
  BOOST_TEST(j["state"] == "incomplete");
  auto back = mg::ProbeResult::FromJson(j);
  BOOST_REQUIRE(back.has_value());
  BOOST_CHECK(back->state == r.state);
  BOOST_TEST(back->digest == r.digest);
  BOOST_TEST(back->media_type == r.media_type);
  BOOST_TEST(back->platforms == r.platforms, boost::test_tools::per_element());
  BOOST_TEST(back->missing_platforms == r.missing_platforms, boost::test_tools::per_element());
  BOOST_TEST(back->detail == r.detail);
  BOOST_TEST(mg::CanonicalJson(back->ToJson()) == mg::CanonicalJson(j));

  mg::Json bad_state = j;
  bad_state["state"] = "exists";
  BOOST_TEST(!mg::ProbeResult::FromJson(bad_state).has_value());
  mg::Json bad_list = j;
  bad_list["platforms"] = {1, 2};
  BOOST_TEST(!mg::ProbeResult::FromJson(bad_list).has_value());
  mg::Json no_digest = j;
  no_digest.erase("digest");
  BOOST_TEST(!mg::ProbeResult::FromJson(no_digest).has_value());
  BOOST_TEST(!mg::ProbeResult::FromJson(mg::Json::array()).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
