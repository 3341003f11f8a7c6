#include "sbom/spdx.h"

#include <boost/test/unit_test.hpp>

#include "spdx_schema.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <set>

#include "sbom/license.h"
#include "sbom/purl.h"
#include "util/subprocess.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::Json;
using mg::Package;
using mg::SpdxImage;
using mg::SpdxInput;

namespace {

const std::string kAmd = "sha256:" + std::string(64, 'a');
const std::string kArm = "sha256:" + std::string(64, 'b');
const std::string kIndex = "sha256:" + std::string(64, 'c');

Package Pkg(std::string type, std::string name, std::string version, std::string license, std::string path) {
  Package p;
  p.type = std::move(type);
  p.name = std::move(name);
  p.version = std::move(version);
  p.license = std::move(license);
  p.source_path = std::move(path);
  if (p.type == "deb") p.arch = "amd64";
  return p;
}

mg::ScanResult Scan() {
  mg::ScanResult r;
  r.os.id = "debian";
  r.os.version_id = "12";
  r.os.pretty_name = "Debian GNU/Linux 12 (bookworm)";
  r.os.source_path = "/etc/os-release";
  r.packages = {
      Pkg("deb", "libc6", "2.36-9+deb12u4", "LGPL-2.1-or-later", "/var/lib/dpkg/status"),
      Pkg("deb", "tzdata", "2024a-0+deb12u1", "", "/var/lib/dpkg/status"),
      Pkg("golang", "github.com/google/uuid", "v1.6.0", "", "/usr/bin/demo"),
      Pkg("npm", "@babel/core", "7.24.0", "(MIT OR Apache-2.0) AND BSD-3-Clause", "/app/node_modules/@babel/core/package.json"),
      Pkg("npm", "odd", "1.0.0", "SEE LICENSE IN LICENSE.md", "/app/node_modules/odd/package.json"),
      Pkg("npm", "odd2", "1.0.0", "SEE LICENSE IN LICENSE.md", "/app/node_modules/odd2/package.json"),
      Pkg("npm", "secret", "1.0.0", "UNLICENSED", "/app/package.json"),
  };
  for (Package& p : r.packages) p.purl = mg::PurlFor(p, r.os);
  r.packages[6].is_application = true;
  return r;
}

SpdxInput SingleInput() {
  SpdxInput in;
  in.repository = "127.0.0.1:5000/team/app";
  in.tag = "1.0";
  in.created = "2024-05-01T12:00:00Z";
  in.tool_version = "0.1.0";
  in.images.push_back({kAmd, "linux/amd64", Scan()});
  return in;
}

const Json* FindPackage(const Json& doc, const std::string& name) {
  for (const Json& p : doc["packages"]) {
    if (p["name"] == name) return &p;
  }
  return nullptr;
}

int Count(const Json& doc, const std::string& type, const std::string& from = "") {
  int n = 0;
  for (const Json& r : doc["relationships"]) {
    if (r["relationshipType"] == type && (from.empty() || r["spdxElementId"] == from)) ++n;
  }
  return n;
}


// The SPDX schema's verdict on `doc` (tests/spdx_schema.h).
std::string SchemaErrors(const Json& doc) { return mg::testing::SpdxSchemaErrorsOrSkip(doc); }

}  // namespace

BOOST_AUTO_TEST_SUITE(spdx_test)

BOOST_AUTO_TEST_CASE(single_image_document) {
  auto doc = mg::BuildSpdx(SingleInput());
  BOOST_REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
  const Json& d = *doc;
  BOOST_TEST(d["spdxVersion"] == "SPDX-2.3");
  BOOST_TEST(d["dataLicense"] == "CC0-1.0");
  BOOST_TEST(d["SPDXID"] == "SPDXRef-DOCUMENT");
  BOOST_TEST(d["name"] == "127.0.0.1:5000/team/app:1.0@" + kAmd);
  BOOST_TEST(d["documentNamespace"] == "https://mirrorgraph.invalid/spdx/127.0.0.1:5000/team/app@" + kAmd);
  BOOST_TEST(d["creationInfo"]["created"] == "2024-05-01T12:00:00Z");
  BOOST_TEST(d["creationInfo"]["creators"] == Json::array({"Tool: mirrorgraph-0.1.0"}));
  // image + OS + 7 packages
  BOOST_REQUIRE_EQUAL(d["packages"].size(), 9u);
  const Json& image = d["packages"][0];
  BOOST_TEST(image["primaryPackagePurpose"] == "CONTAINER");
  BOOST_TEST(image["versionInfo"] == kAmd);
  BOOST_TEST(image["checksums"][0]["checksumValue"] == std::string(64, 'a'));
  BOOST_TEST(image["externalRefs"][0]["referenceLocator"] ==
             "pkg:oci/app@" + kAmd + "?arch=amd64&repository_url=127.0.0.1:5000/team/app&tag=1.0");
  BOOST_TEST(d["documentDescribes"] == Json::array({image["SPDXID"]}));
  const Json& os = d["packages"][1];
  BOOST_TEST(os["primaryPackagePurpose"] == "OPERATING_SYSTEM");
  BOOST_TEST(os["name"] == "debian");
  BOOST_TEST(os["versionInfo"] == "12");

  const Json* libc = FindPackage(d, "libc6");
  BOOST_REQUIRE(libc != nullptr);
  BOOST_TEST((*libc)["versionInfo"] == "2.36-9+deb12u4");
  BOOST_TEST((*libc)["licenseDeclared"] == "LGPL-2.1-or-later");
  BOOST_TEST((*libc)["downloadLocation"] == "NOASSERTION");
  BOOST_TEST((*libc)["externalRefs"] ==
             Json::parse(R"([{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl",)"
                         R"("referenceLocator":"pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"}])"));
  BOOST_TEST((*libc)["sourceInfo"] == "acquired package info from the dpkg database: /var/lib/dpkg/status");
  BOOST_TEST((*FindPackage(d, "tzdata"))["licenseDeclared"] == "NOASSERTION");
  BOOST_TEST((*FindPackage(d, "@babel/core"))["licenseDeclared"] == "(MIT OR Apache-2.0) AND BSD-3-Clause");
  BOOST_TEST((*FindPackage(d, "secret"))["primaryPackagePurpose"] == "APPLICATION");

  // Free-text licenses become one LicenseRef each, with the text kept.
  const std::string odd = (*FindPackage(d, "odd"))["licenseDeclared"];
  BOOST_TEST(odd.rfind("LicenseRef-SEE-LICENSE-IN-LICENSE.md-", 0) == 0, odd);
  BOOST_TEST((*FindPackage(d, "odd2"))["licenseDeclared"] == odd);
  const std::string secret = (*FindPackage(d, "secret"))["licenseDeclared"];
  BOOST_TEST(secret.rfind("LicenseRef-UNLICENSED-", 0) == 0, secret);
  BOOST_REQUIRE_EQUAL(d["hasExtractedLicensingInfos"].size(), 2u);
  std::set<std::string> texts;
  for (const Json& l : d["hasExtractedLicensingInfos"]) texts.insert(l["extractedText"].get<std::string>());
  BOOST_TEST((texts == std::set<std::string>{"SEE LICENSE IN LICENSE.md", "UNLICENSED"}));

  BOOST_TEST(Count(d, "DESCRIBES") == 1);
  BOOST_TEST(d["relationships"][0]["relationshipType"] == "DESCRIBES");
  BOOST_TEST(d["relationships"][0]["relatedSpdxElement"] == image["SPDXID"]);
  BOOST_TEST(Count(d, "CONTAINS", image["SPDXID"]) == 8);
  std::set<std::string> ids;
  for (const Json& p : d["packages"]) ids.insert(p["SPDXID"].get<std::string>());
  BOOST_TEST(ids.size() == d["packages"].size());
}

BOOST_AUTO_TEST_CASE(output_is_reproducible) {
  auto a = mg::WriteSpdx(SingleInput());
  auto b = mg::WriteSpdx(SingleInput());
  BOOST_REQUIRE(a.ok() && b.ok());
  BOOST_TEST(*a == *b);
  SpdxInput other = SingleInput();
  other.created = "2024-05-02T00:00:00Z";
  BOOST_TEST(*mg::WriteSpdx(other) != *a);
}

BOOST_AUTO_TEST_CASE(index_document_covers_every_platform) {
  SpdxInput in = SingleInput();
  in.index_digest = kIndex;
  mg::ScanResult arm = Scan();
  arm.packages.resize(2);
  in.images.insert(in.images.begin(), SpdxImage{kArm, "linux/arm64/v8", arm});  // out of order on purpose
  auto doc = mg::BuildSpdx(in);
  BOOST_REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
  const Json& d = *doc;
  BOOST_TEST(d["documentNamespace"] == "https://mirrorgraph.invalid/spdx/127.0.0.1:5000/team/app@" + kIndex);
  const Json& index = d["packages"][0];
  BOOST_TEST(index["versionInfo"] == kIndex);
  BOOST_TEST(index["externalRefs"][0]["referenceLocator"] ==
             "pkg:oci/app@" + kIndex + "?repository_url=127.0.0.1:5000/team/app&tag=1.0");
  BOOST_TEST(d["relationships"][0]["relatedSpdxElement"] == index["SPDXID"]);
  BOOST_TEST(Count(d, "CONTAINS", index["SPDXID"]) == 2);
  // Images sorted by platform: amd64 first.
  BOOST_TEST(d["packages"][1]["versionInfo"] == kAmd);
  // 1 index + (1 image + 1 OS + 7) + (1 image + 1 OS + 2)
  BOOST_TEST(d["packages"].size() == 14u);
  std::set<std::string> ids;
  for (const Json& p : d["packages"]) ids.insert(p["SPDXID"].get<std::string>());
  BOOST_TEST(ids.size() == 14u);  // the same package in two platforms gets two ids
  // Reordering the input does not change the output.
  SpdxInput swapped = in;
  std::swap(swapped.images[0], swapped.images[1]);
  BOOST_TEST(*mg::WriteSpdx(swapped) == *mg::WriteSpdx(in));
  BOOST_TEST(SchemaErrors(d) == "");
}

BOOST_AUTO_TEST_CASE(validates_against_the_spdx_schema) {
  auto doc = mg::BuildSpdx(SingleInput());
  BOOST_REQUIRE(doc.ok());
  BOOST_TEST(SchemaErrors(*doc) == "");
  // The validator has teeth: a package without its required SPDXID is refused.
  Json broken = *doc;
  broken["packages"][2].erase("SPDXID");
  // The validator really validates (when the schema is there): a broken document is refused.
  if (mg::testing::SpdxSchemaPath()) {
    BOOST_TEST(SchemaErrors(broken).find("'SPDXID' is a required property") != std::string::npos);
  }
  // An image without OS or packages is still a valid document.
  SpdxInput bare = SingleInput();
  bare.images[0].scan = mg::ScanResult();
  auto bare_doc = mg::BuildSpdx(bare);
  BOOST_REQUIRE(bare_doc.ok());
  BOOST_TEST((*bare_doc)["packages"].size() == 1u);
  BOOST_TEST(SchemaErrors(*bare_doc) == "");
}

BOOST_AUTO_TEST_CASE(licenses_from_copyright_files_and_normalised_expressions) {
  SpdxInput in = SingleInput();
  mg::ScanResult& scan = in.images[0].scan;
  const std::string dep5 = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
                           "Files: *\nLicense: GPL-2+ and other\n\nLicense: other\n Do what you like.\n";
  Package bash = Pkg("deb", "bash", "5.2", "", "/var/lib/dpkg/status");
  bash.copyright_license = mg::DebianCopyrightLicense(dep5, "/usr/share/doc/bash/copyright");
  Package dash = Pkg("deb", "dash", "0.5", "", "/var/lib/dpkg/status");
  dash.copyright_license = bash.copyright_license;  // the same LicenseRef in two packages: one entry
  Package musl = Pkg("apk", "musl", "1.2.4-r2", "mit and BSD", "/lib/apk/db/installed");
  Package old = Pkg("apk", "old", "1", "GPL-2.0+", "/lib/apk/db/installed");
  scan.packages.insert(scan.packages.end(), {bash, dash, musl, old});
  auto doc = mg::BuildSpdx(in);
  BOOST_REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
  const Json& d = *doc;
  const std::string other = bash.copyright_license.extracted.at(0).id;
  BOOST_TEST((*FindPackage(d, "bash"))["licenseDeclared"] == "GPL-2.0-or-later AND " + other);
  BOOST_TEST((*FindPackage(d, "dash"))["licenseDeclared"] == "GPL-2.0-or-later AND " + other);
  BOOST_TEST((*FindPackage(d, "bash"))["licenseConcluded"] == "NOASSERTION");
  const std::string musl_license = (*FindPackage(d, "musl"))["licenseDeclared"];
  BOOST_TEST(musl_license.rfind("MIT AND LicenseRef-BSD-", 0) == 0, musl_license);
  BOOST_TEST((*FindPackage(d, "old"))["licenseDeclared"] == "GPL-2.0-or-later");
  // Every LicenseRef used is defined once, sorted by id, with its text.
  std::vector<std::string> ids;
  for (const Json& l : d["hasExtractedLicensingInfos"]) {
    ids.push_back(l["licenseId"]);
    if (l["licenseId"] == other) {
      BOOST_TEST(l["extractedText"] == "Do what you like.");
      BOOST_TEST(l["name"] == "other");
    }
  }
  BOOST_TEST(std::is_sorted(ids.begin(), ids.end()));
  BOOST_TEST(std::count(ids.begin(), ids.end(), other) == 1);
  BOOST_TEST(std::count(ids.begin(), ids.end(), musl_license.substr(8)) == 1);
  BOOST_TEST(ids.size() == 4u);  // other, BSD, and the two free-text ones of Scan()
  BOOST_TEST(SchemaErrors(d) == "");
  BOOST_TEST(*mg::WriteSpdx(in) == *mg::WriteSpdx(in));
}

BOOST_AUTO_TEST_CASE(input_errors) {
  SpdxInput in = SingleInput();
  in.created = "2024-05-01 12:00:00";
  BOOST_TEST(mg::BuildSpdx(in).status().message().find("YYYY-MM-DDThh:mm:ssZ") != std::string::npos);
  in = SingleInput();
  in.images[0].digest = "sha256:abc";
  BOOST_TEST((mg::BuildSpdx(in).status().code() == mg::Status::Code::kInvalidArgument));
  in = SingleInput();
  in.images.push_back(in.images[0]);
  BOOST_TEST(mg::BuildSpdx(in).status().message().find("need an index digest") != std::string::npos);
  in = SingleInput();
  in.images.clear();
  BOOST_TEST(!mg::BuildSpdx(in).ok());
}

BOOST_AUTO_TEST_CASE(license_expressions) {
  for (const char* good : {"MIT", "Apache-2.0", "GPL-2.0+", "GPL-2.0-only WITH Classpath-exception-2.0",
                           "(MIT OR Apache-2.0) AND BSD-3-Clause", "LicenseRef-foo.bar",
                           "DocumentRef-x:LicenseRef-y", "((MIT))"}) {
    BOOST_TEST(mg::IsSpdxLicenseExpression(good), good);
  }
  for (const char* bad : {"", "MIT or Apache-2.0", "MIT OR", "(MIT", "MIT)", "SEE LICENSE IN LICENSE", "MIT/X11",
                          "GPL-2 WITH", "AND", "MIT AND AND GPL-2.0"}) {
    BOOST_TEST(!mg::IsSpdxLicenseExpression(bad), bad);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
