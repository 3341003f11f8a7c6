#include "oci/blob_upload.h"

#include <boost/test/unit_test.hpp>

#include <fstream>

#include "unit/oci/fake_registry.h"
#include "unit/util/temp_dir.h"
#include "util/sha256.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::BlobUploadOptions;
using mg::BlobUploadPath;
using mg::Status;
using mg::testing::FakeRegistry;
using mg::testing::MakeResponse;

namespace {

struct Fixture : mg::testing::FakeRegistryClient {
  mg::testing::TempDir dir;

  std::string WriteFile(const std::string& name, const std::string& bytes) {
    std::string path = dir / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::vector<mg::HttpRequest> Requests(const std::string& method) const {
    std::vector<mg::HttpRequest> out;
    for (const mg::HttpRequest& r : reg.transport.requests()) {
      if (r.method == method) out.push_back(r);
    }
    return out;
  }
};

BlobUploadOptions Chunked(size_t chunk_size) {
  BlobUploadOptions o;
  o.chunk_size = chunk_size;
  return o;
}

const std::string kBase = "https://reg.example/v2/team/app/blobs/";

// Makes the registry name its upload sessions on `foreign` (another origin), which serves them
// without credentials, as a storage backend holding the session URL as its capability would.
// Requests that reach `foreign` are appended to `*seen`.
void ServeUploadsFrom(Fixture& f, const std::string& foreign, std::vector<mg::HttpRequest>* seen) {
  const std::string own = "https://reg.example";
  auto inner = f.reg.transport.handler;
  f.reg.transport.handler = [=](const mg::HttpRequest& r) -> mg::Result<mg::HttpResponse> {
    mg::HttpRequest forwarded = r;
    if (r.url.rfind(foreign + "/", 0) == 0) {
      seen->push_back(r);
      forwarded.url = own + r.url.substr(foreign.size());
      forwarded.headers.push_back({"Authorization", "Bearer tok-good"});
    }
    mg::Result<mg::HttpResponse> resp = inner(forwarded);
    if (!resp.ok()) return resp;
    if (auto it = resp->headers.find("location");
        it != resp->headers.end() && it->second.find("/blobs/uploads/") != std::string::npos) {
      it->second = foreign + (it->second.rfind(own, 0) == 0 ? it->second.substr(own.size()) : it->second);
    }
    return resp;
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(blob_upload_test)

BOOST_AUTO_TEST_CASE(small_blob_goes_up_monolithically) {
  Fixture f;
  const std::string bytes = "ten bytes!";
  const std::string digest = mg::Sha256Digest(bytes);
  auto r = mg::UploadBlobFile(f.client, "team/app", digest, f.WriteFile("b", bytes), Chunked(10));
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(*r == BlobUploadPath::kMonolithic);
  BOOST_TEST(mg::BlobUploadPathName(*r) == std::string("monolithic"));
  auto reqs = f.reg.transport.requests();
  BOOST_REQUIRE(reqs.size() == 3u);
  BOOST_TEST(reqs[0].method == "HEAD");
  BOOST_TEST(reqs[0].url == kBase + digest);
  BOOST_TEST(reqs[1].method == "POST");
  BOOST_TEST(reqs[1].url == kBase + "uploads/");
  BOOST_TEST(reqs[2].method == "PUT");
  BOOST_TEST(reqs[2].url == kBase + "uploads/s1?step=0&digest=sha256%3A" + digest.substr(7));
  BOOST_TEST(reqs[2].body == bytes);
  BOOST_TEST(f.reg.Blob("team/app", digest) == bytes);
}

BOOST_AUTO_TEST_CASE(large_blob_goes_up_in_chunks_following_each_location) {
  Fixture f;
  const std::string bytes = "0123456789";
  const std::string digest = mg::Sha256Digest(bytes);
  auto r = mg::UploadBlobFile(f.client, "team/app", digest, f.WriteFile("b", bytes), Chunked(4));
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(*r == BlobUploadPath::kChunked);

  auto patches = f.Requests("PATCH");
  BOOST_REQUIRE(patches.size() == 3u);
  const std::vector<std::string> ranges = {"0-3", "4-7", "8-9"};
  const std::vector<std::string> bodies = {"0123", "4567", "89"};
  for (size_t i = 0; i < 3; ++i) {
    BOOST_TEST(mg::testing::RequestHeader(patches[i], "Content-Range") == ranges[i]);
    BOOST_TEST(mg::testing::RequestHeader(patches[i], "Content-Type") == "application/octet-stream");
    BOOST_TEST(patches[i].body == bodies[i]);
    // The first goes to the POST's (relative) Location, each next one to the previous answer's.
    BOOST_TEST(patches[i].url == kBase + "uploads/s1?step=" + std::to_string(i));
  }
  auto puts = f.Requests("PUT");
  BOOST_REQUIRE(puts.size() == 1u);
  BOOST_TEST(puts[0].url == kBase + "uploads/s1?step=3&digest=sha256%3A" + digest.substr(7));
  BOOST_TEST(puts[0].body.empty());
  BOOST_TEST(f.reg.Blob("team/app", digest) == bytes);
  BOOST_TEST(f.reg.open_sessions() == 0u);
}

BOOST_AUTO_TEST_CASE(registry_minimum_chunk_length_is_honoured) {
  Fixture f;
  f.reg.chunk_min_length = "6";
  const std::string bytes = "0123456789";
  const std::string digest = mg::Sha256Digest(bytes);
  auto r = mg::UploadBlobFile(f.client, "team/app", digest, f.WriteFile("b", bytes), Chunked(4));
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  auto patches = f.Requests("PATCH");
  BOOST_REQUIRE(patches.size() == 2u);
  BOOST_TEST(mg::testing::RequestHeader(patches[0], "Content-Range") == "0-5");
  BOOST_TEST(mg::testing::RequestHeader(patches[1], "Content-Range") == "6-9");
  BOOST_TEST(f.reg.Blob("team/app", digest) == bytes);
}

BOOST_AUTO_TEST_CASE(present_blob_is_skipped_without_reading_the_file) {
  Fixture f;
  const std::string bytes = "already there";
  const std::string digest = f.reg.PutBlob("team/app", bytes);
  // The file's content differs: it is never read when the registry has the blob.
  auto r = mg::UploadBlobFile(f.client, "team/app", digest, f.WriteFile("b", "not the blob"), {});
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(*r == BlobUploadPath::kAlreadyPresent);
  BOOST_TEST(f.reg.transport.request_count() == 1u);
}

BOOST_AUTO_TEST_CASE(mount_is_tried_in_order_and_a_declined_one_cancelled) {
  Fixture f;
  const std::string bytes = "shared layer";
  const std::string digest = f.reg.PutBlob("team/source", bytes);
  BlobUploadOptions o;
  o.mount_from = {"team/app", "team/empty", "team/source"};  // the target itself is skipped
  auto r = mg::UploadBlobFile(f.client, "team/app", digest, f.WriteFile("b", bytes), o);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(*r == BlobUploadPath::kMounted);
  auto posts = f.Requests("POST");
  BOOST_REQUIRE(posts.size() == 2u);
  BOOST_TEST(posts[0].url == kBase + "uploads/?mount=sha256%3A" + digest.substr(7) + "&from=team%2Fempty");
  BOOST_TEST(posts[1].url == kBase + "uploads/?mount=sha256%3A" + digest.substr(7) + "&from=team%2Fsource");
  BOOST_TEST(f.Requests("DELETE").size() == 1u);  // the session the 202 opened
  BOOST_TEST(f.reg.cancelled_sessions() == 1);
  BOOST_TEST(f.Requests("PUT").empty());
  BOOST_TEST(f.reg.Blob("team/app", digest) == bytes);
}

BOOST_AUTO_TEST_CASE(declined_mounts_fall_back_to_an_upload) {
  Fixture f;
  f.reg.allow_mount = false;
  const std::string bytes = "not mountable here";
  const std::string digest = f.reg.PutBlob("team/source", bytes);
  BlobUploadOptions o;
  o.mount_from = {"team/source"};
  auto r = mg::UploadBlobFile(f.client, "team/app", digest, f.WriteFile("b", bytes), o);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(*r == BlobUploadPath::kMonolithic);
  BOOST_TEST(f.reg.cancelled_sessions() == 1);
  BOOST_TEST(f.reg.open_sessions() == 0u);
  BOOST_TEST(f.reg.Blob("team/app", digest) == bytes);
}

BOOST_AUTO_TEST_CASE(mount_errors_other_than_unavailable_are_passed_over) {
  Fixture f;
  const std::string bytes = "blob";
  const std::string digest = mg::Sha256Digest(bytes);
  f.reg.forced_status["from=team%2Fforbidden"] = 403;
  BlobUploadOptions o;
  o.mount_from = {"team/forbidden"};
  auto r = mg::UploadBlobFile(f.client, "team/app", digest, f.WriteFile("b", bytes), o);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(*r == BlobUploadPath::kMonolithic);

  Fixture g;
  g.reg.forced_status["from=team%2Fdown"] = 503;
  o.mount_from = {"team/down"};
  auto down = mg::UploadBlobFile(g.client, "team/app", digest, g.WriteFile("b", bytes), o);
  BOOST_CHECK(down.status().code() == Status::Code::kUnavailable);
  BOOST_TEST(g.Requests("PUT").empty());
}

BOOST_AUTO_TEST_CASE(chunked_digest_mismatch_cancels_before_the_final_put) {
  Fixture f;
  const std::string digest = mg::Sha256Digest("what the descriptor promised");
  auto r = mg::UploadBlobFile(f.client, "team/app", digest, f.WriteFile("b", "something else entirely"), Chunked(8));
  BOOST_CHECK(r.status().code() == Status::Code::kCorruption);
  BOOST_TEST(r.status().message().find(f.dir / "b") != std::string::npos);
  BOOST_TEST(r.status().message().find(digest) != std::string::npos);
  BOOST_TEST(r.status().message().find(mg::Sha256Digest("something else entirely")) != std::string::npos);
  BOOST_TEST(f.Requests("PATCH").size() == 3u);
  BOOST_TEST(f.Requests("PUT").empty());
  auto deletes = f.Requests("DELETE");
  BOOST_REQUIRE(deletes.size() == 1u);
  BOOST_TEST(deletes[0].url == kBase + "uploads/s1?step=3");  // the latest Location
  BOOST_TEST(f.reg.open_sessions() == 0u);
  BOOST_TEST(!f.reg.HasBlob("team/app", digest));
}

BOOST_AUTO_TEST_CASE(monolithic_digest_mismatch_sends_nothing) {
  Fixture f;
  const std::string digest = mg::Sha256Digest("promised");
  auto r = mg::UploadBlobFile(f.client, "team/app", digest, f.WriteFile("b", "delivered"), {});
  BOOST_CHECK(r.status().code() == Status::Code::kCorruption);
  BOOST_TEST(f.reg.transport.request_count() == 1u);  // the HEAD only
}

BOOST_AUTO_TEST_CASE(failure_after_the_post_cancels_the_session) {
  Fixture f;
  int patches = 0;
  auto inner = f.reg.transport.handler;
  f.reg.transport.handler = [&](const mg::HttpRequest& r) -> mg::Result<mg::HttpResponse> {
    if (r.method == "PATCH" && ++patches == 2) return MakeResponse(500, {}, R"({"errors":[{"code":"UNKNOWN"}]})");
    return inner(r);
  };
  const std::string bytes = "0123456789";
  auto r = mg::UploadBlobFile(f.client, "team/app", mg::Sha256Digest(bytes), f.WriteFile("b", bytes), Chunked(4));
  BOOST_CHECK(r.status().code() == Status::Code::kUnavailable);
  BOOST_TEST(f.Requests("DELETE").size() == 1u);
  BOOST_TEST(f.reg.cancelled_sessions() == 1);
  BOOST_TEST(f.reg.open_sessions() == 0u);
}

BOOST_AUTO_TEST_CASE(short_acknowledged_range_is_corruption) {
  Fixture f;
  auto inner = f.reg.transport.handler;
  f.reg.transport.handler = [&](const mg::HttpRequest& r) -> mg::Result<mg::HttpResponse> {
    mg::Result<mg::HttpResponse> resp = inner(r);
    if (r.method == "PATCH" && resp.ok()) resp->headers["range"] = "0-1";
    return resp;
  };
  const std::string bytes = "0123456789";
  auto r = mg::UploadBlobFile(f.client, "team/app", mg::Sha256Digest(bytes), f.WriteFile("b", bytes), Chunked(4));
  BOOST_CHECK(r.status().code() == Status::Code::kCorruption);
  BOOST_TEST(r.status().message().find("acknowledged only 0-1") != std::string::npos);
  BOOST_TEST(f.Requests("PATCH").size() == 1u);
  BOOST_TEST(f.reg.cancelled_sessions() == 1);
}

BOOST_AUTO_TEST_CASE(chunked_upload_through_bearer_auth) {
  Fixture f;
  f.reg.auth = FakeRegistry::Auth::kBearer;
  mg::RegistryClient client{f.http, FakeRegistry::kHost, false, mg::Credentials{"alice", "s3cret-pw", ""}};
  const std::string bytes(1000, 'x');
  const std::string digest = mg::Sha256Digest(bytes);
  auto r = mg::UploadBlobFile(client, "team/app", digest, f.WriteFile("b", bytes), Chunked(300));
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_CHECK(*r == BlobUploadPath::kChunked);
  BOOST_TEST(f.Requests("PATCH").size() == 4u);
  BOOST_TEST(f.reg.Blob("team/app", digest) == bytes);
}

BOOST_AUTO_TEST_CASE(bad_arguments_fail_before_any_request) {
  Fixture f;
  const std::string bytes = "x";
  const std::string digest = mg::Sha256Digest(bytes);
  const std::string path = f.WriteFile("b", bytes);
  BOOST_CHECK(mg::UploadBlobFile(f.client, "team/app", digest, path, Chunked(0)).status().code() ==
              Status::Code::kInvalidArgument);
  BlobUploadOptions bad_mount;
  bad_mount.mount_from = {"Not/Valid"};
  BOOST_CHECK(mg::UploadBlobFile(f.client, "team/app", digest, path, bad_mount).status().code() ==
              Status::Code::kInvalidArgument);
  BOOST_CHECK(mg::UploadBlobFile(f.client, "team/app", "sha256:nothex", path, {}).status().code() ==
              Status::Code::kInvalidArgument);
  auto missing = mg::UploadBlobFile(f.client, "team/app", digest, f.dir / "absent", {});
  BOOST_CHECK(missing.status().code() == Status::Code::kIOError);
  BOOST_TEST(missing.status().message().find(f.dir / "absent") != std::string::npos);
  BOOST_TEST(f.reg.transport.request_count() == 0u);
}

// Credentials go to the registry's own origin only: upload Locations on another host, on another
// port, or on plain http for an https registry get the PATCHes and the PUT without them.
BOOST_AUTO_TEST_CASE(upload_locations_on_another_origin_get_no_credentials) {
  for (const std::string foreign : {"https://uploads.example", "https://reg.example:8443", "http://reg.example"}) {
    Fixture f;
    f.reg.auth = FakeRegistry::Auth::kBearer;
    mg::RegistryClient client{f.http, FakeRegistry::kHost, false, mg::Credentials{"alice", "s3cret-pw", ""}};
    std::vector<mg::HttpRequest> seen;
    ServeUploadsFrom(f, foreign, &seen);
    const std::string bytes = "0123456789";
    const std::string digest = mg::Sha256Digest(bytes);
    auto r = mg::UploadBlobFile(client, "team/app", digest, f.WriteFile("b", bytes), Chunked(4));
    BOOST_REQUIRE_MESSAGE(r.ok(), foreign + ": " + r.status().ToString());
    BOOST_TEST(f.reg.Blob("team/app", digest) == bytes);
    BOOST_REQUIRE_MESSAGE(seen.size() == 4u, foreign);  // three PATCHes, the closing PUT
    for (const mg::HttpRequest& req : seen) {
      BOOST_TEST(mg::testing::RequestHeader(req, "Authorization") == "", foreign + ": " + req.method);
    }
    BOOST_TEST(mg::testing::RequestHeader(f.Requests("POST").back(), "Authorization") == "Bearer tok-good");
  }
}

// A Location on another origin that wants credentials is refused with the reason they were not
// sent; its 401 is not answered with a token.
BOOST_AUTO_TEST_CASE(a_foreign_location_asking_for_credentials_says_why_none_were_sent) {
  Fixture f;
  f.reg.auth = FakeRegistry::Auth::kBearer;
  mg::RegistryClient client{f.http, FakeRegistry::kHost, false, mg::Credentials{"alice", "s3cret-pw", ""}};
  std::vector<mg::HttpRequest> seen;
  ServeUploadsFrom(f, "https://uploads.example", &seen);
  auto serve = f.reg.transport.handler;
  f.reg.transport.handler = [&](const mg::HttpRequest& r) -> mg::Result<mg::HttpResponse> {
    if (r.url.rfind("https://uploads.example/", 0) != 0) return serve(r);
    seen.push_back(r);
    return MakeResponse(401, {{"WWW-Authenticate", "Bearer realm=\"https://auth.example/token\""}},
                        R"({"errors":[{"code":"UNAUTHORIZED"}]})");
  };
  const std::string bytes = "ten bytes!";
  auto r = mg::UploadBlobFile(client, "team/app", mg::Sha256Digest(bytes), f.WriteFile("b", bytes), {});
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == Status::Code::kPermissionDenied), r.status().ToString());
  const std::string message = r.status().message();
  BOOST_TEST(message.find("PUT https://uploads.example/v2/team/app/blobs/uploads/s1?<redacted>: HTTP 401") !=
                 std::string::npos,
             message);
  BOOST_TEST(message.find("no credentials were sent: the URL is not on the registry's origin https://reg.example") !=
                 std::string::npos,
             message);
  for (const char* secret : {"s3cret-pw", "tok-good", "step="})
    BOOST_TEST(message.find(secret) == std::string::npos, message);
  BOOST_REQUIRE(seen.size() == 1u);
  BOOST_TEST(mg::testing::RequestHeader(seen[0], "Authorization") == "");
  BOOST_TEST(f.reg.count("GET", "https://auth.example/token") == 1);  // the registry's own challenge only
}

// OCI-Chunk-Min-Length is the registry's to choose, but a chunk is held in memory: above 256 MiB
// (here the largest 64-bit number, and one beyond it) the upload stops before reading the file.
BOOST_AUTO_TEST_CASE(a_huge_minimum_chunk_length_is_refused) {
  for (const std::string huge : {"18446744073709551615", "99999999999999999999999", "268435457"}) {
    Fixture f;
    f.reg.chunk_min_length = huge;
    const std::string bytes = "0123456789";
    auto r = mg::UploadBlobFile(f.client, "team/app", mg::Sha256Digest(bytes), f.WriteFile("b", bytes), Chunked(4));
    BOOST_REQUIRE_MESSAGE(!r.ok(), huge);
    BOOST_TEST((r.status().code() == Status::Code::kFailedPrecondition), r.status().ToString());
    const std::string message = r.status().message();
    const std::string shown = huge.size() > 20 ? "18446744073709551615" : huge;
    BOOST_TEST(message.find("chunks of at least " + shown + " bytes (OCI-Chunk-Min-Length in its answer to POST " +
                            kBase + "uploads/), more than the 256 MiB") != std::string::npos,
               message);
    BOOST_TEST(message.find("Lower the registry's minimum chunk length") != std::string::npos, message);
    BOOST_TEST(f.Requests("PATCH").empty());
    BOOST_TEST(f.reg.cancelled_sessions() == 1);
  }
  // 256 MiB itself is honoured: the whole (small) blob in one chunk.
  Fixture f;
  f.reg.chunk_min_length = std::to_string(256 << 20);
  const std::string bytes = "0123456789";
  auto r = mg::UploadBlobFile(f.client, "team/app", mg::Sha256Digest(bytes), f.WriteFile("b", bytes), Chunked(4));
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(f.Requests("PATCH").size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
