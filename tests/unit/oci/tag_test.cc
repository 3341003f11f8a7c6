#include "oci/tag.h"

#include <boost/test/unit_test.hpp>

#include "oci/media_types.h"
#include "unit/oci/fake_registry.h"
#include "util/sha256.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::Status;
using mg::TagOutcome;
using mg::testing::FakeRegistry;

namespace {

struct Fixture : mg::testing::FakeRegistryClient {};

const std::string kIndexV1 = std::string(R"({"mediaType":")") + mg::kMediaTypeOciIndex + R"(","manifests":[],"v":1})";
const std::string kIndexV2 = std::string(R"({"mediaType":")") + mg::kMediaTypeOciIndex + R"(","manifests":[],"v":2})";

}  // namespace

BOOST_AUTO_TEST_SUITE(tag_test)

BOOST_AUTO_TEST_CASE(tag_already_on_the_digest_writes_nothing) {
  Fixture f;
  const std::string digest = f.reg.PutManifest("team/app", "latest", mg::kMediaTypeOciIndex, kIndexV1);
  auto r = mg::TagManifest(f.client, "team/app", digest, "latest");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(*r == TagOutcome::kAlreadySet);
  BOOST_TEST(mg::TagOutcomeName(*r) == std::string("already-set"));
  auto reqs = f.reg.transport.requests();
  BOOST_REQUIRE(reqs.size() == 1u);
  BOOST_TEST(reqs[0].method == "HEAD");
  BOOST_TEST(reqs[0].url == "https://reg.example/v2/team/app/manifests/latest");
}

BOOST_AUTO_TEST_CASE(tag_is_moved_with_the_exact_bytes_and_media_type) {
  Fixture f;
  f.reg.PutManifest("team/app", "latest", mg::kMediaTypeOciIndex, kIndexV1);
  const std::string digest = f.reg.PutManifest("team/app", "", mg::kMediaTypeOciIndex, kIndexV2);
  auto r = mg::TagManifest(f.client, "team/app", digest, "latest");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(*r == TagOutcome::kSet);
  auto reqs = f.reg.transport.requests();
  BOOST_REQUIRE(reqs.size() == 3u);
  BOOST_TEST(reqs[0].method == "HEAD");
  BOOST_TEST(reqs[1].method == "GET");
  BOOST_TEST(reqs[1].url == "https://reg.example/v2/team/app/manifests/" + digest);
  BOOST_TEST(reqs[2].method == "PUT");
  BOOST_TEST(reqs[2].url == "https://reg.example/v2/team/app/manifests/latest");
  BOOST_TEST(reqs[2].body == kIndexV2);
  BOOST_TEST(mg::testing::RequestHeader(reqs[2], "Content-Type") == mg::kMediaTypeOciIndex);
  BOOST_TEST(f.reg.ManifestBytes("team/app", "latest") == kIndexV2);

  // Now it is set: a second call writes nothing.
  auto again = mg::TagManifest(f.client, "team/app", digest, "latest");
  BOOST_REQUIRE(again.ok());
  BOOST_CHECK(*again == TagOutcome::kAlreadySet);
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == 1);
}

BOOST_AUTO_TEST_CASE(new_tag_is_created) {
  Fixture f;
  const std::string digest = f.reg.PutManifest("team/app", "", mg::kMediaTypeOciIndex, kIndexV1);
  auto r = mg::TagManifest(f.client, "team/app", digest, "1.2.3");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(*r == TagOutcome::kSet);
  BOOST_TEST(f.reg.ManifestBytes("team/app", "1.2.3") == kIndexV1);
}

BOOST_AUTO_TEST_CASE(head_without_a_digest_asks_with_get) {
  Fixture f;
  const std::string digest = f.reg.PutManifest("team/app", "latest", mg::kMediaTypeOciIndex, kIndexV1);
  auto inner = f.reg.transport.handler;
  f.reg.transport.handler = [&](const mg::HttpRequest& r) -> mg::Result<mg::HttpResponse> {
    mg::Result<mg::HttpResponse> resp = inner(r);
    if (r.method == "HEAD" && resp.ok()) resp->headers.erase("docker-content-digest");
    return resp;
  };
  auto r = mg::TagManifest(f.client, "team/app", digest, "latest");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(*r == TagOutcome::kAlreadySet);
  BOOST_TEST(f.reg.count("GET", "/manifests/latest") == 1);
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == 0);
}

BOOST_AUTO_TEST_CASE(absent_or_corrupt_manifest_is_not_tagged) {
  Fixture f;
  const std::string absent = mg::Sha256Digest("never pushed");
  auto r = mg::TagManifest(f.client, "team/app", absent, "latest");
  BOOST_CHECK(r.status().code() == Status::Code::kNotFound);
  BOOST_TEST(r.status().message().find("tag reg.example/team/app:latest as " + absent) == 0u);
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == 0);

  Fixture g;
  const std::string digest = g.reg.PutManifest("team/app", "", mg::kMediaTypeOciIndex, kIndexV1);
  g.reg.tamper_manifest_body = kIndexV2;
  auto corrupt = mg::TagManifest(g.client, "team/app", digest, "latest");
  BOOST_CHECK(corrupt.status().code() == Status::Code::kCorruption);
  BOOST_TEST(g.reg.count("PUT", "/manifests/") == 0);
}

BOOST_AUTO_TEST_CASE(invalid_arguments_send_nothing) {
  Fixture f;
  const std::string digest = mg::Sha256Digest("x");
  BOOST_CHECK(mg::TagManifest(f.client, "team/app", digest, "bad tag").status().code() ==
              Status::Code::kInvalidArgument);
  BOOST_CHECK(mg::TagManifest(f.client, "Team/App", digest, "latest").status().code() ==
              Status::Code::kInvalidArgument);
  BOOST_CHECK(mg::TagManifest(f.client, "team/app", "latest", "latest").status().code() ==
              Status::Code::kInvalidArgument);
  BOOST_TEST(f.reg.transport.request_count() == 0u);
}

BOOST_AUTO_TEST_CASE(registry_errors_are_returned) {
  Fixture f;
  f.reg.forced_status["/manifests/latest"] = 403;
  auto r = mg::TagManifest(f.client, "team/app", mg::Sha256Digest("x"), "latest");
  BOOST_CHECK(r.status().code() == Status::Code::kPermissionDenied);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
