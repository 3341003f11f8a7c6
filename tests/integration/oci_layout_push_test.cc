// The native push side (UploadBlobFile, PushOciLayout, TagManifest) against a real docker-registry
// on loopback; skopeo reads the result back independently. One case builds its layout with buildah.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/blob_upload.h"
#include "oci/layout_push.h"
#include "oci/media_types.h"
#include "oci/registry_client.h"
#include "oci/tag.h"
#include "registry_fixture.h"
#include "util/sha256.h"
#include "util/subprocess.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::BlobUploadOptions;
using mg::BlobUploadPath;
using mg::Status;
using mg::TagOutcome;
using mg::testing::TestRegistry;

namespace {

namespace fs = std::filesystem;

struct Client {
  mg::CurlTransport transport;
  mg::HttpClient http{transport};
  mg::RegistryClient registry;
  Client(const TestRegistry& reg, std::optional<mg::Credentials> creds)
      : registry(http, reg.host(), /*plain_http=*/true, std::move(creds)) {}
};

std::optional<mg::Credentials> CredentialsOf(const TestRegistry& reg) {
  if (!reg.options().htpasswd) return std::nullopt;
  return mg::Credentials{reg.options().user, reg.options().password, ""};
}

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string ManifestInLayout(const fs::path& layout, const std::string& digest) {
  return ReadBytes(layout / "blobs" / "sha256" / digest.substr(7));
}

// `n` pseudo-random bytes (so no registry-side compression or dedup flatters the test).
std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(gen() & 0xff);
  return out;
}

fs::path WriteBlobFile(const TestRegistry& reg, const std::string& name, const std::string& bytes) {
  fs::path path = reg.scratch_dir() / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// Pushes a one-platform layout written by the fixture as a digest, then tags it; checks both with
// skopeo. Returns the manifest digest.
std::string PushAndTagLayout(TestRegistry& reg, const std::string& repo, const std::string& tag,
                             const std::string& platform, const BlobUploadOptions& options) {
  fs::path layout = reg.scratch_dir() / ("layout-" + repo.substr(repo.find('/') + 1) + "-" + tag);
  auto image = mg::testing::WriteOciLayout(layout, tag, {platform}, /*as_index=*/false);
  BOOST_REQUIRE_MESSAGE(image.ok(), image.status().ToString());
  Client c(reg, CredentialsOf(reg));
  auto pushed = mg::PushOciLayout(c.registry, repo, layout.string(), options);
  BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.status().ToString());
  BOOST_TEST(pushed->digest == image->digest);
  BOOST_TEST(pushed->media_type == mg::kMediaTypeOciManifest);
  const std::string manifest = ManifestInLayout(layout, image->digest);
  BOOST_TEST(pushed->size == static_cast<int64_t>(manifest.size()));

  auto by_digest = mg::testing::SkopeoInspectRaw(reg, repo, pushed->digest);
  BOOST_REQUIRE_MESSAGE(by_digest.ok(), by_digest.status().ToString());
  BOOST_TEST(*by_digest == manifest);
  // Nothing tagged yet.
  BOOST_TEST(!c.registry.HeadManifest(repo, tag)->exists);

  auto set = mg::TagManifest(c.registry, repo, pushed->digest, tag);
  BOOST_REQUIRE_MESSAGE(set.ok(), set.status().ToString());
  BOOST_CHECK(*set == TagOutcome::kSet);
  auto by_tag = mg::testing::SkopeoInspectRaw(reg, repo, tag);
  BOOST_REQUIRE_MESSAGE(by_tag.ok(), by_tag.status().ToString());
  BOOST_TEST(*by_tag == manifest);
  auto again = mg::TagManifest(c.registry, repo, pushed->digest, tag);
  BOOST_REQUIRE_MESSAGE(again.ok(), again.status().ToString());
  BOOST_CHECK(*again == TagOutcome::kAlreadySet);
  return pushed->digest;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(oci_layout_push_test)

BOOST_AUTO_TEST_CASE(layout_pushed_by_digest_then_tagged_and_moved) {
  TestRegistry& reg = mg::testing::SharedPlainRegistry();
  const std::string first = PushAndTagLayout(reg, "layout/app", "1.0.0", "linux/amd64", {});
  const std::string second = PushAndTagLayout(reg, "layout/app", "1.1.0", "linux/amd64", {});
  BOOST_TEST(first != second);

  // `latest` follows the newest, then stays put.
  Client c(reg, std::nullopt);
  auto set = mg::TagManifest(c.registry, "layout/app", first, "latest");
  BOOST_REQUIRE_MESSAGE(set.ok(), set.status().ToString());
  BOOST_CHECK(*set == TagOutcome::kSet);
  auto moved = mg::TagManifest(c.registry, "layout/app", second, "latest");
  BOOST_REQUIRE_MESSAGE(moved.ok(), moved.status().ToString());
  BOOST_CHECK(*moved == TagOutcome::kSet);
  auto head = c.registry.HeadManifest("layout/app", "latest");
  BOOST_REQUIRE(head.ok());
  BOOST_TEST(head->digest == second);
  auto kept = mg::TagManifest(c.registry, "layout/app", second, "latest");
  BOOST_REQUIRE(kept.ok());
  BOOST_CHECK(*kept == TagOutcome::kAlreadySet);

  // A digest the repository lacks is not tagged.
  auto absent = mg::TagManifest(c.registry, "layout/app", mg::Sha256Digest("never pushed"), "latest");
  BOOST_CHECK(absent.status().code() == Status::Code::kNotFound);
  BOOST_TEST(c.registry.HeadManifest("layout/app", "latest")->digest == second);
}

BOOST_AUTO_TEST_CASE(layout_with_chunked_blobs) {
  TestRegistry& reg = mg::testing::SharedPlainRegistry();
  BlobUploadOptions small;
  small.chunk_size = 64;  // the fixture's config and layer are a few hundred bytes: several PATCHes each
  PushAndTagLayout(reg, "layout/chunked", "2.0.0", "linux/arm64/v8", small);
}

BOOST_AUTO_TEST_CASE(chunked_upload_of_a_large_blob) {
  TestRegistry& reg = mg::testing::SharedPlainRegistry();
  Client c(reg, std::nullopt);
  const std::string bytes = RandomBytes(300 * 1024 + 17, 1);
  const std::string digest = mg::Sha256Digest(bytes);
  const fs::path path = WriteBlobFile(reg, "large.bin", bytes);
  BlobUploadOptions o;
  o.chunk_size = 64 * 1024;
  auto up = mg::UploadBlobFile(c.registry, "blobs/large", digest, path.string(), o);
  BOOST_REQUIRE_MESSAGE(up.ok(), up.status().ToString());
  BOOST_CHECK(*up == BlobUploadPath::kChunked);
  auto back = c.registry.GetBlob("blobs/large", digest);
  BOOST_REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  BOOST_TEST((*back == bytes));

  // Again: present, nothing sent.
  auto again = mg::UploadBlobFile(c.registry, "blobs/large", digest, path.string(), o);
  BOOST_REQUIRE(again.ok());
  BOOST_CHECK(*again == BlobUploadPath::kAlreadyPresent);

  // The same size monolithically (a chunk size above it).
  const std::string other = RandomBytes(300 * 1024 + 17, 2);
  o.chunk_size = 1 << 20;
  auto mono = mg::UploadBlobFile(c.registry, "blobs/large", mg::Sha256Digest(other),
                                 WriteBlobFile(reg, "other.bin", other).string(), o);
  BOOST_REQUIRE_MESSAGE(mono.ok(), mono.status().ToString());
  BOOST_CHECK(*mono == BlobUploadPath::kMonolithic);
  BOOST_TEST((c.registry.GetBlob("blobs/large", mg::Sha256Digest(other)).value() == other));
}

BOOST_AUTO_TEST_CASE(chunked_digest_mismatch_leaves_no_blob) {
  TestRegistry& reg = mg::testing::SharedPlainRegistry();
  Client c(reg, std::nullopt);
  const std::string promised = RandomBytes(200 * 1024, 3);
  const std::string digest = mg::Sha256Digest(promised);
  const fs::path path = WriteBlobFile(reg, "tampered.bin", RandomBytes(200 * 1024, 4));
  BlobUploadOptions o;
  o.chunk_size = 64 * 1024;
  auto up = mg::UploadBlobFile(c.registry, "blobs/tampered", digest, path.string(), o);
  BOOST_CHECK(up.status().code() == Status::Code::kCorruption);
  BOOST_TEST(up.status().message().find(path.string()) != std::string::npos);
  BOOST_CHECK(c.registry.GetBlob("blobs/tampered", digest).status().code() == Status::Code::kNotFound);
}

BOOST_AUTO_TEST_CASE(mount_between_repositories) {
  TestRegistry& reg = mg::testing::SharedPlainRegistry();
  Client c(reg, std::nullopt);
  const std::string bytes = RandomBytes(100 * 1024, 5);
  const std::string digest = mg::Sha256Digest(bytes);
  const fs::path path = WriteBlobFile(reg, "shared.bin", bytes);
  auto first = mg::UploadBlobFile(c.registry, "mount/source", digest, path.string(), {});
  BOOST_REQUIRE_MESSAGE(first.ok(), first.status().ToString());
  BOOST_CHECK(*first == BlobUploadPath::kMonolithic);

  BlobUploadOptions o;
  o.mount_from = {"mount/empty", "mount/source"};  // the first declines (202): cancelled, next one
  auto mounted = mg::UploadBlobFile(c.registry, "mount/target", digest, path.string(), o);
  BOOST_REQUIRE_MESSAGE(mounted.ok(), mounted.status().ToString());
  BOOST_CHECK(*mounted == BlobUploadPath::kMounted);
  BOOST_TEST((c.registry.GetBlob("mount/target", digest).value() == bytes));

  // Nowhere to mount from: uploaded.
  o.mount_from = {"mount/empty"};
  auto uploaded = mg::UploadBlobFile(c.registry, "mount/elsewhere", digest, path.string(), o);
  BOOST_REQUIRE_MESSAGE(uploaded.ok(), uploaded.status().ToString());
  BOOST_CHECK(*uploaded == BlobUploadPath::kMonolithic);

  // A whole layout whose blobs are all mounted from the repository that has them.
  fs::path layout = reg.scratch_dir() / "layout-mount";
  auto image = mg::testing::WriteOciLayout(layout, "1", {"linux/amd64"}, false);
  BOOST_REQUIRE_MESSAGE(image.ok(), image.status().ToString());
  auto pushed = mg::PushOciLayout(c.registry, "mount/layout-a", layout.string(), {});
  BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.status().ToString());
  BlobUploadOptions from_a;
  from_a.mount_from = {"mount/layout-a"};
  auto copy = mg::PushOciLayout(c.registry, "mount/layout-b", layout.string(), from_a);
  BOOST_REQUIRE_MESSAGE(copy.ok(), copy.status().ToString());
  auto raw = mg::testing::SkopeoInspectRaw(reg, "mount/layout-b", copy->digest);
  BOOST_REQUIRE_MESSAGE(raw.ok(), raw.status().ToString());
  BOOST_TEST(*raw == ManifestInLayout(layout, image->digest));
}

BOOST_AUTO_TEST_CASE(htpasswd_registry) {
  TestRegistry& reg = mg::testing::SharedAuthRegistry();
  BlobUploadOptions small;
  small.chunk_size = 100;
  PushAndTagLayout(reg, "secure/app", "1.0.0", "linux/amd64", small);

  Client with(reg, CredentialsOf(reg));
  const std::string bytes = RandomBytes(150 * 1024, 6);
  BlobUploadOptions o;
  o.chunk_size = 64 * 1024;
  auto chunked = mg::UploadBlobFile(with.registry, "secure/large", mg::Sha256Digest(bytes),
                                    WriteBlobFile(reg, "secure.bin", bytes).string(), o);
  BOOST_REQUIRE_MESSAGE(chunked.ok(), chunked.status().ToString());
  BOOST_CHECK(*chunked == BlobUploadPath::kChunked);

  Client anonymous(reg, std::nullopt);
  fs::path layout = reg.scratch_dir() / "layout-anonymous";
  auto image = mg::testing::WriteOciLayout(layout, "x", {"linux/amd64"}, false);
  BOOST_REQUIRE(image.ok());
  auto denied = mg::PushOciLayout(anonymous.registry, "secure/other", layout.string(), {});
  BOOST_CHECK_MESSAGE(denied.status().code() == Status::Code::kPermissionDenied, denied.status().ToString());
  auto denied_tag = mg::TagManifest(anonymous.registry, "secure/app", image->digest, "latest");
  BOOST_CHECK(denied_tag.status().code() == Status::Code::kPermissionDenied);
}

BOOST_AUTO_TEST_CASE(layout_written_by_buildah) {
  // A FROM scratch image committed by `buildah bud --tag oci:DIR` with the buildah builder's flags
  // (engine/build/buildah_builder.cc; the builder names the layout relative to the directory bud
  // runs in), and the same build committed to the storage then exported by `buildah push IMAGE
  // oci:DIR`, the way it built before: the same manifest, byte for byte.
  TestRegistry& reg = mg::testing::SharedPlainRegistry();
  BOOST_REQUIRE_MESSAGE(::access("/usr/bin/buildah", X_OK) == 0, "buildah is required at /usr/bin/buildah");
  const fs::path work = reg.scratch_dir() / "buildah";
  fs::create_directories(work / "ctx");
  std::ofstream(work / "ctx" / "hello.txt") << "hello from mirrorgraph\n";
  std::ofstream(work / "ctx" / "Containerfile") << "FROM scratch\nCOPY hello.txt /hello.txt\n";
  const std::vector<std::string> base = {"buildah", "--storage-driver", "vfs", "--root", (work / "root").string(),
                                         "--runroot", (work / "run").string()};
  auto run = [&](std::vector<std::string> args) {
    mg::SubprocessOptions o;
    o.argv = base;
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.timeout = std::chrono::minutes(5);
    auto r = mg::RunSubprocess(o);
    BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    BOOST_REQUIRE_MESSAGE(r->exit_code == 0, mg::TailLines(r->stdout_text + r->stderr_text, 20));
  };
  run({"bud", "--isolation", "chroot", "--timestamp", "0", "--format", "oci", "--layers=false",
       "--disable-compression=false", "--tag", "oci:" + (work / "layout").string(), (work / "ctx").string()});
  run({"bud", "--isolation", "chroot", "--timestamp", "0", "--format", "oci", "--layers=false", "-t", "mg-layout-test:1",
       (work / "ctx").string()});
  run({"push", "--format", "oci", "mg-layout-test:1", "oci:" + (work / "pushed").string()});
  const mg::Json committed = mg::Json::parse(ReadBytes(work / "layout" / "index.json"), nullptr, false);
  const mg::Json exported = mg::Json::parse(ReadBytes(work / "pushed" / "index.json"), nullptr, false);
  BOOST_TEST_REQUIRE(committed["manifests"].size() == 1u, committed.dump());
  BOOST_TEST_REQUIRE(exported["manifests"].size() == 1u, exported.dump());
  BOOST_TEST(committed["manifests"][0].value("digest", "") == exported["manifests"][0].value("digest", ""),
             "bud --tag oci: " << committed.dump() << "\nbud + push: " << exported.dump());

  Client c(reg, std::nullopt);
  auto pushed = mg::PushOciLayout(c.registry, "buildah/app", (work / "layout").string(), {});
  BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.status().ToString());
  auto tagged = mg::TagManifest(c.registry, "buildah/app", pushed->digest, "1");
  BOOST_REQUIRE_MESSAGE(tagged.ok(), tagged.status().ToString());
  auto raw = mg::testing::SkopeoInspectRaw(reg, "buildah/app", "1");
  BOOST_REQUIRE_MESSAGE(raw.ok(), raw.status().ToString());
  BOOST_TEST(*raw == ManifestInLayout(work / "layout", pushed->digest));
  mg::Json doc = mg::ParseJson(*raw);
  BOOST_REQUIRE(doc.is_object());
  BOOST_TEST(doc["layers"].size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
