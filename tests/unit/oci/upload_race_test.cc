// Concurrent uploads of one blob (InFlightUploads, UploadBlobFile, PushBlob) and the manifest PUT's
// retry when the registry refuses it for a blob it is committing (PutManifest); upload session
// URLs never shown in messages.
#include "oci/upload_dedup.h"

#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "oci/blob_upload.h"
#include "oci/media_types.h"
#include "oci/push.h"
#include "unit/oci/fake_registry.h"
#include "unit/util/temp_dir.h"
#include "util/sha256.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::BlobUploadPath;
using mg::HttpRequest;
using mg::Json;
using mg::Result;
using mg::Status;
using mg::testing::MakeResponse;

namespace {

using Handler = std::function<Result<mg::HttpResponse>(const HttpRequest&)>;

constexpr char kRace[] =
    R"({"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"},)"
    R"({"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry"}]})";

struct Fixture : mg::testing::FakeRegistryClient {
  mg::testing::TempDir dir;
  Handler original = reg.transport.handler;

  std::string WriteFile(const std::string& name, const std::string& bytes) {
    std::string path = dir / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  // An image manifest over `config` and `layers`, all stored in team/app.
  std::string ImageManifest(const std::string& config, const std::vector<std::string>& layers) {
    Json descs = Json::array();
    for (const std::string& l : layers) {
      reg.PutBlob("team/app", l);
      descs.push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar"}, {"digest", mg::Sha256Digest(l)},
                       {"size", l.size()}});
    }
    reg.PutBlob("team/app", config);
    Json m = {{"schemaVersion", 2},
              {"mediaType", mg::kMediaTypeOciManifest},
              {"config", {{"mediaType", mg::kMediaTypeOciConfig}, {"digest", mg::Sha256Digest(config)},
                          {"size", config.size()}}},
              {"layers", descs}};
    return m.dump();
  }
  // Answers the first `times` manifest PUTs with the registry's race answer.
  void RefuseManifestPuts(int times) {
    auto left = std::make_shared<std::atomic<int>>(times);
    reg.transport.handler = [this, left](const HttpRequest& r) -> Result<mg::HttpResponse> {
      if (r.method == "PUT" && r.url.find("/manifests/") != std::string::npos && left->fetch_sub(1) > 0) {
        return MakeResponse(400, {{"Content-Type", "application/json"}}, kRace);
      }
      return original(r);
    };
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(upload_race_test)

// Two threads upload one blob to one repository: the second waits for the first and sends nothing.
// The first upload's commit is held until the second is known to be waiting (in the dedup) or to
// have been told by its own HEAD that the blob is missing; without the dedup it uploads too.
BOOST_AUTO_TEST_CASE(two_threads_pushing_one_digest_upload_it_once) {
  Fixture f;
  const std::string bytes(3000, 'L');
  const std::string digest = mg::Sha256Digest(bytes);
  const std::string path_a = f.WriteFile("a", bytes), path_b = f.WriteFile("b", bytes);
  std::mutex mu;
  std::condition_variable cv;
  int heads_answered = 0;
  bool commit_seen = false;
  f.reg.transport.handler = [&](const HttpRequest& r) -> Result<mg::HttpResponse> {
    const bool commit = r.method == "PUT" && r.url.find("/blobs/uploads/") != std::string::npos;
    if (commit) {
      std::unique_lock<std::mutex> lock(mu);
      if (!commit_seen) {
        commit_seen = true;
        cv.notify_all();
        cv.wait(lock, [&] { return f.client.uploads().waiting() >= 1 || heads_answered >= 2; });
      }
    }
    Result<mg::HttpResponse> answer = f.original(r);
    if (r.method == "HEAD") {
      std::lock_guard<std::mutex> lock(mu);
      ++heads_answered;
      cv.notify_all();
    }
    return answer;
  };
  Result<BlobUploadPath> first = Status::Internal("not run"), second = Status::Internal("not run");
  std::thread a([&] { first = mg::UploadBlobFile(f.client, "team/app", digest, path_a, {}); });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return commit_seen; });
  }
  std::thread b([&] { second = mg::UploadBlobFile(f.client, "team/app", digest, path_b, {}); });
  // The commit waits (and re-checks) until b is waiting or has had its HEAD answered.
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (f.client.uploads().waiting() >= 1 || heads_answered >= 2) break;
    }
    std::this_thread::yield();
  }
  cv.notify_all();
  a.join();
  b.join();
  BOOST_REQUIRE_MESSAGE(first.ok(), first.status().ToString());
  BOOST_REQUIRE_MESSAGE(second.ok(), second.status().ToString());
  BOOST_CHECK(*first == BlobUploadPath::kMonolithic);
  BOOST_CHECK(*second == BlobUploadPath::kJoined);
  BOOST_TEST(mg::BlobUploadPathName(*second) == std::string("joined"));
  BOOST_TEST(f.reg.count("POST", "/blobs/uploads/") == 1);
  BOOST_TEST(f.reg.count("PUT", "/blobs/uploads/") == 1);
  BOOST_TEST(f.reg.Blob("team/app", digest) == bytes);
}

// One caller's failure is not another's: a waiter whose leader failed uploads itself.
BOOST_AUTO_TEST_CASE(a_failed_upload_leaves_the_next_caller_to_upload) {
  mg::InFlightUploads uploads;
  std::mutex mu;
  std::condition_variable cv;
  bool leader_running = false, release = false;
  Status leader_status, follower_status;
  bool leader_joined = true, follower_joined = true;
  int follower_calls = 0;
  std::thread leader([&] {
    leader_status = uploads.Run("team/app", "sha256:x", [&] {
      std::unique_lock<std::mutex> lock(mu);
      leader_running = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
      return Status::Unavailable("injected");
    }, &leader_joined);
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return leader_running; });
  }
  std::thread follower([&] {
    follower_status = uploads.Run("team/app", "sha256:x", [&] {
      ++follower_calls;
      return Status::OK();
    }, &follower_joined);
  });
  while (uploads.waiting() < 1) std::this_thread::yield();
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  leader.join();
  follower.join();
  BOOST_CHECK(leader_status.code() == Status::Code::kUnavailable);
  BOOST_TEST(!leader_joined);
  BOOST_TEST(follower_status.ok());
  BOOST_TEST(!follower_joined);
  BOOST_TEST(follower_calls == 1);
  BOOST_TEST(uploads.waiting() == 0);

  // Other repositories and digests never wait on each other; a finished key is forgotten.
  bool joined = true;
  BOOST_TEST(uploads.Run("team/app", "sha256:x", [] { return Status::OK(); }, &joined).ok());
  BOOST_TEST(!joined);
}

BOOST_AUTO_TEST_CASE(manifest_refused_once_for_a_blob_race_is_retried) {
  Fixture f;
  const std::string manifest = f.ImageManifest("{\"os\":\"linux\"}", {"layer one", "layer two"});
  f.RefuseManifestPuts(1);
  auto put = mg::PutManifest(f.client, "team/app", mg::Sha256Digest(manifest), manifest, mg::kMediaTypeOciManifest);
  BOOST_REQUIRE_MESSAGE(put.ok(), put.status().ToString());
  BOOST_TEST(*put == mg::Sha256Digest(manifest));
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == 2);
  BOOST_TEST(f.reg.count("HEAD", "/blobs/") == 3);  // config and both layers re-checked once
  BOOST_TEST(f.reg.ManifestBytes("team/app", *put) == manifest);
}

BOOST_AUTO_TEST_CASE(manifest_refused_every_time_fails_clearly_after_the_attempts) {
  Fixture f;
  const std::string manifest = f.ImageManifest("{\"os\":\"linux\"}", {"layer"});
  f.RefuseManifestPuts(1000);
  mg::ManifestPutOptions options;
  options.max_attempts = 3;
  auto put = mg::PutManifest(f.client, "team/app", "v1", manifest, mg::kMediaTypeOciManifest, options);
  BOOST_REQUIRE(!put.ok());
  BOOST_CHECK(put.status().code() == Status::Code::kFailedPrecondition);
  const std::string message = put.status().message();
  BOOST_TEST(message.find("PUT https://reg.example/v2/team/app/manifests/v1: HTTP 400") != std::string::npos, message);
  BOOST_TEST(message.find("MANIFEST_BLOB_UNKNOWN") != std::string::npos, message);
  BOOST_TEST(message.find("refused 3 times") != std::string::npos, message);
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == 3);
  BOOST_TEST(f.reg.ManifestBytes("team/app", "v1").empty());
}

BOOST_AUTO_TEST_CASE(a_blob_really_missing_is_named_or_uploaded_again) {
  Fixture f;
  const std::string manifest = f.ImageManifest("{\"os\":\"linux\"}", {"kept", "lost"});
  const std::string lost = mg::Sha256Digest("lost");
  f.reg.DeleteBlob("team/app", lost);
  f.RefuseManifestPuts(1);
  auto put = mg::PutManifest(f.client, "team/app", "v1", manifest, mg::kMediaTypeOciManifest);
  BOOST_REQUIRE(!put.ok());
  BOOST_CHECK(put.status().code() == Status::Code::kFailedPrecondition);
  BOOST_TEST(put.status().message().find("the registry lacks " + lost) != std::string::npos, put.status().message());
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == 1);

  // With a reupload hook the lost blob goes up again and the next PUT succeeds.
  f.RefuseManifestPuts(1);
  std::vector<std::string> asked;
  mg::ManifestPutOptions options;
  options.reupload = [&](const std::vector<std::string>& missing) {
    asked = missing;
    return mg::PushBlob(f.client, "team/app", lost, "lost");
  };
  put = mg::PutManifest(f.client, "team/app", "v1", manifest, mg::kMediaTypeOciManifest, options);
  BOOST_REQUIRE_MESSAGE(put.ok(), put.status().ToString());
  BOOST_TEST(asked == std::vector<std::string>{lost});
  BOOST_TEST(f.reg.HasBlob("team/app", lost));
  BOOST_TEST(f.reg.ManifestBytes("team/app", "v1") == manifest);
}

BOOST_AUTO_TEST_CASE(other_refusals_are_not_retried) {
  Fixture f;
  const std::string manifest = f.ImageManifest("{\"os\":\"linux\"}", {"layer"});
  f.reg.transport.handler = [&](const HttpRequest& r) -> Result<mg::HttpResponse> {
    if (r.method == "PUT") return MakeResponse(400, {}, R"({"errors":[{"code":"MANIFEST_INVALID"}]})");
    return f.original(r);
  };
  auto put = mg::PutManifest(f.client, "team/app", "v1", manifest, mg::kMediaTypeOciManifest);
  BOOST_REQUIRE(!put.ok());
  BOOST_TEST(put.status().message().find("MANIFEST_INVALID") != std::string::npos);
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == 1);
  BOOST_TEST(f.reg.count("HEAD", "/blobs/") == 0);
}

// The registry's upload session URL (its `_state`) appears in no message about a failed upload.
BOOST_AUTO_TEST_CASE(failed_uploads_do_not_print_the_session_state) {
  Fixture f;
  const std::string secret = "c2Vzc2lvbi1zdGF0ZS1zZWNyZXQ";
  for (const std::string& bytes : {std::string(100, 'm'), std::string(300, 'c')}) {
    f.reg.transport.handler = [&](const HttpRequest& r) -> Result<mg::HttpResponse> {
      if (r.method == "POST") {
        return MakeResponse(202, {{"Location", "/v2/team/app/blobs/uploads/u1?_state=" + secret}});
      }
      if (r.method == "PUT" || r.method == "PATCH") {
        return MakeResponse(400, {}, R"({"errors":[{"code":"BLOB_UPLOAD_INVALID"}]})");
      }
      return f.original(r);
    };
    mg::BlobUploadOptions options;
    options.chunk_size = 200;  // the first blob is monolithic, the second chunked
    auto up = mg::UploadBlobFile(f.client, "team/app", mg::Sha256Digest(bytes), f.WriteFile("blob", bytes), options);
    BOOST_REQUIRE(!up.ok());
    const std::string message = up.status().message();
    BOOST_TEST(message.find("HTTP 400") != std::string::npos, message);
    BOOST_TEST(message.find("/v2/team/app/blobs/uploads/u1?<redacted>") != std::string::npos, message);
    BOOST_TEST(message.find(secret) == std::string::npos, message);
    BOOST_TEST(message.find("_state") == std::string::npos, message);
  }
}

// The registry committed the blob but its answer was lost (a reset): a HEAD settles it.
BOOST_AUTO_TEST_CASE(a_lost_answer_to_the_commit_is_settled_by_head) {
  Fixture f;
  f.reg.transport.handler = [&](const HttpRequest& r) -> Result<mg::HttpResponse> {
    Result<mg::HttpResponse> answer = f.original(r);
    if (r.method == "PUT" && r.url.find("/blobs/uploads/") != std::string::npos) {
      return Status::Unavailable("PUT: Recv failure: Connection reset by peer");
    }
    return answer;
  };
  const std::string bytes = "committed, answer lost";
  auto up = mg::UploadBlobFile(f.client, "team/app", mg::Sha256Digest(bytes), f.WriteFile("blob", bytes), {});
  BOOST_REQUIRE_MESSAGE(up.ok(), up.status().ToString());
  BOOST_CHECK(*up == BlobUploadPath::kMonolithic);
  BOOST_TEST(f.reg.count("HEAD", "/blobs/") == 2);  // before the upload, and after the lost answer

  // Not stored and no answer: the PUT's error stands.
  f.reg.transport.handler = [&](const HttpRequest& r) -> Result<mg::HttpResponse> {
    if (r.method == "PUT") return Status::Unavailable("PUT: Recv failure: Connection reset by peer");
    return f.original(r);
  };
  auto lost = mg::UploadBlobFile(f.client, "team/app", mg::Sha256Digest("never stored"), f.WriteFile("n", "never stored"), {});
  BOOST_REQUIRE(!lost.ok());
  BOOST_CHECK(lost.status().code() == Status::Code::kUnavailable);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
