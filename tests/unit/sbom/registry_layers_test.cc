#include "sbom/registry_layers.h"

#include <boost/test/unit_test.hpp>

#include "oci/media_types.h"
#include "unit/oci/fake_registry.h"
#include "unit/sbom/tar_builder.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::Json;
using mg::Status;
using mg::testing::FakeRegistry;
using mg::testing::MakeResponse;
using Tar = mg::testing::TarBuilder;

namespace {

struct Fixture {
  FakeRegistry reg;
  mg::HttpClient http{reg.transport, [] {
                        mg::HttpClientOptions o;
                        o.sleep = [](std::chrono::milliseconds) {};
                        return o;
                      }()};
  mg::RegistryClient client{http, "reg.example", false, mg::Credentials{"alice", "s3cret-pw", ""}, ""};

  std::string lower = Tar()
                          .File("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n")
                          .File("lib/apk/db/installed", "P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\n\nP:zlib\nV:1.3-r2\nA:x86_64\n")
                          .File("app/node_modules/gone/package.json", R"({"name":"gone","version":"1.0.0"})")
                          .Finish();
  std::string upper = Tar(Tar::Compression::kNone)
                          .Whiteout("app/node_modules", "gone")
                          .File("app/package.json", R"({"name":"svc","version":"2.0.0","license":"MIT"})")
                          .Finish();

  Fixture() { reg.auth = FakeRegistry::Auth::kBearer; }

  Json Descriptor(const std::string& media_type, const std::string& blob, int64_t size = -2) {
    return {{"mediaType", media_type}, {"digest", mg::Sha256Digest(blob)}, {"size", size == -2 ? static_cast<int64_t>(blob.size()) : size}};
  }
  // Stores the layers and a manifest naming them; returns the manifest digest.
  std::string PutImage(const std::vector<Json>& layers) {
    Json m = {{"schemaVersion", 2},
              {"mediaType", mg::kMediaTypeOciManifest},
              {"config", {{"mediaType", mg::kMediaTypeOciConfig}, {"digest", reg.PutBlob("team/app", "{}")}, {"size", 2}}},
              {"layers", layers}};
    return reg.PutManifest("team/app", "1.0", mg::kMediaTypeOciManifest, m.dump());
  }
  std::string PutStandardImage() {
    reg.PutBlob("team/app", lower);
    reg.PutBlob("team/app", upper);
    return PutImage({Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", lower),
                     Descriptor("application/vnd.oci.image.layer.v1.tar", upper)});
  }
  // Serves `body` instead of the stored blob for requests whose URL contains `url_part`.
  void Tamper(const std::string& url_part, const std::string& body) {
    auto original = reg.transport.handler;
    reg.transport.handler = [original, url_part, body](const mg::HttpRequest& r) -> mg::Result<mg::HttpResponse> {
      auto resp = original(r);
      if (r.url.find(url_part) != std::string::npos && resp.ok() && resp->status == 200) resp->body = body;
      return resp;
    };
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(registry_layers_test)

BOOST_FIXTURE_TEST_CASE(scans_an_image_through_the_registry_with_auth, Fixture) {
  const std::string digest = PutStandardImage();
  auto r = mg::ScanImage(client, "team/app", digest);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->layers == 2);
  BOOST_TEST(r->os.id == "alpine");
  BOOST_REQUIRE_EQUAL(r->packages.size(), 3u);
  BOOST_TEST(r->packages[0].purl == "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1");
  BOOST_TEST(r->packages[1].purl == "pkg:apk/alpine/zlib@1.3-r2?arch=x86_64&distro=alpine-3.19.1");
  BOOST_TEST(r->packages[2].purl == "pkg:npm/svc@2.0.0");
  BOOST_TEST(reg.count("GET", "/blobs/" + mg::Sha256Digest(lower)) >= 1);
}

BOOST_FIXTURE_TEST_CASE(a_tampered_blob_is_corruption_even_when_it_parses, Fixture) {
  reg.PutBlob("team/app", lower);
  // No size in the descriptor, so only the digest can tell.
  const std::string digest = PutImage({Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", lower, -1)});
  const std::string other = Tar().File("etc/os-release", "ID=evil\n").Finish();
  Tamper(mg::Sha256Digest(lower), other);
  auto r = mg::ScanImage(client, "team/app", digest);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == Status::Code::kCorruption), r.status().ToString());
  BOOST_TEST(r.status().message().find("content digest mismatch: got " + mg::Sha256Digest(other)) != std::string::npos,
             r.status().message());
}

BOOST_FIXTURE_TEST_CASE(digest_mismatch_with_the_right_size, Fixture) {
  reg.PutBlob("team/app", lower);
  std::string same_size = lower;
  same_size[same_size.size() - 1] = static_cast<char>(same_size.back() ^ 1);  // gzip trailer: ISIZE byte
  Tamper(mg::Sha256Digest(lower), same_size);
  std::string seen;
  Status s = mg::StreamBlob(client, "team/app", mg::Sha256Digest(lower), static_cast<int64_t>(lower.size()),
                            [&](mg::ByteReader& in) -> Status {
                              for (;;) {
                                auto piece = in.Read();
                                if (!piece.ok()) return piece.status();
                                if (piece->empty()) return Status::OK();
                                seen += *piece;
                              }
                            });
  BOOST_TEST((s.code() == Status::Code::kCorruption), s.ToString());
  BOOST_TEST(s.message().find("content digest mismatch: got " + mg::Sha256Digest(same_size)) != std::string::npos,
             s.message());
  BOOST_TEST(s.message().find("/v2/team/app/blobs/" + mg::Sha256Digest(lower)) != std::string::npos, s.message());
  BOOST_TEST(seen == same_size);  // everything was delivered, but the end of stream was an error
}

BOOST_FIXTURE_TEST_CASE(size_checks, Fixture) {
  reg.PutBlob("team/app", lower);
  auto drain = [](mg::ByteReader& in) -> Status {
    for (;;) {
      auto piece = in.Read();
      if (!piece.ok()) return piece.status();
      if (piece->empty()) return Status::OK();
    }
  };
  const std::string d = mg::Sha256Digest(lower);
  Status longer = mg::StreamBlob(client, "team/app", d, static_cast<int64_t>(lower.size()) - 1, drain);
  BOOST_TEST(longer.message().find("longer than the " + std::to_string(lower.size() - 1) + " bytes") != std::string::npos,
             longer.ToString());
  Status shorter = mg::StreamBlob(client, "team/app", d, static_cast<int64_t>(lower.size()) + 10, drain);
  BOOST_TEST(shorter.message().find("the descriptor declares " + std::to_string(lower.size() + 10)) != std::string::npos,
             shorter.ToString());
  BOOST_TEST(mg::StreamBlob(client, "team/app", d, static_cast<int64_t>(lower.size()), drain).ok());
  BOOST_TEST(mg::StreamBlob(client, "team/app", d, -1, drain).ok());
}

BOOST_FIXTURE_TEST_CASE(consumer_stopping_early_still_verifies, Fixture) {
  // A tar followed by junk: the scanner stops at the end-of-archive marker, the rest is drained
  // and hashed, and the digest (of the whole blob) matches.
  const std::string blob = Tar(Tar::Compression::kNone).File("etc/os-release", "ID=debian\n").Finish() + std::string(50000, 'j');
  const std::string layer_digest = reg.PutBlob("team/app", blob);
  const std::string digest = PutImage({Descriptor("application/vnd.docker.image.rootfs.diff.tar", blob)});
  auto r = mg::ScanImage(client, "team/app", digest);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->os.id == "debian");
  // And a consumer that fails stops the transfer and its error comes back.
  Status s = mg::StreamBlob(client, "team/app", layer_digest, -1,
                            [](mg::ByteReader&) { return Status::InvalidArgument("consumer says no"); });
  BOOST_TEST(s.message() == "consumer says no");
}

BOOST_FIXTURE_TEST_CASE(registry_errors, Fixture) {
  const std::string missing = "sha256:" + std::string(64, '0');
  const std::string digest = PutImage({{{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"}, {"digest", missing}, {"size", 10}}});
  auto r = mg::ScanImage(client, "team/app", digest);
  BOOST_TEST((r.status().code() == Status::Code::kNotFound), r.status().ToString());
  BOOST_TEST(r.status().message().find("BLOB_UNKNOWN") != std::string::npos, r.status().message());

  reg.forced_status["/blobs/"] = 503;
  const std::string d2 = PutStandardImage();
  auto busy = mg::ScanImage(client, "team/app", d2);
  BOOST_TEST((busy.status().code() == Status::Code::kUnavailable), busy.status().ToString());
}

BOOST_FIXTURE_TEST_CASE(not_an_image, Fixture) {
  const std::string helm = PutImage({Descriptor("application/vnd.cncf.helm.chart.content.v1.tar+gzip", lower)});
  auto r = mg::ScanImage(client, "team/app", helm);
  BOOST_TEST((r.status().code() == Status::Code::kInvalidArgument));
  BOOST_TEST(r.status().message().find("is not a container filesystem layer") != std::string::npos);

  const std::string foreign = PutImage({Descriptor("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", lower)});
  BOOST_TEST((mg::ScanImage(client, "team/app", foreign).status().code() == Status::Code::kNotImplemented));

  Json index = {{"schemaVersion", 2}, {"mediaType", mg::kMediaTypeOciIndex}, {"manifests", Json::array()}};
  const std::string idx = reg.PutManifest("team/app", "idx", mg::kMediaTypeOciIndex, index.dump());
  auto i = mg::ScanImage(client, "team/app", idx);
  BOOST_TEST(i.status().message().find("is an index") != std::string::npos, i.status().ToString());

  BOOST_TEST((mg::StreamBlob(client, "Team/App", idx, -1, [](mg::ByteReader&) { return Status::OK(); }).code() ==
              Status::Code::kInvalidArgument));
}

// The download runs on its own thread: whatever happens there (an error body of unexpected types,
// an exception from the transport) comes back as a Status, never std::terminate.
BOOST_FIXTURE_TEST_CASE(producer_thread_failures_are_statuses, Fixture) {
  const std::string digest = PutStandardImage();
  const std::string layer = mg::Sha256Digest(lower);
  auto drain = [](mg::ByteReader& r) -> Status {
    for (;;) {
      auto piece = r.Read();
      if (!piece.ok()) return piece.status();
      if (piece->empty()) return Status::OK();
    }
  };
  reg.forced_status["/blobs/"] = 500;
  reg.forced_body = R"({"errors":[{"code":500,"message":["not","a","string"]}]})";
  Status s = mg::StreamBlob(client, "team/app", layer, -1, drain);
  BOOST_TEST((s.code() == Status::Code::kUnavailable), s.ToString());
  BOOST_TEST(s.message().find("HTTP 500 server error (500)") != std::string::npos, s.message());
  auto scanned = mg::ScanImage(client, "team/app", digest);
  BOOST_TEST((scanned.status().code() == Status::Code::kUnavailable), scanned.status().ToString());
  reg.forced_status.clear();

  auto original = reg.transport.handler;
  reg.transport.handler = [original](const mg::HttpRequest& r) -> mg::Result<mg::HttpResponse> {
    if (r.url.find("/blobs/") != std::string::npos) throw std::runtime_error("transport exploded");
    return original(r);
  };
  s = mg::StreamBlob(client, "team/app", layer, -1, drain);
  BOOST_TEST((s.code() == Status::Code::kInternal), s.ToString());
  BOOST_TEST(s.message() == "reg.example/team/app@" + layer + ": the download failed unexpectedly: transport exploded");
  reg.transport.handler = original;

  // The consumer's side, on the caller's thread: its exception too becomes a Status (and the
  // download thread is joined, not left running).
  s = mg::StreamBlob(client, "team/app", layer, -1, [](mg::ByteReader&) -> Status { throw std::length_error("scanner exploded"); });
  BOOST_TEST((s.code() == Status::Code::kInternal), s.ToString());
  BOOST_TEST(s.message() == "reg.example/team/app@" + layer + ": the layer scan failed unexpectedly: scanner exploded");
}

// "layers" of unexpected shapes: a failed Status naming the problem.
BOOST_FIXTURE_TEST_CASE(odd_layer_lists, Fixture) {
  const std::string config = R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                             reg.PutBlob("team/app", "{}") + R"(","size":2})";
  struct Case {
    std::string layers;
    std::string error;
  };
  const Case cases[] = {
      {"{}", "has no \"layers\""},
      {"null", "has no \"layers\""},
      {R"("sha256:00")", "has no \"layers\""},
      {"[1]", "a layer descriptor without a digest"},
      {"[null]", "a layer descriptor without a digest"},
      {R"(["sha256:00"])", "a layer descriptor without a digest"},
      {R"([{"digest":5}])", "a layer descriptor without a digest"},
      {R"([{"digest":["sha256:00"],"mediaType":"application/vnd.oci.image.layer.v1.tar"}])",
       "a layer descriptor without a digest"},
      {R"([{"digest":"sha256:)" + std::string(64, '0') + R"(","mediaType":7,"size":"10"}])", "BLOB_UNKNOWN"},
  };
  for (const Case& c : cases) {
    const std::string m = R"({"schemaVersion":2,)" + config + R"(,"layers":)" + c.layers + "}";
    const std::string digest = reg.PutManifest("team/app", "odd", mg::kMediaTypeOciManifest, m);
    mg::Result<mg::ScanResult> r = Status::Internal("threw");
    BOOST_CHECK_NO_THROW(r = mg::ScanImage(client, "team/app", digest));
    BOOST_TEST(!r.ok(), c.layers);
    BOOST_TEST(r.status().message().find(c.error) != std::string::npos, c.layers << ": " << r.status().ToString());
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
