#include "sbom/purl.h"

#include <boost/test/unit_test.hpp>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::OsInfo;
using mg::Package;

namespace {

Package P(const char* type, const char* name, const char* version, const char* arch = "") {
  Package p;
  p.type = type;
  p.name = name;
  p.version = version;
  p.arch = arch;
  return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(purl_test)

BOOST_AUTO_TEST_CASE(encoding) {
  BOOST_TEST(mg::PurlEncode("abc-1.2_3~4:5") == "abc-1.2_3~4:5");
  BOOST_TEST(mg::PurlEncode("1.0+git@x y/z") == "1.0%2Bgit%40x%20y%2Fz");
  BOOST_TEST(mg::PurlEncode("a/b", /*keep_slash=*/true) == "a/b");
  BOOST_TEST(mg::PurlEncode("\xc3\xa9") == "%C3%A9");
  BOOST_TEST(mg::MakePurl("generic", "a/b c", "n", "1", {{"Z", "1"}, {"a", ""}, {"b", "x/y"}}) ==
             "pkg:generic/a/b%20c/n@1?b=x/y&z=1");
}

BOOST_AUTO_TEST_CASE(deb_and_apk) {
  OsInfo debian{"debian", "12", "", "", ""};
  BOOST_TEST(mg::PurlFor(P("deb", "libc6", "2.36-9+deb12u4", "amd64"), debian) ==
             "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12");
  BOOST_TEST(mg::PurlFor(P("deb", "bash", "5.2.15-2+b2", "arm64"), OsInfo{"ubuntu", "22.04", "", "", ""}) ==
             "pkg:deb/ubuntu/bash@5.2.15-2%2Bb2?arch=arm64&distro=ubuntu-22.04");
  // Epochs keep their colon; no OS: default namespace, no distro.
  BOOST_TEST(mg::PurlFor(P("deb", "perl", "1:5.36.0-7", "amd64"), OsInfo{}) ==
             "pkg:deb/debian/perl@1:5.36.0-7?arch=amd64");
  BOOST_TEST(mg::PurlFor(P("apk", "musl", "1.2.4-r2", "aarch64"), OsInfo{"alpine", "3.19.1", "", "", ""}) ==
             "pkg:apk/alpine/musl@1.2.4-r2?arch=aarch64&distro=alpine-3.19.1");
  BOOST_TEST(mg::PurlFor(P("apk", "musl", "1.2.4-r2", "x86_64"), OsInfo{}) == "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64");
}

BOOST_AUTO_TEST_CASE(npm_and_golang) {
  OsInfo none;
  BOOST_TEST(mg::PurlFor(P("npm", "@Babel/Core", "7.24.0"), none) == "pkg:npm/%40babel/core@7.24.0");
  BOOST_TEST(mg::PurlFor(P("npm", "lodash", "4.17.21"), none) == "pkg:npm/lodash@4.17.21");
  BOOST_TEST(mg::PurlFor(P("npm", "app", ""), none) == "pkg:npm/app");
  BOOST_TEST(mg::PurlFor(P("golang", "github.com/Azure/go-autorest", "v14.2.0+incompatible"), none) ==
             "pkg:golang/github.com/Azure/go-autorest@v14.2.0%2Bincompatible");
  BOOST_TEST(mg::PurlFor(P("golang", "example.com/app", "(devel)"), none) == "pkg:golang/example.com/app");
  BOOST_TEST(mg::PurlFor(P("golang", "stdlib", "go1.20.5 X:boringcrypto"), none) == "pkg:golang/stdlib@1.20.5");
  BOOST_TEST(mg::PurlFor(P("golang", "rsc.io", "v1.0.0"), none) == "pkg:golang/rsc.io@v1.0.0");
  BOOST_TEST(mg::PurlFor(P("other", "x", "1"), none) == "");
}

BOOST_AUTO_TEST_CASE(oci) {
  const std::string d = "sha256:" + std::string(64, 'a');
  BOOST_TEST(mg::OciPurl("ghcr.io/Org/App", d, "arm64", "v1") ==
             "pkg:oci/app@" + d + "?arch=arm64&repository_url=ghcr.io/Org/App&tag=v1");
  BOOST_TEST(mg::OciPurl("localhost:5000/x", d) == "pkg:oci/x@" + d + "?repository_url=localhost:5000/x");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
