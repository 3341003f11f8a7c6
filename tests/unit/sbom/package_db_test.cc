#include "sbom/package_db.h"

#include <boost/test/unit_test.hpp>

#include "sbom/npm_package.h"
#include "sbom/os_release.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(package_db_test)

BOOST_AUTO_TEST_CASE(dpkg_status_keeps_installed_packages_only) {
  const char* text =
      "Package: a\r\nStatus: install ok installed\r\nVersion: 1\r\nArchitecture: amd64\r\n\r\n"
      "Package: b\nStatus: hold ok installed\nVersion: 2\nLicense: MIT\n and more\n\n\n"
      "Package: c\nStatus: deinstall ok config-files\nVersion: 3\n\n"
      "Package: d\nStatus: install ok unpacked\nVersion: 4\n\n"
      "Package: e\nStatus: install ok installed\n\n"  // no version
      "Status: install ok installed\nVersion: 5\n\n"   // no name
      "Package: f\nStatus:   install   ok   installed  \nVersion: 6\n";
  auto pkgs = mg::ParseDpkgStatus(text, "/var/lib/dpkg/status");
  BOOST_REQUIRE_EQUAL(pkgs.size(), 3u);
  BOOST_TEST(pkgs[0].name == "a");
  BOOST_TEST(pkgs[0].arch == "amd64");
  BOOST_TEST(pkgs[0].type == "deb");
  BOOST_TEST(pkgs[1].name == "b");
  BOOST_TEST(pkgs[1].license == "MIT");  // first line only
  BOOST_TEST(pkgs[2].name == "f");
  BOOST_TEST(pkgs[2].source_path == "/var/lib/dpkg/status");
}

BOOST_AUTO_TEST_CASE(apk_installed) {
  auto pkgs = mg::ParseApkInstalled("P:a\nV:1-r0\nA:x86_64\nL:MIT\n\nP:b\nV:2-r1\nA:x86_64\n", "/lib/apk/db/installed");
  BOOST_REQUIRE_EQUAL(pkgs.size(), 2u);
  BOOST_TEST(pkgs[0].license == "MIT");
  BOOST_TEST(pkgs[1].name == "b");
  BOOST_TEST(pkgs[1].version == "2-r1");
  BOOST_TEST(pkgs[1].type == "apk");
}

BOOST_AUTO_TEST_CASE(os_release) {
  auto os = mg::ParseOsRelease(
      "# comment\nNAME=\"Ubuntu\"\nVERSION_ID='22.04'\nID=ubuntu\nPRETTY_NAME=\"Ubuntu \\\"Jammy\\\" 22.04\"\nbroken\n=x\n");
  BOOST_TEST(os.id == "ubuntu");
  BOOST_TEST(os.version_id == "22.04");
  BOOST_TEST(os.name == "Ubuntu");
  BOOST_TEST(os.pretty_name == "Ubuntu \"Jammy\" 22.04");
  BOOST_TEST(!mg::ParseOsRelease("").found());
}

BOOST_AUTO_TEST_CASE(npm_manifests) {
  auto p = mg::ParseNpmPackageJson(
      R"({"name":"x","version":"1.0.0","readme":"huge","license":{"type":"BSD-2-Clause"},"nested":{"name":"no"}})", "/p",
      true);
  BOOST_REQUIRE(p.ok());
  BOOST_TEST(p->name == "x");
  BOOST_TEST(p->license == "BSD-2-Clause");
  auto legacy = mg::ParseNpmPackageJson(R"({"name":"y","version":"2","licenses":["MIT",{"type":"Apache-2.0"}]})", "/p", true);
  BOOST_REQUIRE(legacy.ok());
  BOOST_TEST(legacy->license == "MIT OR Apache-2.0");
  BOOST_TEST((mg::ParseNpmPackageJson(R"({"version":"1"})", "/p", true).status().code() ==
              mg::Status::Code::kInvalidArgument));
  BOOST_TEST((mg::ParseNpmPackageJson(R"({"name":"z"})", "/p", true).status().code() ==
              mg::Status::Code::kInvalidArgument));
  BOOST_TEST(mg::ParseNpmPackageJson(R"({"name":"z"})", "/p", false).ok());
  BOOST_TEST((mg::ParseNpmPackageJson("[1,2]", "/p", true).status().code() == mg::Status::Code::kCorruption));
  BOOST_TEST((mg::ParseNpmPackageJson("\"str\"", "/p", true).status().code() == mg::Status::Code::kCorruption));
  auto deep = mg::ParseNpmPackageJson("{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}", "/p", true);
  BOOST_TEST(deep.status().message().find("nested deeper than 64 levels") != std::string::npos, deep.status().ToString());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
