// The SBOM scanner streaming the layers of images pushed by skopeo to a real docker-registry
// (with Basic auth) through the real libcurl transport, and the SPDX documents made from them
// validated against the SPDX 2.3 schema.
#include <boost/test/unit_test.hpp>

#include "spdx_schema.h"

#include <filesystem>
#include <fstream>

#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/media_types.h"
#include "oci/registry_client.h"
#include "registry_fixture.h"
#include "sbom/registry_layers.h"
#include "sbom/spdx.h"
#include "unit/sbom/go_elf.h"
#include "unit/sbom/tar_builder.h"
#include "util/json.h"
#include "util/sha256.h"
#include "util/subprocess.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::Status;
using mg::testing::TestRegistry;
using Tar = mg::testing::TarBuilder;

namespace {

const std::string kMods =
    "path\texample.com/svc/cmd/svc\nmod\texample.com/svc\tv0.3.0\th1:a=\ndep\tgithub.com/google/uuid\tv1.6.0\th1:u=\n";

std::string Blob(const fs::path& layout, const std::string& bytes) {
  const std::string hex = mg::Sha256Hex(bytes);
  std::ofstream(layout / "blobs" / "sha256" / hex, std::ios::binary) << bytes;
  return "sha256:" + hex;
}

Json Desc(const std::string& media_type, const std::string& digest, size_t size) {
  return {{"mediaType", media_type}, {"digest", digest}, {"size", size}};
}

// A two-platform OCI layout tagged `tag`: per platform a Debian base layer (os-release, dpkg
// status, a big incompressible file so the blob spans many network reads), and an app layer
// (node_modules, a Go binary, a whiteout).
void WriteLayout(const fs::path& layout, const std::string& tag) {
  fs::create_directories(layout / "blobs" / "sha256");
  std::ofstream(layout / "oci-layout") << R"({"imageLayoutVersion":"1.0.0"})";
  Json manifests = Json::array();
  for (const std::string arch : {"amd64", "arm64"}) {
    const std::string base =
        Tar()
            .File("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n")
            .File("var/lib/dpkg/status", "Package: libc6\nStatus: install ok installed\nArchitecture: " + arch +
                                             "\nVersion: 2.36-9+deb12u4\n\nPackage: zlib1g\nStatus: install ok installed\n"
                                             "Architecture: " + arch + "\nVersion: 1:1.2.13.dfsg-1\n")
            .File("usr/share/big.bin", mg::testing::Filler(6 << 20, arch == "amd64" ? 1 : 2))
            .File("app/node_modules/old/package.json", R"({"name":"old","version":"0.0.1"})")
            .Finish();
    const std::string app = Tar()
                                .Whiteout("app/node_modules", "old")
                                .File("app/package.json", R"({"name":"svc","version":"0.3.0","license":"MIT"})")
                                .File("app/node_modules/@scope/util/package.json",
                                      R"({"name":"@scope/util","version":"1.2.3","license":"ISC"})")
                                .File("usr/local/bin/svc", mg::testing::MakeGoElf(true, "go1.22.5", kMods), 0755)
                                .Finish();
    const std::string config =
        Json{{"architecture", arch}, {"os", "linux"}, {"rootfs", {{"type", "layers"}, {"diff_ids", Json::array()}}}}.dump();
    Json manifest = {{"schemaVersion", 2},
                     {"mediaType", mg::kMediaTypeOciManifest},
                     {"config", Desc(mg::kMediaTypeOciConfig, Blob(layout, config), config.size())},
                     {"layers",
                      {Desc("application/vnd.oci.image.layer.v1.tar+gzip", Blob(layout, base), base.size()),
                       Desc("application/vnd.oci.image.layer.v1.tar+gzip", Blob(layout, app), app.size())}}};
    const std::string bytes = manifest.dump();
    Json entry = Desc(mg::kMediaTypeOciManifest, Blob(layout, bytes), bytes.size());
    entry["platform"] = {{"os", "linux"}, {"architecture", arch}};
    manifests.push_back(entry);
  }
  const std::string index = Json{{"schemaVersion", 2}, {"mediaType", mg::kMediaTypeOciIndex}, {"manifests", manifests}}.dump();
  Json top = {{"schemaVersion", 2},
              {"manifests", {Desc(mg::kMediaTypeOciIndex, Blob(layout, index), index.size())}}};
  top["manifests"][0]["annotations"] = {{"org.opencontainers.image.ref.name", tag}};
  std::ofstream(layout / "index.json") << top.dump();
}

// The SPDX schema's verdict on `doc` (tests/spdx_schema.h).
std::string SchemaErrors(const Json& doc) { return mg::testing::SpdxSchemaErrorsOrSkip(doc); }

}  // namespace

BOOST_AUTO_TEST_SUITE(sbom_registry_test)

BOOST_AUTO_TEST_CASE(scan_each_platform_and_write_the_index_sbom) {
  TestRegistry& reg = mg::testing::SharedAuthRegistry();
  mg::testing::TempDir dir("mg-sbom-layout");
  WriteLayout(dir.path() / "layout", "2.0");
  Status pushed = mg::testing::PushOciLayout(reg, dir.path() / "layout", "2.0", "sbom/svc", "2.0", /*all=*/true);
  BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.ToString());

  mg::CurlTransport transport;
  mg::HttpClient http(transport);
  mg::RegistryClient client(http, reg.host(), /*plain_http=*/true,
                            mg::Credentials{reg.options().user, reg.options().password, ""});
  auto index = client.GetManifest("sbom/svc", "2.0");
  BOOST_REQUIRE_MESSAGE(index.ok(), index.status().ToString());
  BOOST_REQUIRE(mg::IsIndexMediaType(index->media_type));

  mg::SpdxInput input;
  input.repository = reg.host() + "/sbom/svc";
  input.tag = "2.0";
  input.index_digest = index->digest;
  input.created = "2024-06-01T00:00:00Z";
  mg::BlobStreamOptions small_buffer;
  small_buffer.buffer_bytes = 64 << 10;  // the 6 MiB layer must flow through a 64 KiB queue
  for (const Json& m : index->json["manifests"]) {
    const std::string arch = m["platform"]["architecture"];
    auto scan = mg::ScanImage(client, "sbom/svc", m["digest"], {}, small_buffer);
    BOOST_REQUIRE_MESSAGE(scan.ok(), arch << ": " << scan.status().ToString());
    std::string listing;
    for (const mg::Package& p : scan->packages) listing += p.purl + "\n";
    BOOST_TEST(listing ==
               "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=" + arch + "&distro=debian-12\n"
               "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=" + arch + "&distro=debian-12\n"
               "pkg:golang/example.com/svc@v0.3.0\n"
               "pkg:golang/github.com/google/uuid@v1.6.0\n"
               "pkg:golang/stdlib@1.22.5\n"
               "pkg:npm/%40scope/util@1.2.3\n"
               "pkg:npm/svc@0.3.0\n",
               arch);
    BOOST_TEST(scan->layers == 2);
    BOOST_TEST(scan->os.pretty_name == "Debian GNU/Linux 12 (bookworm)");

    mg::SpdxInput one = input;
    one.index_digest.clear();
    one.images = {{m["digest"], "linux/" + arch, *scan}};
    auto doc = mg::BuildSpdx(one);
    BOOST_REQUIRE(doc.ok());
    BOOST_TEST(SchemaErrors(*doc) == "", arch);
    input.images.push_back({m["digest"], "linux/" + arch, std::move(scan).value()});
  }
  auto doc = mg::BuildSpdx(input);
  BOOST_REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
  BOOST_TEST(SchemaErrors(*doc) == "");
  BOOST_TEST((*doc)["packages"].size() == 1u + 2 * (1 + 1 + 7));
  BOOST_TEST((*doc)["documentNamespace"] == "https://mirrorgraph.invalid/spdx/" + reg.host() + "/sbom/svc@" + index->digest);
}

BOOST_AUTO_TEST_CASE(missing_blob_and_wrong_credentials) {
  TestRegistry& reg = mg::testing::SharedAuthRegistry();
  mg::CurlTransport transport;
  mg::HttpClient http(transport);
  mg::RegistryClient good(http, reg.host(), true, mg::Credentials{reg.options().user, reg.options().password, ""});
  auto drain = [](mg::ByteReader& in) -> Status {
    for (;;) {
      auto piece = in.Read();
      if (!piece.ok()) return piece.status();
      if (piece->empty()) return Status::OK();
    }
  };
  Status missing = mg::StreamBlob(good, "sbom/svc", "sha256:" + std::string(64, '1'), -1, drain);
  BOOST_TEST((missing.code() == Status::Code::kNotFound), missing.ToString());
  mg::RegistryClient wrong(http, reg.host(), true, mg::Credentials{reg.options().user, "nope", ""});
  Status denied = mg::StreamBlob(wrong, "sbom/svc", "sha256:" + std::string(64, '1'), -1, drain);
  BOOST_TEST((denied.code() == Status::Code::kPermissionDenied), denied.ToString());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
