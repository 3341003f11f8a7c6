#include "oci/layout_push.h"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "oci/media_types.h"
#include "unit/oci/fake_registry.h"
#include "unit/util/temp_dir.h"
#include "util/json.h"
#include "util/sha256.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::Json;
using mg::Status;
using mg::testing::FakeRegistry;

namespace {

void Write(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

Json Desc(const std::string& media_type, const std::string& bytes) {
  return {{"mediaType", media_type}, {"digest", mg::Sha256Digest(bytes)}, {"size", bytes.size()}};
}

// A one-image OCI layout like `buildah bud --tag oci:DIR` writes: config, layers, manifest,
// index.json with one entry, oci-layout.
struct Layout {
  mg::testing::TempDir dir;
  std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
  std::vector<std::string> layers = {"layer one", "layer two"};
  std::string manifest_type = mg::kMediaTypeOciManifest;
  std::string manifest;

  std::string BlobPath(const std::string& bytes) const { return dir / ("blobs/sha256/" + mg::Sha256Hex(bytes)); }

  // Writes everything; returns the manifest digest.
  std::string WriteAll() {
    Json layer_descs = Json::array();
    for (const std::string& l : layers) {
      layer_descs.push_back(Desc("application/vnd.oci.image.layer.v1.tar", l));
      Write(BlobPath(l), l);
    }
    Write(BlobPath(config), config);
    Json m = {{"schemaVersion", 2},
              {"mediaType", manifest_type},
              {"config", Desc(mg::kMediaTypeOciConfig, config)},
              {"layers", layer_descs}};
    manifest = m.dump();
    Write(BlobPath(manifest), manifest);
    WriteIndex(Json::array({Desc(manifest_type, manifest)}));
    Write(dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    return mg::Sha256Digest(manifest);
  }
  void WriteIndex(const Json& manifests) {
    Write(dir / "index.json", Json{{"schemaVersion", 2}, {"manifests", manifests}}.dump());
  }
};

struct Fixture : mg::testing::FakeRegistryClient {

  // Methods and paths of the requests so far, e.g. "HEAD /v2/team/app/blobs/sha256:..".
  std::vector<std::string> Trace() const {
    std::vector<std::string> out;
    for (const mg::HttpRequest& r : reg.transport.requests()) {
      out.push_back(r.method + " " + r.url.substr(std::string("https://reg.example").size()));
    }
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(layout_push_test)

BOOST_AUTO_TEST_CASE(blobs_in_manifest_order_then_the_manifest_by_digest) {
  Layout layout;
  const std::string digest = layout.WriteAll();
  Fixture f;
  auto pushed = mg::PushOciLayout(f.client, "team/app", layout.dir.path(), {});
  BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.status().ToString());
  BOOST_TEST(pushed->digest == digest);
  BOOST_TEST(pushed->media_type == mg::kMediaTypeOciManifest);
  BOOST_TEST(pushed->size == static_cast<int64_t>(layout.manifest.size()));

  // HEAD, POST, PUT per blob: config, layer one, layer two; then the manifest.
  std::vector<std::string> trace = f.Trace();
  BOOST_REQUIRE(trace.size() == 10u);
  const std::vector<std::string> blobs = {layout.config, layout.layers[0], layout.layers[1]};
  for (size_t i = 0; i < blobs.size(); ++i) {
    BOOST_TEST(trace[3 * i] == "HEAD /v2/team/app/blobs/" + mg::Sha256Digest(blobs[i]));
    BOOST_TEST(trace[3 * i + 1] == "POST /v2/team/app/blobs/uploads/");
    BOOST_TEST(trace[3 * i + 2].find("PUT /v2/team/app/blobs/uploads/") == 0u);
    BOOST_TEST(f.reg.Blob("team/app", mg::Sha256Digest(blobs[i])) == blobs[i]);
  }
  BOOST_TEST(trace[9] == "PUT /v2/team/app/manifests/" + digest);
  auto last = f.reg.transport.requests().back();
  BOOST_TEST(mg::testing::RequestHeader(last, "Content-Type") == mg::kMediaTypeOciManifest);
  BOOST_TEST(last.body == layout.manifest);
  BOOST_TEST(f.reg.ManifestBytes("team/app", digest) == layout.manifest);
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == 1);  // by digest only: nothing tagged

  // Again: every blob is found by HEAD; the manifest PUT is repeated (idempotent).
  Fixture g;
  for (const std::string& b : blobs) g.reg.PutBlob("team/app", b);
  auto again = mg::PushOciLayout(g.client, "team/app", layout.dir.path(), {});
  BOOST_REQUIRE_MESSAGE(again.ok(), again.status().ToString());
  BOOST_TEST(g.reg.transport.request_count() == 4u);
  BOOST_TEST(g.reg.count("POST", "/blobs/uploads/") == 0);
}

BOOST_AUTO_TEST_CASE(options_reach_every_blob_and_duplicates_go_up_once) {
  Layout layout;
  layout.layers = {std::string(100, 'a'), std::string(100, 'a'), "small"};
  layout.WriteAll();
  Fixture f;
  mg::BlobUploadOptions o;
  o.chunk_size = 64;
  auto pushed = mg::PushOciLayout(f.client, "team/app", layout.dir.path(), o);
  BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.status().ToString());
  BOOST_TEST(f.reg.count("HEAD", "/blobs/") == 3);    // config, the repeated layer once, "small"
  BOOST_TEST(f.reg.count("PATCH", "/blobs/") == 4);   // the 100-byte config and layer, 2 chunks each
  BOOST_TEST(f.reg.HasBlob("team/app", mg::Sha256Digest(layout.layers[0])));
}

BOOST_AUTO_TEST_CASE(docker_manifest_keeps_its_media_type) {
  Layout layout;
  layout.manifest_type = mg::kMediaTypeDockerManifest;
  const std::string digest = layout.WriteAll();
  Fixture f;
  auto pushed = mg::PushOciLayout(f.client, "team/app", layout.dir.path(), {});
  BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.status().ToString());
  BOOST_TEST(pushed->media_type == mg::kMediaTypeDockerManifest);
  BOOST_TEST(f.reg.ManifestType("team/app", digest) == mg::kMediaTypeDockerManifest);
}

BOOST_AUTO_TEST_CASE(missing_blob_file_fails_before_any_request) {
  Layout layout;
  layout.WriteAll();
  std::filesystem::remove(layout.BlobPath(layout.layers[1]));
  Fixture f;
  auto pushed = mg::PushOciLayout(f.client, "team/app", layout.dir.path(), {});
  BOOST_CHECK(pushed.status().code() == Status::Code::kNotFound);
  const std::string& msg = pushed.status().message();
  BOOST_TEST(msg.find("push OCI layout " + layout.dir.path()) != std::string::npos);
  BOOST_TEST(msg.find(mg::Sha256Digest(layout.layers[1])) != std::string::npos);
  BOOST_TEST(msg.find("layer 2") != std::string::npos);
  BOOST_TEST(f.reg.transport.request_count() == 0u);
}

BOOST_AUTO_TEST_CASE(blob_of_the_wrong_size_or_content_is_refused) {
  Layout layout;
  layout.WriteAll();
  Write(layout.BlobPath(layout.layers[0]), "layer one, longer");
  Fixture f;
  auto wrong_size = mg::PushOciLayout(f.client, "team/app", layout.dir.path(), {});
  BOOST_CHECK(wrong_size.status().code() == Status::Code::kCorruption);
  BOOST_TEST(f.reg.transport.request_count() == 0u);

  // Same size, other bytes: caught by the upload's sha256 check; the manifest is not PUT.
  Write(layout.BlobPath(layout.layers[0]), "LAYER ONE");
  Fixture g;
  auto wrong_bytes = mg::PushOciLayout(g.client, "team/app", layout.dir.path(), {});
  BOOST_CHECK(wrong_bytes.status().code() == Status::Code::kCorruption);
  BOOST_TEST(wrong_bytes.status().message().find("layer 1") != std::string::npos);
  BOOST_TEST(wrong_bytes.status().message().find(layout.BlobPath(layout.layers[0])) != std::string::npos);
  BOOST_TEST(g.reg.count("PUT", "/manifests/") == 0);
  BOOST_TEST(!g.reg.HasBlob("team/app", mg::Sha256Digest(layout.layers[0])));
}

BOOST_AUTO_TEST_CASE(bad_index_json_is_invalid_argument) {
  Fixture f;
  {
    Layout layout;
    layout.WriteAll();
    Write(layout.dir / "index.json", "{not json");
    auto r = mg::PushOciLayout(f.client, "team/app", layout.dir.path(), {});
    BOOST_CHECK(r.status().code() == Status::Code::kInvalidArgument);
    BOOST_TEST(r.status().message().find(layout.dir / "index.json") != std::string::npos);
  }
  {
    Layout layout;
    layout.WriteAll();
    layout.WriteIndex(Json::array({Desc(mg::kMediaTypeOciManifest, layout.manifest),
                                   Desc(mg::kMediaTypeOciManifest, layout.manifest)}));
    auto r = mg::PushOciLayout(f.client, "team/app", layout.dir.path(), {});
    BOOST_CHECK(r.status().code() == Status::Code::kInvalidArgument);
    BOOST_TEST(r.status().message().find("lists 2 manifests") != std::string::npos);
  }
  {
    Layout layout;
    layout.WriteAll();
    layout.WriteIndex(Json::array());
    BOOST_CHECK(mg::PushOciLayout(f.client, "team/app", layout.dir.path(), {}).status().code() ==
                Status::Code::kInvalidArgument);
  }
  {
    // A nested index (what `buildah manifest push --all` to oci: writes) is not a single image.
    Layout layout;
    layout.WriteAll();
    const std::string nested = Json{{"schemaVersion", 2},
                                    {"mediaType", mg::kMediaTypeOciIndex},
                                    {"manifests", Json::array({Desc(mg::kMediaTypeOciManifest, layout.manifest)})}}
                                   .dump();
    Write(layout.BlobPath(nested), nested);
    layout.WriteIndex(Json::array({Desc(mg::kMediaTypeOciIndex, nested)}));
    auto r = mg::PushOciLayout(f.client, "team/app", layout.dir.path(), {});
    BOOST_CHECK(r.status().code() == Status::Code::kInvalidArgument);
    BOOST_TEST(r.status().message().find("is an index") != std::string::npos);
    // The same without a mediaType on the entry: the document says so.
    Json entry = Desc(mg::kMediaTypeOciIndex, nested);
    entry.erase("mediaType");
    layout.WriteIndex(Json::array({entry}));
    BOOST_CHECK(mg::PushOciLayout(f.client, "team/app", layout.dir.path(), {}).status().code() ==
                Status::Code::kInvalidArgument);
  }
  {
    Layout layout;
    layout.WriteAll();
    std::filesystem::remove(layout.dir / "oci-layout");
    auto r = mg::PushOciLayout(f.client, "team/app", layout.dir.path(), {});
    BOOST_CHECK(!r.ok());
    BOOST_TEST(r.status().message().find("not an OCI image layout") != std::string::npos);
  }
  {
    // The manifest blob does not hash to the digest index.json gives it.
    Layout layout;
    const std::string digest = layout.WriteAll();
    std::string tampered = layout.manifest;
    tampered[tampered.size() - 2] = ' ';
    Write(layout.BlobPath(layout.manifest), tampered);
    auto r = mg::PushOciLayout(f.client, "team/app", layout.dir.path(), {});
    BOOST_CHECK(r.status().code() == Status::Code::kCorruption);
    BOOST_TEST(r.status().message().find(digest.substr(7)) != std::string::npos);
  }
  BOOST_TEST(f.reg.transport.request_count() == 0u);
}

BOOST_AUTO_TEST_CASE(registry_refusal_names_the_layout) {
  Layout layout;
  layout.WriteAll();
  Fixture f;
  f.reg.forced_status["/manifests/"] = 400;
  auto r = mg::PushOciLayout(f.client, "team/app", layout.dir.path(), {});
  BOOST_CHECK(r.status().code() == Status::Code::kFailedPrecondition);
  BOOST_TEST(r.status().message().find("push OCI layout " + layout.dir.path() + " to reg.example/team/app") == 0u);
}

// The registry refuses the manifest for a blob it lost (MANIFEST_BLOB_UNKNOWN): the blob goes up
// again from the layout and the PUT is retried.
BOOST_AUTO_TEST_CASE(a_blob_lost_before_the_manifest_goes_up_again) {
  Layout layout;
  const std::string digest = layout.WriteAll();
  Fixture f;
  const std::string lost = mg::Sha256Digest(layout.layers[1]);
  auto original = f.reg.transport.handler;
  int refused = 0;
  f.reg.transport.handler = [&](const mg::HttpRequest& r) -> mg::Result<mg::HttpResponse> {
    if (r.method == "PUT" && r.url.find("/manifests/") != std::string::npos && refused++ == 0) {
      f.reg.DeleteBlob("team/app", lost);
      return mg::testing::MakeResponse(400, {}, R"({"errors":[{"code":"MANIFEST_BLOB_UNKNOWN"}]})");
    }
    return original(r);
  };
  auto pushed = mg::PushOciLayout(f.client, "team/app", layout.dir.path(), {});
  BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.status().ToString());
  BOOST_TEST(pushed->digest == digest);
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == 2);
  BOOST_TEST(f.reg.Blob("team/app", lost) == layout.layers[1]);
  BOOST_TEST(f.reg.count("POST", "/blobs/uploads/") == 4);  // three blobs, then the lost one again
  BOOST_TEST(f.reg.ManifestBytes("team/app", digest) == layout.manifest);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
