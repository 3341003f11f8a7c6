// The sbom and provenance tasks through `mirrorgraph run`, end to end: a local git upstream whose
// Dockerfile copies a known filesystem (os-release, a dpkg status with two installed packages and a
// removed one, a node_modules tree, the app's package.json) is built by the real buildah for
// linux/amd64 and linux/arm64, pushed to a real docker-registry, merged, signed and attested. The
// SBOMs list exactly that software with the right versions and purls and validate against the SPDX
// 2.3 schema; the provenance names the source at its commit, the recipe and build args, the builder
// and the build times; cosign 2.x (`verify-attestation --type spdxjson|slsaprovenance1`) and
// `mirrorgraph verify` accept the tag and each platform digest. A rerun re-checks and adds no
// layer; an attestation lost from the registry is added back by the next run. Licenses come from
// the Debian copyright files (DEP-5 or not) and package.json; `verify --require sbom,provenance`
// passes, and fails naming the platform once its attestations are gone.
#include <boost/test/unit_test.hpp>

#include "spdx_schema.h"
#include <iostream>
#include <set>

#include "cli_fixture.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/media_types.h"
#include "oci/push.h"
#include "oci/registry_client.h"
#include "sign/cosign_storage.h"
#include "sign/dsse.h"
#include "sign/intoto.h"
#include "sign/keys.h"
#include "sign/slsa_provenance.h"
#include "unit/sign/sign_test_util.h"
#include "util/subprocess.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::TaskStatusOf;
using mg::testing::TestRegistry;

namespace {

constexpr char kPassphrase[] = "attest-run-pass";
constexpr char kNodeUrl[] = "http://127.0.0.1:9/dist/node-v20.11.1-linux.tar.gz";

// The upstream: a COPY-only Dockerfile (builds for any platform without emulation) over a known
// root filesystem.
std::map<std::string, std::string> UpstreamFiles() {
  return {
      {"Dockerfile",
       "FROM scratch\n"
       "ARG VERSION=unknown\n"
       "ARG NODE_URL\n"
       "LABEL org.example.version=\"${VERSION}\"\n"
       "COPY rootfs/ /\n"},
      {"rootfs/etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nID=debian\nVERSION_ID=\"12\"\n"},
      {"rootfs/var/lib/dpkg/status",
       "Package: libfoo1\nStatus: install ok installed\nPriority: optional\nArchitecture: all\nVersion: 1.2-3\n"
       "Description: a library\n\n"
       "Package: bar-utils\nStatus: hold ok installed\nArchitecture: all\nVersion: 2:0.9+dfsg-1\n"
       "Description: some tools\n\n"
       "Package: removed-pkg\nStatus: deinstall ok config-files\nArchitecture: all\nVersion: 5.0\n"},
      {"rootfs/usr/share/doc/libfoo1/copyright",
       "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: foo\n\n"
       "Files: *\nCopyright: 2020 Foo Authors\nLicense: Expat\n\n"
       "Files: src/compat/*\nCopyright: 1999 Someone\nLicense: GPL-2+ or Artistic, and other\n\n"
       "License: other\n Permission is granted to use this file for anything.\n"},
      {"rootfs/usr/share/doc/bar-utils/copyright", "This package was debianized by someone.\nIt is free software.\n"},
      {"rootfs/app/package.json", R"({"name":"hello-app","version":"1.0.0","license":"MIT","dependencies":{"left-pad":"^1.3.0"}})"},
      {"rootfs/app/node_modules/left-pad/package.json", R"({"name":"left-pad","version":"1.3.0","license":"WTFPL"})"},
      {"rootfs/app/node_modules/@scope/util/package.json", R"({"name":"@scope/util","version":"0.1.0","license":"Apache-2.0"})"},
      {"rootfs/app/node_modules/@scope/util/node_modules/ms/package.json", R"({"name":"ms","version":"2.1.3","license":"MIT"})"},
      {"rootfs/app/node_modules/left-pad/lib/package.json", R"({"name":"not-a-package","version":"9.9.9"})"},
  };
}

// What the SBOM of each platform image must list: name@version -> purl (nothing else).
const std::map<std::string, std::string> kExpected = {
    {"libfoo1@1.2-3", "pkg:deb/debian/libfoo1@1.2-3?arch=all&distro=debian-12"},
    {"bar-utils@2:0.9+dfsg-1", "pkg:deb/debian/bar-utils@2:0.9%2Bdfsg-1?arch=all&distro=debian-12"},
    {"hello-app@1.0.0", "pkg:npm/hello-app@1.0.0"},
    {"left-pad@1.3.0", "pkg:npm/left-pad@1.3.0"},
    {"@scope/util@0.1.0", "pkg:npm/%40scope/util@0.1.0"},
    {"ms@2.1.3", "pkg:npm/ms@2.1.3"},
};

// name@version -> purl of the document's software packages (not the images, the index, the OS).
std::map<std::string, std::string> Software(const Json& doc, int* images) {
  std::map<std::string, std::string> out;
  for (const Json& p : doc["packages"]) {
    const std::string purpose = p.value("primaryPackagePurpose", "");
    if (purpose == "CONTAINER") ++*images;
    if (purpose == "CONTAINER" || purpose == "OPERATING_SYSTEM") continue;
    std::string purl;
    for (const Json& ref : p.value("externalRefs", Json::array())) {
      if (ref.value("referenceType", "") == "purl") purl = ref.value("referenceLocator", "");
    }
    out[p.value("name", "") + "@" + p.value("versionInfo", "")] = purl;
  }
  return out;
}

// name -> licenseDeclared of the document's software packages.
std::map<std::string, std::string> Licenses(const Json& doc) {
  std::map<std::string, std::string> out;
  for (const Json& p : doc["packages"]) {
    const std::string purpose = p.value("primaryPackagePurpose", "");
    if (purpose != "CONTAINER" && purpose != "OPERATING_SYSTEM") out[p.value("name", "")] = p.value("licenseDeclared", "");
  }
  return out;
}

// The SPDX schema's verdict on `doc` (tests/spdx_schema.h).
std::string SchemaErrors(const Json& doc) { return mg::testing::SpdxSchemaErrorsOrSkip(doc); }

struct Setup {
  TestRegistry& reg = mg::testing::SharedPlainRegistry();
  CliWorkspace ws;
  std::string ns;
  std::string key = (ws.dir() / "keys" / "cosign.key").string();
  std::string pub = (ws.dir() / "keys" / "cosign.pub").string();
  mg::CurlTransport transport;
  mg::HttpClient http{transport};
  mg::RegistryClient client{http, reg.host(), true, std::nullopt};
  std::optional<mg::PublicKey> public_key;

  explicit Setup(const std::string& namespace_) : ns(namespace_) {
    fs::create_directories(ws.dir() / "keys");
    BOOST_REQUIRE(mg::GenerateKeyPair(key, pub, kPassphrase).ok());
    public_key = mg::LoadPublicKeyFile(pub).value();
    auto url = ws.MakeUpstream("hello", {"v1.0.0"}, UpstreamFiles());
    BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
    ws.WriteConfig({.registry_host = reg.host(),
                    .ns = ns,
                    .max_versions = 1,
                    .apps = {{.name = "hello",
                              .url = *url,
                              .extra = "[apps.hello.build]\nargs = { VERSION = \"{version}\", NODE_URL = \"" +
                                       std::string(kNodeUrl) + "\" }\n"}},
                    .extra = "\n[attestations]\nkey = " + mg::testing::TomlString(key) + "\n"});
    ws.env()["COSIGN_PASSWORD"] = kPassphrase;
  }

  std::string repo() const { return ns + "/hello"; }
  std::string Image(const std::string& ref) const {
    return reg.host() + "/" + repo() + (ref.rfind("sha256:", 0) == 0 ? "@" : ":") + ref;
  }
  mg::testing::CliResult Run(const std::string& report) {
    return ws.Run({"run", "-j", "4", "--json", report}, std::chrono::minutes(10));
  }

  // The verified statements attached to `digest`, by predicate type.
  std::map<std::string, std::vector<mg::InTotoStatement>> Attestations(const std::string& digest, size_t* layers) {
    std::map<std::string, std::vector<mg::InTotoStatement>> out;
    auto read = mg::ReadCosignLayers(client, repo(), digest, ".att");
    BOOST_REQUIRE_MESSAGE(read.ok(), read.status().ToString());
    *layers = read->size();
    for (const mg::CosignLayer& l : *read) {
      auto env = mg::ParseDsseEnvelope(l.payload);
      BOOST_REQUIRE_MESSAGE(env.ok(), env.status().ToString());
      BOOST_TEST(mg::DsseVerify(*env, *public_key).value());
      auto st = mg::ParseStatement(env->payload);
      BOOST_REQUIRE_MESSAGE(st.ok(), st.status().ToString());
      BOOST_REQUIRE(st->subjects.size() == 1u);
      BOOST_TEST("sha256:" + st->subjects[0].digest.at("sha256") == digest);
      out[st->predicate_type].push_back(*st);
    }
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(attest_run_test)

BOOST_AUTO_TEST_CASE(run_attests_sbom_and_provenance_that_cosign_and_verify_accept) {
  Setup s("attestrun");
  auto r1 = s.Run("r1.json");
  BOOST_TEST_REQUIRE(r1.exit_code == 0, r1.Describe());
  const Json report = s.ws.ReadJson("r1.json");
  for (const char* id : {"build:hello@1.0.0/linux/amd64", "build:hello@1.0.0/linux/arm64", "merge:hello@1.0.0",
                         "sbom:hello@1.0.0", "sign:hello@1.0.0", "provenance:hello@1.0.0"}) {
    BOOST_TEST(TaskStatusOf(report, id) == "ran", id);
  }
  const std::string run_id = report.value("run_id", "");

  auto index = s.client.GetManifest(s.repo(), "1.0.0");
  BOOST_REQUIRE_MESSAGE(index.ok(), index.status().ToString());
  const std::string commit = index->json["annotations"].value("org.opencontainers.image.revision", "");
  BOOST_REQUIRE(commit.size() == 40u);
  std::vector<std::pair<std::string, std::string>> subjects = {{"index", index->digest}};
  for (const Json& m : index->json["manifests"]) {
    subjects.push_back({m["platform"].value("os", "") + "/" + m["platform"].value("architecture", ""), m.value("digest", "")});
  }
  BOOST_REQUIRE(subjects.size() == 3u);

  Json provenance;
  for (const auto& [what, digest] : subjects) {
    size_t layers = 0;
    auto att = s.Attestations(digest, &layers);
    BOOST_TEST(layers == 2u, what);
    BOOST_REQUIRE(att[std::string(mg::kSpdxPredicateType)].size() == 1u);
    BOOST_REQUIRE(att[std::string(mg::kSlsaProvenanceV1PredicateType)].size() == 1u);

    // The SBOM: exactly the software copied into the image, schema-valid.
    const Json& doc = att[std::string(mg::kSpdxPredicateType)][0].predicate;
    BOOST_TEST(SchemaErrors(doc) == "", what);
    int images = 0;
    BOOST_TEST(Software(doc, &images) == kExpected, what << ": " << doc["packages"].dump());
    BOOST_TEST(images == (what == "index" ? 3 : 1), what);  // the index's: itself and both images
    BOOST_TEST(doc["documentDescribes"].size() == 1u);

    // Licenses: Debian's from the copyright files (a LicenseRef with its text for "other"; the
    // free-form file of bar-utils says nothing usable), npm's from package.json.
    std::map<std::string, std::string> licenses = Licenses(doc);
    const std::string libfoo = licenses["libfoo1"];
    BOOST_TEST(libfoo.rfind("(GPL-2.0-or-later OR Artistic-1.0-Perl) AND LicenseRef-other-", 0) == 0, what << ": " << libfoo);
    BOOST_TEST(libfoo.find(" AND MIT") != std::string::npos, what << ": " << libfoo);
    BOOST_TEST(licenses["bar-utils"] == "NOASSERTION", what);
    BOOST_TEST(licenses["left-pad"] == "WTFPL", what);
    BOOST_TEST(licenses["@scope/util"] == "Apache-2.0", what);
    BOOST_TEST(licenses["hello-app"] == "MIT", what);
    bool other_text = false;
    for (const Json& l : doc.value("hasExtractedLicensingInfos", Json::array())) {
      if (l.value("name", "") == "other" && l.value("extractedText", "") == "Permission is granted to use this file for anything.") {
        other_text = libfoo.find(l.value("licenseId", "")) != std::string::npos;
      }
    }
    BOOST_TEST(other_text, what << ": " << doc.value("hasExtractedLicensingInfos", Json::array()).dump());

    // The provenance: the same predicate everywhere.
    const Json& pred = att[std::string(mg::kSlsaProvenanceV1PredicateType)][0].predicate;
    if (provenance.is_null()) provenance = pred;
    BOOST_TEST(pred == provenance, what);
  }

  // What the provenance says.
  const Json& def = provenance["buildDefinition"];
  BOOST_TEST(def["buildType"] == std::string(mg::kMirrorgraphBuildType));
  const Json& ext = def["externalParameters"];
  BOOST_TEST(ext["app"] == "hello");
  BOOST_TEST(ext["version"] == "1.0.0");
  BOOST_TEST(ext["tag"] == "v1.0.0");
  BOOST_TEST(ext["platforms"].size() == 2u);
  BOOST_TEST(ext["source"]["ref"] == "v1.0.0");
  BOOST_TEST(ext["recipe"]["build_args"] == Json({{"NODE_URL", kNodeUrl}, {"VERSION", "1.0.0"}}), ext.dump());
  BOOST_TEST(ext["recipe"]["dockerfile"] == "Dockerfile");
  const Json& internal = def["internalParameters"];
  BOOST_TEST(internal["builder"]["name"] == "buildah");
  BOOST_TEST(!internal["builder"].value("version", "").empty());
  BOOST_TEST(internal["engine"]["version"] == MIRRORGRAPH_VERSION);
  BOOST_TEST(internal["plugin"]["name"] == "generic");
  bool source_at_commit = false, node_url = false;
  for (const Json& d : def["resolvedDependencies"]) {
    if (d.value("uri", "").rfind("git+file://", 0) == 0 && d["digest"].value("gitCommit", "") == commit &&
        d.value("uri", "").find("@refs/tags/v1.0.0") != std::string::npos) {
      source_at_commit = true;
    }
    if (d.value("uri", "") == kNodeUrl && !d.contains("digest")) node_url = true;
  }
  BOOST_TEST(source_at_commit, def["resolvedDependencies"].dump());
  BOOST_TEST(node_url, def["resolvedDependencies"].dump());
  const Json& run = provenance["runDetails"];
  BOOST_TEST(run["builder"]["id"] == std::string(mg::kDefaultBuilderId));
  BOOST_TEST(run["metadata"].value("invocationId", "") == run_id);
  BOOST_TEST(run["metadata"].contains("startedOn"));
  BOOST_TEST(run["metadata"].contains("finishedOn"));
  BOOST_TEST(run["metadata"].value("startedOn", "") <= run["metadata"].value("finishedOn", ""));
  // Everything is known: buildah's empty base-image annotations say FROM scratch.
  BOOST_TEST(!internal.contains("unknown"), internal.dump());

  // mirrorgraph verify: every signature and attestation, the package count and the source commit.
  auto v = s.ws.Run({"verify", s.Image("1.0.0"), "--key", s.pub, "--plain-http"});
  BOOST_TEST(v.exit_code == 0, v.Describe());
  BOOST_TEST(v.out.find("verified: 3 signature(s) and 6 attestation(s)") != std::string::npos, v.out);
  // Per platform: 6 packages + the image + its OS; the index: 12 + 2 images + 2 OS entries + itself.
  BOOST_TEST(mg::testing::CountLinesContaining(v.out, "SPDX SBOM of 8 package(s)") == 2u, v.out);
  BOOST_TEST(mg::testing::CountLinesContaining(v.out, "at commit " + commit) == 3u, v.out);
  auto required = s.ws.Run({"verify", s.Image("1.0.0"), "--key", s.pub, "--plain-http", "--require", "sbom,provenance,signature"});
  BOOST_TEST(required.exit_code == 0, required.Describe());

  // cosign 2.x, for the tag and each platform digest.
  std::string why;
  const std::string cosign = mg::testing::CosignPath(&why);
  if (cosign.empty()) {
    std::cout << "attest_run_test: cosign checks skipped: cosign unavailable (" << why << ")" << std::endl;
  } else {
    std::vector<std::string> refs = {s.Image("1.0.0")};
    for (size_t i = 1; i < subjects.size(); ++i) refs.push_back(s.Image(subjects[i].second));
    for (const std::string& ref : refs) {
      for (const char* type : {"spdxjson", "slsaprovenance1"}) {
        auto c = mg::testing::Run({cosign, "verify-attestation", "--key", s.pub, "--insecure-ignore-tlog=true",
                                   "--allow-http-registry", "--type", type, ref},
                                  {{"HOME", s.ws.dir().string()}, {"DOCKER_CONFIG", s.ws.dir().string()}});
        BOOST_TEST(c.exit_code == 0, "cosign verify-attestation --type " << type << " " << ref << ": " << c.stderr_text);
      }
    }
  }

  // A rerun: the attestation tasks re-check and reuse; no layer is added anywhere.
  auto r2 = s.Run("r2.json");
  BOOST_TEST_REQUIRE(r2.exit_code == 0, r2.Describe());
  const Json report2 = s.ws.ReadJson("r2.json");
  for (const char* id : {"sbom:hello@1.0.0", "sign:hello@1.0.0", "provenance:hello@1.0.0"}) {
    BOOST_TEST(TaskStatusOf(report2, id) == "cached", id);
  }
  for (const auto& [what, digest] : subjects) {
    auto att = s.client.GetManifest(s.repo(), mg::CosignTag(digest, ".att"));
    BOOST_REQUIRE(att.ok());
    BOOST_TEST(att->json["layers"].size() == 2u, what);
  }

  // The arm64 attestations lost: the next run notices, attaches both again, and only those.
  const std::string arm64 = subjects.back().second;
  auto att = s.client.GetManifest(s.repo(), mg::CosignTag(arm64, ".att"));
  BOOST_REQUIRE(att.ok());
  Json emptied = att->json;
  emptied["layers"] = Json::array();
  auto put = mg::PutManifest(s.client, s.repo(), mg::CosignTag(arm64, ".att"), emptied.dump(), mg::kMediaTypeOciManifest);
  BOOST_REQUIRE_MESSAGE(put.ok(), put.status().ToString());
  // No attestation is not a failure of verify, but it is of verify --require, which names the
  // platform, its digest and each missing kind.
  BOOST_TEST(s.ws.Run({"verify", s.Image("1.0.0"), "--key", s.pub, "--plain-http"}).exit_code == 0);
  auto unmet = s.ws.Run({"verify", s.Image("1.0.0"), "--key", s.pub, "--plain-http", "--require", "sbom,provenance"});
  BOOST_TEST(unmet.exit_code == 1, unmet.Describe());
  BOOST_TEST(unmet.out.find("FAILED: 2 requirement(s) of --require sbom,provenance not met") != std::string::npos, unmet.out);
  BOOST_TEST(unmet.out.find(subjects.back().first + " " + arm64 + ": required sbom attestation (https://spdx.dev/Document) is missing") !=
                 std::string::npos, unmet.out);
  BOOST_TEST(unmet.out.find(subjects.back().first + " " + arm64 + ": required provenance attestation") != std::string::npos, unmet.out);
  auto unmet_json = s.ws.Run({"verify", s.Image("1.0.0"), "--key", s.pub, "--plain-http", "--json", "--require", "sbom"});
  BOOST_TEST(unmet_json.exit_code == 1, unmet_json.Describe());
  const Json verdict = Json::parse(unmet_json.out, nullptr, false);
  BOOST_TEST(verdict.value("ok", true) == false, unmet_json.out);
  BOOST_TEST(verdict.value("required_failures", Json::array()).size() == 1u, unmet_json.out);
  auto r3 = s.Run("r3.json");
  BOOST_TEST_REQUIRE(r3.exit_code == 0, r3.Describe());
  const Json report3 = s.ws.ReadJson("r3.json");
  BOOST_TEST(TaskStatusOf(report3, "sbom:hello@1.0.0") == "ran");
  BOOST_TEST(TaskStatusOf(report3, "provenance:hello@1.0.0") == "ran");
  for (const auto& [what, digest] : subjects) {
    size_t layers = 0;
    auto again = s.Attestations(digest, &layers);
    BOOST_TEST(layers == 2u, what);
    BOOST_REQUIRE(again[std::string(mg::kSlsaProvenanceV1PredicateType)].size() == 1u);
    BOOST_TEST(again[std::string(mg::kSlsaProvenanceV1PredicateType)][0].predicate == provenance, what);
  }
  auto v3 = s.ws.Run({"verify", s.Image("1.0.0"), "--key", s.pub, "--plain-http"});
  BOOST_TEST(v3.exit_code == 0, v3.Describe());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
