#include "sbom/layer_scanner.h"

#include <boost/test/unit_test.hpp>

#include <map>
#include <sstream>

#include "unit/sbom/go_elf.h"
#include "unit/sbom/tar_builder.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::LayerScanner;
using mg::Package;
using mg::ScanResult;
using mg::Status;
using mg::StringByteReader;
using mg::testing::MakeGoElf;
using mg::testing::RawTarHeader;
using Tar = mg::testing::TarBuilder;

namespace {

const char kDebianOsRelease[] =
    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
    "NAME=\"Debian GNU/Linux\"\n"
    "VERSION_ID=\"12\"\n"
    "VERSION=\"12 (bookworm)\"\n"
    "ID=debian\n";

const char kDpkgStatus[] =
    "Package: base-files\n"
    "Essential: yes\n"
    "Status: install ok installed\n"
    "Priority: required\n"
    "Architecture: amd64\n"
    "Version: 12.4+deb12u5\n"
    "Description: Debian base system miscellaneous files\n"
    " This package contains the basic filesystem hierarchy.\n"
    "\n"
    "Package: libc6\n"
    "Status: install ok installed\n"
    "Architecture: amd64\n"
    "Multi-Arch: same\n"
    "Source: glibc\n"
    "Version: 2.36-9+deb12u4\n"
    "License: LGPL-2.1-or-later\n"
    "\n"
    "Package: removed-pkg\n"
    "Status: deinstall ok config-files\n"
    "Architecture: amd64\n"
    "Version: 1.0-1\n"
    "\n"
    "Package: never-pkg\n"
    "Status: purge ok not-installed\n"
    "Architecture: amd64\n"
    "\n"
    "Package: held\n"
    "Status: hold ok installed\n"
    "Architecture: amd64\n"
    "Version: 1:2.0-1\n"
    "\n"
    "Package: half\n"
    "Status: install reinstreq half-installed\n"
    "Architecture: amd64\n"
    "Version: 3.0\n"
    "\n"
    "Package: tzdata\n"
    "Status: install ok installed\n"
    "Architecture: all\n"
    "Version: 2024a-0+deb12u1\n";

const char kCurlStanza[] =
    "Package: curl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 7.88.1-10+deb12u5\n";

std::string NpmManifest(const std::string& name, const std::string& version, const std::string& license_json) {
  return "{\"name\":\"" + name + "\",\"version\":\"" + version + "\"" +
         (license_json.empty() ? "" : ",\"license\":" + license_json) + ",\"dependencies\":{\"x\":\"^1\"}}";
}

const std::string kAppMods =
    "path\texample.com/demo/cmd/demo\n"
    "mod\texample.com/demo\t(devel)\t\n"
    "dep\tgithub.com/google/uuid\tv1.6.0\th1:u=\n"
    "dep\tgolang.org/x/text\tv0.14.0\th1:t=\n"
    "=>\tgolang.org/x/text\tv0.15.0\th1:r=\n";
const std::string kOldMods =
    "path\texample.com/old\n"
    "mod\texample.com/old\tv1.0.0\th1:o=\n"
    "dep\tgithub.com/pkg/errors\tv0.9.1\th1:e=\n";

// Scans the layers in order; fails the test on error.
ScanResult MustScan(const std::vector<std::string>& layers, mg::ScanOptions options = {}) {
  LayerScanner scanner(options);
  int i = 0;
  for (const std::string& layer : layers) {
    StringByteReader reader(layer, 777);  // odd piece size: entries straddle reads
    Status s = scanner.AddLayer(reader, "layer-" + std::to_string(++i));
    BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
  auto r = scanner.Finish();
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(r).value();
}

Status ScanError(const std::vector<std::string>& layers) {
  LayerScanner scanner;
  for (const std::string& layer : layers) {
    StringByteReader reader(layer);
    Status s = scanner.AddLayer(reader, "sha256:feed");
    if (!s.ok()) return s;
  }
  auto r = scanner.Finish();
  return r.ok() ? Status::OK() : r.status();
}

std::string Listing(const ScanResult& r) {
  std::ostringstream out;
  for (const Package& p : r.packages) {
    out << p.type << " " << p.name << " " << p.version << " " << p.purl << " " << p.source_path
        << (p.license.empty() ? "" : " [" + p.license + "]") << (p.is_application ? " app" : "") << "\n";
  }
  return out.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(layer_scanner_test)

BOOST_AUTO_TEST_CASE(debian_image_with_npm_and_go_across_three_layers) {
  const std::string base =
      Tar(Tar::Compression::kGzip)
          .Dir("./etc")
          .File("./etc/os-release", kDebianOsRelease)
          .File("./var/lib/dpkg/status", kDpkgStatus)
          .File("./var/lib/dpkg/status.d/curl", kCurlStanza)
          .File("./var/lib/dpkg/status.d/curl.md5sums", "d41d8cd98f00b204e9800998ecf8427e  usr/bin/curl\n")
          .File("app/package.json", NpmManifest("demo-app", "1.0.0", "\"Apache-2.0\""))
          .File("app/node_modules/lodash/package.json", NpmManifest("lodash", "4.17.21", "\"MIT\""))
          .File("app/node_modules/lodash/fp/package.json", "{\"name\":\"not-a-package\",\"version\":\"0\"}")
          .File("app/node_modules/@babel/core/package.json",
                NpmManifest("@babel/core", "7.24.0", "{\"type\":\"MIT\",\"url\":\"x\"}"))
          .File("app/node_modules/@babel/core/node_modules/semver/package.json",
                "{\"name\":\"semver\",\"version\":\"6.3.1\",\"licenses\":[{\"type\":\"ISC\"}]}")
          .File("app/node_modules/left-pad/package.json", NpmManifest("left-pad", "1.3.0", "\"WTFPL\""))
          .File("app/node_modules/.package-lock.json", "{}")
          .File("usr/local/lib/olddir/node_modules/old/package.json", NpmManifest("old", "0.1.0", ""))
          .File("usr/local/bin/demo", MakeGoElf(true, "go1.22.1", kAppMods), 0755)
          .File("usr/share/doc/readme.txt", "not parsed")
          .Finish();
  const std::string middle =
      Tar(Tar::Compression::kNone)
          .Whiteout("app/node_modules", "left-pad")
          .File("usr/local/lib/olddir/node_modules/new/package.json", NpmManifest("new", "2.0.0", "\"BSD-3-Clause\""))
          .Opaque("usr/local/lib/olddir")  // after `new` in the same layer: `new` stays
          .Whiteout("var/lib/dpkg/status.d", "curl")
          .File("usr/bin/old", MakeGoElf(false, "go1.16.15", kOldMods), 0755)
          .File("usr/bin/gone", MakeGoElf(true, "go1.21.0", kOldMods), 0755)
          .Finish();
  const std::string top = Tar(Tar::Compression::kZstd)
                              .File("usr/bin/gone", "#!/bin/sh\nexec true\n", 0755)  // replaces a Go binary
                              .File("usr/lib/os-release", kDebianOsRelease)
                              .Symlink("etc/os-release", "../usr/lib/os-release")
                              .Finish();

  ScanResult r = MustScan({base, middle, top});
  BOOST_TEST(r.os.id == "debian");
  BOOST_TEST(r.os.version_id == "12");
  BOOST_TEST(r.os.pretty_name == "Debian GNU/Linux 12 (bookworm)");
  BOOST_TEST(r.os.source_path == "/usr/lib/os-release");
  BOOST_TEST(r.layers == 3);
  BOOST_TEST(r.warnings.size() == 0u, (r.warnings.empty() ? std::string() : r.warnings.front()));

  const std::string expected =
      "deb base-files 12.4+deb12u5 pkg:deb/debian/base-files@12.4%2Bdeb12u5?arch=amd64&distro=debian-12 /var/lib/dpkg/status\n"
      "deb held 1:2.0-1 pkg:deb/debian/held@1:2.0-1?arch=amd64&distro=debian-12 /var/lib/dpkg/status\n"
      "deb libc6 2.36-9+deb12u4 pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12 /var/lib/dpkg/status [LGPL-2.1-or-later]\n"
      "deb tzdata 2024a-0+deb12u1 pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12 /var/lib/dpkg/status\n"
      "golang example.com/demo (devel) pkg:golang/example.com/demo /usr/local/bin/demo app\n"
      "golang example.com/old v1.0.0 pkg:golang/example.com/old@v1.0.0 /usr/bin/old app\n"
      "golang github.com/google/uuid v1.6.0 pkg:golang/github.com/google/uuid@v1.6.0 /usr/local/bin/demo\n"
      "golang github.com/pkg/errors v0.9.1 pkg:golang/github.com/pkg/errors@v0.9.1 /usr/bin/old\n"
      "golang golang.org/x/text v0.15.0 pkg:golang/golang.org/x/text@v0.15.0 /usr/local/bin/demo\n"
      "golang stdlib go1.16.15 pkg:golang/stdlib@1.16.15 /usr/bin/old\n"
      "golang stdlib go1.22.1 pkg:golang/stdlib@1.22.1 /usr/local/bin/demo\n"
      "npm @babel/core 7.24.0 pkg:npm/%40babel/core@7.24.0 /app/node_modules/@babel/core/package.json [MIT]\n"
      "npm demo-app 1.0.0 pkg:npm/demo-app@1.0.0 /app/package.json [Apache-2.0] app\n"
      "npm lodash 4.17.21 pkg:npm/lodash@4.17.21 /app/node_modules/lodash/package.json [MIT]\n"
      "npm new 2.0.0 pkg:npm/new@2.0.0 /usr/local/lib/olddir/node_modules/new/package.json [BSD-3-Clause]\n"
      "npm semver 6.3.1 pkg:npm/semver@6.3.1 /app/node_modules/@babel/core/node_modules/semver/package.json [ISC]\n";
  BOOST_TEST(Listing(r) == expected);
}

BOOST_AUTO_TEST_CASE(status_d_entries_without_a_status_file) {
  const std::string layer = Tar()
                                .File("etc/os-release", kDebianOsRelease)
                                .File("var/lib/dpkg/status.d/base", "Package: base-files\nStatus: install ok installed\n"
                                                                    "Architecture: arm64\nVersion: 12.4\n")
                                .File("var/lib/dpkg/status.d/libssl3", "Package: libssl3\nStatus: install ok installed\n"
                                                                       "Architecture: arm64\nVersion: 3.0.11-1~deb12u2\n")
                                .Finish();
  ScanResult r = MustScan({layer});
  BOOST_TEST(Listing(r) ==
             "deb base-files 12.4 pkg:deb/debian/base-files@12.4?arch=arm64&distro=debian-12 /var/lib/dpkg/status.d/base\n"
             "deb libssl3 3.0.11-1~deb12u2 pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=arm64&distro=debian-12 /var/lib/dpkg/status.d/libssl3\n");
}

BOOST_AUTO_TEST_CASE(debian_licenses_from_copyright_files) {
  const std::string dep5 = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n";
  const std::string status =
      "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.0.11\n\n"
      "Package: libssl-dev\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.0.11\n\n"
      "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36\n\n"
      "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.2.13\n\n"
      "Package: tzdata\nStatus: install ok installed\nArchitecture: all\nVersion: 2024a\n\n"
      "Package: gone\nStatus: install ok installed\nArchitecture: all\nVersion: 1\n\n"
      "Package: linked\nStatus: install ok installed\nArchitecture: all\nVersion: 1\n\n"
      "Package: loop\nStatus: install ok installed\nArchitecture: all\nVersion: 1\n";
  const std::string base =
      Tar(Tar::Compression::kGzip)
          .File("etc/os-release", kDebianOsRelease)
          .File("var/lib/dpkg/status", status)
          .File("usr/share/doc/libssl3/copyright", dep5 + "Files: *\nCopyright: x\nLicense: Apache-2.0\n")
          .Symlink("usr/share/doc/libssl-dev", "libssl3")  // a -dev package's doc directory
          .File("usr/share/doc/libc6/copyright", "This is the Debian prepackaged version of the C library.\n")
          .File("usr/share/doc/zlib1g/copyright", dep5 + "Files: *\nLicense: Zlib\n")
          .File("usr/share/doc/gone/copyright", dep5 + "Files: *\nLicense: MIT\n")
          .File("usr/share/doc/tzdata/copyright", dep5 + "Files: *\nLicense: MIT\n")
          .Dir("usr/share/doc/linked")
          .Symlink("usr/share/doc/linked/copyright", "/usr/share/doc/zlib1g/copyright")
          .Symlink("usr/share/doc/loop", "loop")
          .File("usr/share/doc/not-a-package-dir/x/copyright", dep5 + "Files: *\nLicense: MIT\n")
          .Finish();
  const std::string upper = Tar()
                                .Whiteout("usr/share/doc/gone", "copyright")
                                .File("usr/share/doc/tzdata/copyright", dep5 + "Files: *\nLicense: public-domain\n"
                                                                               "\nLicense: public-domain\n No rights.\n")
                                .Finish();
  ScanResult r = MustScan({base, upper});
  std::map<std::string, mg::DeclaredLicense> by_name;
  for (const Package& p : r.packages) by_name[p.name] = p.copyright_license;
  BOOST_REQUIRE_EQUAL(by_name.size(), 8u);
  BOOST_TEST(by_name["libssl3"].expression == "Apache-2.0");
  BOOST_TEST(by_name["libssl-dev"].expression == "Apache-2.0");  // through the directory symlink
  BOOST_TEST(by_name["libc6"].expression.empty());                 // not DEP-5: NOASSERTION
  BOOST_TEST(by_name["zlib1g"].expression == "Zlib");
  BOOST_TEST(by_name["linked"].expression == "Zlib");  // through the file symlink
  BOOST_TEST(by_name["gone"].expression.empty());      // whited out by the upper layer
  BOOST_TEST(by_name["loop"].expression.empty());      // a symlink loop: no license, no error
  // The upper layer's file replaces the lower one's.
  BOOST_REQUIRE_EQUAL(by_name["tzdata"].extracted.size(), 1u);
  BOOST_TEST(by_name["tzdata"].expression == by_name["tzdata"].extracted[0].id);
  BOOST_TEST(by_name["tzdata"].extracted[0].text == "No rights.");
}

BOOST_AUTO_TEST_CASE(copyright_file_over_its_cap_is_a_warning) {
  const std::string layer = Tar()
                                .File("var/lib/dpkg/status", "Package: big\nStatus: install ok installed\nVersion: 1\n")
                                .File("usr/share/doc/big/copyright", std::string(2048, 'x'))
                                .Finish();
  mg::ScanOptions options;
  options.max_copyright_bytes = 1024;
  ScanResult r = MustScan({layer}, options);
  BOOST_REQUIRE_EQUAL(r.packages.size(), 1u);
  BOOST_TEST(r.packages[0].copyright_license.expression.empty());
  BOOST_REQUIRE_EQUAL(r.warnings.size(), 1u);
  BOOST_TEST(r.warnings[0].find("usr/share/doc/big/copyright: larger than 1 KiB") != std::string::npos, r.warnings[0]);
}

BOOST_AUTO_TEST_CASE(alpine_image) {
  const std::string layer =
      Tar()
          .File("etc/os-release", "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux v3.19\"\n")
          .File("lib/apk/db/installed",
                "C:Q1abc=\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\nS:383152\nL:MIT\no:musl\n\n"
                "C:Q1def=\nP:busybox\nV:1.36.1-r15\nA:x86_64\nL:GPL-2.0-only\n\n"
                "P:broken-no-version\nA:x86_64\n\n")
          .Finish();
  ScanResult r = MustScan({layer});
  BOOST_TEST(r.os.id == "alpine");
  BOOST_TEST(Listing(r) ==
             "apk busybox 1.36.1-r15 pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1 /lib/apk/db/installed [GPL-2.0-only]\n"
             "apk musl 1.2.4_git20230717-r4 pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1 /lib/apk/db/installed [MIT]\n");
}

BOOST_AUTO_TEST_CASE(whiteout_of_a_whole_directory_and_replacement_by_a_file) {
  const std::string lower = Tar()
                                .File("srv/web/package.json", NpmManifest("web", "3.0.0", "\"MIT\""))
                                .File("srv/web/node_modules/a/package.json", NpmManifest("a", "1.0.0", ""))
                                .File("opt/x/node_modules/b/package.json", NpmManifest("b", "1.0.0", ""))
                                .File("var/lib/dpkg/status", kDpkgStatus)
                                .Finish();
  const std::string upper = Tar()
                                .Whiteout("srv", "web")       // the app and its node_modules are gone
                                .File("opt/x/node_modules", "a file now")  // a file replaces the directory
                                .Whiteout("var/lib/dpkg", "status")
                                .Finish();
  ScanResult r = MustScan({lower, upper});
  BOOST_TEST(r.packages.empty(), Listing(r));
  ScanResult only_lower = MustScan({lower});
  BOOST_TEST(only_lower.packages.size() == 7u, Listing(only_lower));
}

BOOST_AUTO_TEST_CASE(opaque_directory_at_the_root_of_node_modules) {
  const std::string lower = Tar()
                                .File("app/node_modules/a/package.json", NpmManifest("a", "1.0.0", ""))
                                .File("app/node_modules/b/package.json", NpmManifest("b", "1.0.0", ""))
                                .Finish();
  const std::string upper = Tar()
                                .Opaque("app/node_modules")
                                .File("app/node_modules/c/package.json", NpmManifest("c", "1.0.0", ""))
                                .Finish();
  ScanResult r = MustScan({lower, upper});
  BOOST_TEST(Listing(r) == "npm c 1.0.0 pkg:npm/c@1.0.0 /app/node_modules/c/package.json\n");
}

BOOST_AUTO_TEST_CASE(hard_link_to_a_go_binary_is_another_copy) {
  const std::string layer = Tar()
                                .File("usr/bin/tool", MakeGoElf(true, "go1.22.1", kOldMods), 0755)
                                .Hardlink("usr/bin/tool2", "usr/bin/tool")
                                .Finish();
  ScanResult r = MustScan({layer});
  int copies = 0;
  for (const Package& p : r.packages) copies += p.name == "stdlib" ? 1 : 0;
  BOOST_TEST(copies == 2, Listing(r));
  BOOST_TEST(Listing(r).find("/usr/bin/tool2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(app_roots_are_configurable) {
  const std::string layer = Tar()
                                .File("opt/svc/package.json", NpmManifest("svc", "1.0.0", ""))
                                .File("opt/a/b/package.json", NpmManifest("deep", "1.0.0", ""))
                                .File("home/node/app/package.json", NpmManifest("home-app", "0.0.1", ""))
                                .File("custom/place/package.json", NpmManifest("custom", "9.0.0", ""))
                                .Finish();
  ScanResult defaults = MustScan({layer});
  BOOST_TEST(Listing(defaults) ==
             "npm home-app 0.0.1 pkg:npm/home-app@0.0.1 /home/node/app/package.json app\n"
             "npm svc 1.0.0 pkg:npm/svc@1.0.0 /opt/svc/package.json app\n");
  mg::ScanOptions options;
  options.app_roots = {"custom/*"};
  ScanResult custom = MustScan({layer}, options);
  BOOST_TEST(Listing(custom) == "npm custom 9.0.0 pkg:npm/custom@9.0.0 /custom/place/package.json app\n");
}

BOOST_AUTO_TEST_CASE(bad_package_json_is_a_warning_and_caps_hold) {
  mg::ScanOptions options;
  options.max_package_json_bytes = 1500;
  const std::string layer =
      Tar()
          .File("app/node_modules/bad/package.json", "{\"name\": \"bad\", ")
          .File("app/node_modules/deep/package.json", std::string(500, '[') + std::string(500, ']'))
          .File("app/node_modules/big/package.json", NpmManifest("big", "1.0.0", "\"MIT\"") + std::string(2000, ' '))
          .File("app/node_modules/ok/package.json", NpmManifest("ok", "1.0.0", ""))
          .Finish();
  ScanResult r = MustScan({layer}, options);
  BOOST_TEST(Listing(r) == "npm ok 1.0.0 pkg:npm/ok@1.0.0 /app/node_modules/ok/package.json\n");
  BOOST_REQUIRE_EQUAL(r.warnings.size(), 3u);
  std::string all = r.warnings[0] + "\n" + r.warnings[1] + "\n" + r.warnings[2];
  BOOST_TEST(all.find("/app/node_modules/big/package.json: larger than 1500 bytes") != std::string::npos, all);
  BOOST_TEST(all.find("/app/node_modules/bad/package.json: not a JSON object") != std::string::npos, all);
  BOOST_TEST(all.find("/app/node_modules/deep/package.json: not a JSON object") != std::string::npos, all);
}

BOOST_AUTO_TEST_CASE(database_over_its_cap_is_an_error) {
  mg::ScanOptions options;
  options.max_database_bytes = 64;
  LayerScanner scanner(options);
  const std::string layer = Tar().File("var/lib/dpkg/status", kDpkgStatus).Finish();
  StringByteReader reader(layer);
  Status s = scanner.AddLayer(reader, "sha256:aa");
  BOOST_TEST((s.code() == Status::Code::kFailedPrecondition));
  BOOST_TEST(s.message().find("layer 1 (sha256:aa): /var/lib/dpkg/status") != std::string::npos, s.message());
  BOOST_TEST(s.message().find("64 bytes") != std::string::npos, s.message());
  // The scanner is unusable afterwards.
  StringByteReader again(layer);
  BOOST_TEST((scanner.AddLayer(again).code() == Status::Code::kFailedPrecondition));
  BOOST_TEST((scanner.Finish().status().code() == Status::Code::kFailedPrecondition));
}

BOOST_AUTO_TEST_CASE(empty_layers) {
  const std::string empty_tar = Tar(Tar::Compression::kGzip).Finish();
  ScanResult r = MustScan({"", empty_tar, Tar(Tar::Compression::kNone).Finish()});
  BOOST_TEST(r.packages.empty());
  BOOST_TEST(!r.os.found());
}

// --- hostile and corrupt layers: a clear error, never a crash or a write -------------------------

BOOST_AUTO_TEST_CASE(absolute_path_is_rejected) {
  const std::string layer = Tar().File("ok.txt", "x").File("/etc/passwd", "root::0:0::/:/bin/sh\n").Finish();
  Status s = ScanError({layer});
  BOOST_TEST((s.code() == Status::Code::kCorruption));
  BOOST_TEST(s.message().find("layer 1 (sha256:feed)") != std::string::npos, s.message());
  BOOST_TEST(s.message().find("'/etc/passwd' has an absolute path") != std::string::npos, s.message());
}

BOOST_AUTO_TEST_CASE(dot_dot_escape_is_rejected_but_inner_dot_dot_is_folded) {
  Status s = ScanError({Tar().File("../../etc/cron.d/x", "* * * * * root sh\n").Finish()});
  BOOST_TEST((s.code() == Status::Code::kCorruption));
  BOOST_TEST(s.message().find("'../../etc/cron.d/x' climbs above the image root") != std::string::npos, s.message());
  Status nested = ScanError({Tar().File("app/../../x", "").Finish()});
  BOOST_TEST((nested.code() == Status::Code::kCorruption));
  Status hard = ScanError({Tar().File("a", "").Hardlink("b", "../a").Finish()});
  BOOST_TEST((hard.code() == Status::Code::kCorruption), hard.ToString());
  BOOST_TEST(hard.message().find("hard link target") != std::string::npos, hard.message());
  ScanResult ok = MustScan({Tar().File("app/x/../node_modules/q/package.json", NpmManifest("q", "1.0.0", "")).Finish()});
  BOOST_TEST(Listing(ok) == "npm q 1.0.0 pkg:npm/q@1.0.0 /app/node_modules/q/package.json\n");
}

BOOST_AUTO_TEST_CASE(huge_pax_header_is_an_error) {
  // A pax extended header declaring 64 MiB, of which only 1 KiB follows.
  std::string raw = RawTarHeader("PaxHeaders/x", 64ull << 20, 'x') + std::string(1024, 'a');
  Status s = ScanError({raw});
  BOOST_TEST((s.code() == Status::Code::kCorruption), s.ToString());
  BOOST_TEST(s.message().find("layer 1 (sha256:feed)") != std::string::npos, s.message());
  // The same with a full 2 MiB body: still refused (libarchive caps special headers), not buffered.
  std::string full = RawTarHeader("PaxHeaders/y", 2ull << 20, 'x') + std::string(2u << 20, 'a') + std::string(1024, '\0');
  Status s2 = ScanError({full});
  BOOST_TEST((s2.code() == Status::Code::kCorruption), s2.ToString());
  // A GNU long name of 64 MiB.
  Status s3 = ScanError({RawTarHeader("././@LongLink", 64ull << 20, 'L') + std::string(4096, 'n')});
  BOOST_TEST((s3.code() == Status::Code::kCorruption), s3.ToString());
}

BOOST_AUTO_TEST_CASE(truncated_and_corrupt_gzip) {
  std::string big;
  for (int i = 0; i < 2000; ++i) big += "line " + std::to_string(i * 7919) + " of filler text\n";
  const std::string layer = Tar().File("var/lib/dpkg/status", kDpkgStatus).File("filler", big).Finish();
  Status truncated = ScanError({layer.substr(0, layer.size() / 2)});
  BOOST_TEST((truncated.code() == Status::Code::kCorruption), truncated.ToString());
  BOOST_TEST(truncated.message().find("layer 1 (sha256:feed)") != std::string::npos, truncated.message());

  std::string flipped = layer;
  for (size_t i = 100; i < 140; ++i) flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
  Status corrupt = ScanError({flipped});
  BOOST_TEST((corrupt.code() == Status::Code::kCorruption), corrupt.ToString());

  Status junk = ScanError({std::string("this is not a tar archive at all, not even close........") + std::string(600, 'z')});
  BOOST_TEST((junk.code() == Status::Code::kCorruption), junk.ToString());
  BOOST_TEST(junk.message().find("not readable as a tar archive (uncompressed, gzip or zstd): Unrecognized archive format") != std::string::npos, junk.message());
}

BOOST_AUTO_TEST_CASE(truncated_plain_tar_inside_a_file) {
  std::string big(100000, 'q');
  const std::string layer = Tar(Tar::Compression::kNone).File("var/lib/dpkg/status", kDpkgStatus).File("f", big).Finish();
  Status s = ScanError({layer.substr(0, 3000 + 512)});
  BOOST_TEST((s.code() == Status::Code::kCorruption), s.ToString());
}

BOOST_AUTO_TEST_CASE(symlink_loops) {
  // Loops nobody follows are harmless.
  ScanResult r = MustScan({Tar().Symlink("a", "b").Symlink("b", "a").Symlink("usr/bin/x", "x").Finish()});
  BOOST_TEST(r.packages.empty());
  // A loop on the os-release path the scanner must follow is an error.
  Status self = ScanError({Tar().Symlink("etc/os-release", "os-release").Finish()});
  BOOST_TEST((self.code() == Status::Code::kCorruption), self.ToString());
  BOOST_TEST(self.message().find("/etc/os-release: more than 40 symbolic links") != std::string::npos, self.message());
  Status pair = ScanError(
      {Tar().Symlink("etc/os-release", "/usr/lib/os-release").Symlink("usr/lib/os-release", "../../etc/os-release").Finish()});
  BOOST_TEST((pair.code() == Status::Code::kCorruption), pair.ToString());
  // A link out of the root is resolved inside it, never on the host.
  ScanResult clamped = MustScan({Tar()
                                     .File("usr/lib/os-release", kDebianOsRelease)
                                     .Symlink("etc/os-release", "../../../../../usr/lib/os-release")
                                     .Finish()});
  BOOST_TEST(clamped.os.id == "debian");
  BOOST_TEST(clamped.os.source_path == "/usr/lib/os-release");
}

BOOST_AUTO_TEST_CASE(mutated_layers_fail_cleanly) {
  // Deterministic random damage to a plain and a gzip layer: every scan ends in OK or a clear
  // Corruption / FailedPrecondition, never a crash (run under the sanitizer build too).
  const std::string plain = Tar(Tar::Compression::kNone)
                                .File("etc/os-release", kDebianOsRelease)
                                .File("var/lib/dpkg/status", kDpkgStatus)
                                .File("app/node_modules/a/package.json", NpmManifest("a", "1.0.0", "\"MIT\""))
                                .File("usr/bin/go", MakeGoElf(false, "go1.16.15", kOldMods, 3000), 0755)
                                .File("usr/bin/go2", MakeGoElf(true, "go1.22.1", kAppMods, 3000), 0755)
                                .Symlink("usr/lib/os-release", "../../etc/os-release")
                                .Finish();
  const std::string gz = Tar().File("var/lib/dpkg/status", kDpkgStatus).File("f", std::string(20000, 'x')).Finish();
  uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
  };
  int ok = 0, failed = 0;
  for (int i = 0; i < 400; ++i) {
    std::string layer = i % 2 == 0 ? plain : gz;
    const int flips = 1 + static_cast<int>(next() % 8);
    for (int f = 0; f < flips; ++f) layer[next() % layer.size()] = static_cast<char>(next());
    if (i % 5 == 0) layer.resize(next() % layer.size());
    LayerScanner scanner;
    StringByteReader reader(layer, 1 + next() % 5000);
    Status s = scanner.AddLayer(reader, "fuzz");
    if (s.ok()) s = scanner.Finish().status();
    if (s.ok()) {
      ++ok;
    } else {
      ++failed;
      BOOST_TEST((s.code() == Status::Code::kCorruption || s.code() == Status::Code::kFailedPrecondition), s.ToString());
    }
  }
  BOOST_TEST(ok > 0);
  BOOST_TEST(failed > 0);
}

BOOST_AUTO_TEST_CASE(reader_errors_keep_their_message) {
  class Failing : public mg::ByteReader {
   public:
    mg::Result<std::string_view> Read() override { return Status::Unavailable("connection reset by the registry"); }
  } failing;
  LayerScanner scanner;
  Status s = scanner.AddLayer(failing, "sha256:bb");
  BOOST_TEST((s.code() == Status::Code::kUnavailable), s.ToString());
  BOOST_TEST(s.message() == "layer 1 (sha256:bb): connection reset by the registry");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
