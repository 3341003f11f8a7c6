#include "oci/push.h"

#include <boost/test/unit_test.hpp>

#include "oci/media_types.h"
#include "unit/http/fake_transport.h"
#include "util/sha256.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::Status;
using mg::testing::FakeTransport;
using mg::testing::MakeResponse;

namespace {

// Scripted exchanges against https://reg.example without authentication.
struct Fixture {
  FakeTransport transport;
  mg::HttpClient http{transport, [] {
                        mg::HttpClientOptions o;
                        o.sleep = [](std::chrono::milliseconds) {};
                        o.max_attempts = 1;
                        return o;
                      }()};
  mg::RegistryClient client{http, "reg.example", false, std::nullopt};
};

}  // namespace

BOOST_AUTO_TEST_SUITE(push_test)

BOOST_AUTO_TEST_CASE(monolithic_upload_with_a_relative_location) {
  Fixture f;
  const std::string bytes = "blob bytes";
  const std::string digest = mg::Sha256Digest(bytes);
  f.transport.Push(MakeResponse(404));
  f.transport.Push(MakeResponse(202, {{"Location", "/v2/team/app/blobs/uploads/u1?_state=abc"}}));
  f.transport.Push(MakeResponse(201, {{"Docker-Content-Digest", digest}}));
  Status s = mg::PushBlob(f.client, "team/app", digest, bytes);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  auto reqs = f.transport.requests();
  BOOST_REQUIRE(reqs.size() == 3u);
  BOOST_TEST(reqs[0].method == "HEAD");
  BOOST_TEST(reqs[0].url == "https://reg.example/v2/team/app/blobs/" + digest);
  BOOST_TEST(reqs[1].method == "POST");
  BOOST_TEST(reqs[1].url == "https://reg.example/v2/team/app/blobs/uploads/");
  BOOST_TEST(reqs[2].method == "PUT");
  BOOST_TEST(reqs[2].url == "https://reg.example/v2/team/app/blobs/uploads/u1?_state=abc&digest=sha256%3A" +
                                digest.substr(7));
  BOOST_TEST(reqs[2].body == bytes);
}

BOOST_AUTO_TEST_CASE(present_blob_is_not_uploaded) {
  Fixture f;
  f.transport.Push(MakeResponse(200));
  BOOST_TEST(mg::PushBlob(f.client, "team/app", mg::Sha256Digest("x"), "x").ok());
  BOOST_TEST(f.transport.request_count() == 1u);
}

BOOST_AUTO_TEST_CASE(upload_errors_are_mapped) {
  Fixture f;
  f.transport.Push(MakeResponse(404));
  f.transport.Push(MakeResponse(403, {}, R"({"errors":[{"code":"DENIED","message":"no push"}]})"));
  Status s = mg::PushBlob(f.client, "team/app", mg::Sha256Digest("x"), "x");
  BOOST_CHECK(s.code() == Status::Code::kPermissionDenied);

  Fixture g;
  g.transport.Push(MakeResponse(404));
  g.transport.Push(MakeResponse(202));  // no Location
  BOOST_CHECK(mg::PushBlob(g.client, "team/app", mg::Sha256Digest("x"), "x").code() ==
              Status::Code::kFailedPrecondition);
}

BOOST_AUTO_TEST_CASE(declined_mount_cancels_the_upload) {
  Fixture f;
  const std::string digest = mg::Sha256Digest("layer");
  f.transport.Push(MakeResponse(202, {{"Location", "https://reg.example/v2/team/app/blobs/uploads/u2"}}));
  f.transport.Push(MakeResponse(204));
  auto r = mg::MountBlob(f.client, "team/app", digest, "other/repo");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(*r == mg::MountOutcome::kNotMounted);
  auto reqs = f.transport.requests();
  BOOST_REQUIRE(reqs.size() == 2u);
  BOOST_TEST(reqs[0].url == "https://reg.example/v2/team/app/blobs/uploads/?mount=sha256%3A" + digest.substr(7) +
                                "&from=other%2Frepo");
  BOOST_TEST(reqs[1].method == "DELETE");
  BOOST_TEST(reqs[1].url == "https://reg.example/v2/team/app/blobs/uploads/u2");

  Fixture g;
  g.transport.Push(MakeResponse(201));
  auto mounted = mg::MountBlob(g.client, "team/app", digest, "other/repo");
  BOOST_REQUIRE(mounted.ok());
  BOOST_CHECK(*mounted == mg::MountOutcome::kMounted);
}

BOOST_AUTO_TEST_CASE(manifest_put_checks_the_registry_digest) {
  const std::string bytes = std::string(R"({"mediaType":")") + mg::kMediaTypeOciIndex + R"(","manifests":[]})";
  Fixture f;
  f.transport.Push(MakeResponse(201, {{"Docker-Content-Digest", mg::Sha256Digest(bytes)}}));
  auto ok = mg::PutManifest(f.client, "team/app", "1.0.0", bytes, mg::kMediaTypeOciIndex);
  BOOST_REQUIRE_MESSAGE(ok.ok(), ok.status().ToString());
  BOOST_TEST(*ok == mg::Sha256Digest(bytes));
  auto reqs = f.transport.requests();
  BOOST_REQUIRE(reqs.size() == 1u);
  BOOST_TEST(reqs[0].method == "PUT");
  BOOST_TEST(reqs[0].url == "https://reg.example/v2/team/app/manifests/1.0.0");
  BOOST_TEST(mg::testing::RequestHeader(reqs[0], "Content-Type") == mg::kMediaTypeOciIndex);
  BOOST_TEST(reqs[0].body == bytes);

  Fixture g;
  g.transport.Push(MakeResponse(201, {{"Docker-Content-Digest", mg::Sha256Digest("something else")}}));
  auto bad = mg::PutManifest(g.client, "team/app", "1.0.0", bytes, mg::kMediaTypeOciIndex);
  BOOST_CHECK(bad.status().code() == Status::Code::kCorruption);

  Fixture h;
  h.transport.Push(MakeResponse(400, {}, R"({"errors":[{"code":"MANIFEST_BLOB_UNKNOWN"}]})"));
  mg::ManifestPutOptions once;  // the retries are upload_race_test's
  once.max_attempts = 1;
  auto refused = mg::PutManifest(h.client, "team/app", "1.0.0", bytes, mg::kMediaTypeOciIndex, once);
  BOOST_CHECK(refused.status().code() == Status::Code::kFailedPrecondition);
  BOOST_TEST(refused.status().message().find("MANIFEST_BLOB_UNKNOWN") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
