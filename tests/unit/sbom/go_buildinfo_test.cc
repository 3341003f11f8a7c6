#include "sbom/go_buildinfo.h"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sbom/purl.h"
#include "unit/sbom/go_elf.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::GoBinaryScanner;
using mg::testing::MakeGoElf;

namespace {

const std::string kMods =
    "path\texample.com/demo/cmd/demo\n"
    "mod\texample.com/demo\tv1.4.0\th1:abc=\n"
    "dep\tgithub.com/google/uuid\tv1.6.0\th1:u=\n"
    "dep\tgolang.org/x/text\tv0.14.0\th1:t=\n"
    "=>\tgolang.org/x/text\tv0.15.0\th1:r=\n"
    "dep\tgithub.com/Masterminds/semver/v3\tv3.2.1+incompatible\th1:s=\n"
    "build\t-compiler=gc\n";

mg::Result<mg::GoBuildInfo> ScanInPieces(const std::string& file, size_t piece) {
  GoBinaryScanner scanner;
  for (size_t off = 0; off < file.size(); off += piece) {
    if (!scanner.Feed(off, std::string_view(file).substr(off, piece))) break;
  }
  return scanner.Finish();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(go_buildinfo_test)

BOOST_AUTO_TEST_CASE(inline_format_in_any_piece_size) {
  const std::string elf = MakeGoElf(/*inline_format=*/true, "go1.22.1", kMods);
  for (size_t piece : {size_t{1}, size_t{3}, size_t{7}, size_t{15}, size_t{16}, size_t{17}, size_t{4093}, elf.size()}) {
    auto info = ScanInPieces(elf, piece);
    BOOST_REQUIRE_MESSAGE(info.ok(), "piece " << piece << ": " << info.status().ToString());
    BOOST_TEST(info->go_version == "go1.22.1", "piece " << piece);
    BOOST_TEST(info->modinfo == kMods, "piece " << piece);
  }
}

BOOST_AUTO_TEST_CASE(pointer_format_follows_the_string_headers) {
  const std::string elf = MakeGoElf(/*inline_format=*/false, "go1.16.15", kMods);
  for (size_t piece : {size_t{1}, size_t{5}, size_t{16}, size_t{1000}, size_t{65536}, elf.size()}) {
    auto info = ScanInPieces(elf, piece);
    BOOST_REQUIRE_MESSAGE(info.ok(), "piece " << piece << ": " << info.status().ToString());
    BOOST_TEST(info->go_version == "go1.16.15", "piece " << piece);
    BOOST_TEST(info->modinfo == kMods, "piece " << piece);
  }
}

BOOST_AUTO_TEST_CASE(packages_from_the_module_lines) {
  mg::GoBuildInfo info{"go1.22.1", kMods};
  auto pkgs = mg::GoPackagesFromBuildInfo(info, "/usr/bin/demo");
  BOOST_REQUIRE_EQUAL(pkgs.size(), 5u);
  BOOST_TEST(pkgs[0].name == "example.com/demo");
  BOOST_TEST(pkgs[0].version == "v1.4.0");
  BOOST_TEST(pkgs[0].is_application);
  BOOST_TEST(pkgs[1].name == "github.com/google/uuid");
  BOOST_TEST(pkgs[2].name == "golang.org/x/text");
  BOOST_TEST(pkgs[2].version == "v0.15.0");  // the replacement is what was built
  BOOST_TEST(!pkgs[2].is_application);
  BOOST_TEST(pkgs[4].name == "stdlib");
  BOOST_TEST(pkgs[4].version == "go1.22.1");
  for (const auto& p : pkgs) {
    BOOST_TEST(p.type == "golang");
    BOOST_TEST(p.source_path == "/usr/bin/demo");
  }
  mg::OsInfo os;
  BOOST_TEST(mg::PurlFor(pkgs[0], os) == "pkg:golang/example.com/demo@v1.4.0");
  BOOST_TEST(mg::PurlFor(pkgs[3], os) == "pkg:golang/github.com/Masterminds/semver/v3@v3.2.1%2Bincompatible");
  BOOST_TEST(mg::PurlFor(pkgs[4], os) == "pkg:golang/stdlib@1.22.1");
}

BOOST_AUTO_TEST_CASE(gopath_build_names_the_main_package) {
  mg::GoBuildInfo info{"go1.19.8", "path\tgithub.com/containers/skopeo/cmd/skopeo\nbuild\t-compiler=gc\n"};
  auto pkgs = mg::GoPackagesFromBuildInfo(info, "/usr/bin/skopeo");
  BOOST_REQUIRE_EQUAL(pkgs.size(), 2u);
  BOOST_TEST(pkgs[0].name == "github.com/containers/skopeo/cmd/skopeo");
  BOOST_TEST(pkgs[0].version == "");
  BOOST_TEST(pkgs[0].is_application);
  BOOST_TEST(mg::PurlFor(pkgs[0], mg::OsInfo{}) == "pkg:golang/github.com/containers/skopeo/cmd/skopeo");
  BOOST_TEST(pkgs[1].name == "stdlib");
}

BOOST_AUTO_TEST_CASE(not_elf_stops_at_once) {
  GoBinaryScanner scanner;
  BOOST_TEST(!scanner.Feed(0, "#!/bin/sh\necho hi\n"));
  auto r = scanner.Finish();
  BOOST_TEST((r.status().code() == mg::Status::Code::kNotFound));
}

BOOST_AUTO_TEST_CASE(elf_without_build_info_is_not_found) {
  std::string elf = MakeGoElf(true, "go1.22.1", kMods);
  // Destroy the real blob's magic; only the read-only decoy remains, which must be ignored.
  size_t real = elf.rfind("\xff Go buildinf:");
  BOOST_REQUIRE(real != std::string::npos && real > 0x2000);
  elf[real + 1] = 'X';
  auto r = ScanInPieces(elf, 4096);
  BOOST_TEST((r.status().code() == mg::Status::Code::kNotFound), r.status().ToString());
}

BOOST_AUTO_TEST_CASE(truncated_blob_is_corruption) {
  std::string elf = MakeGoElf(true, "go1.22.1", kMods, /*filler=*/0);
  size_t real = elf.rfind("\xff Go buildinf:");
  elf.resize(real + 40);  // the header and a few bytes of the strings
  auto r = ScanInPieces(elf, 512);
  BOOST_TEST((r.status().code() == mg::Status::Code::kCorruption), r.status().ToString());
  BOOST_TEST(r.status().message().find("cut short") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(oversized_blob_is_bounded) {
  std::string big_mods = kMods;
  for (int i = 0; i < 3000; ++i) big_mods += "dep\texample.com/m" + std::to_string(i) + "\tv1.0.0\th1:x=\n";
  const std::string elf = MakeGoElf(true, "go1.22.1", big_mods);
  GoBinaryScanner small(4096);
  for (size_t off = 0; off < elf.size(); off += 8192) small.Feed(off, std::string_view(elf).substr(off, 8192));
  auto r = small.Finish();
  BOOST_TEST((r.status().code() == mg::Status::Code::kCorruption), r.status().ToString());
  GoBinaryScanner large;
  large.Feed(0, elf);
  auto ok = large.Finish();
  BOOST_REQUIRE_MESSAGE(ok.ok(), ok.status().ToString());
  BOOST_TEST(ok->modinfo == big_mods);
}

// A real Go executable, when the machine has one (skopeo and docker are Go programs): the scanner
// must find a Go version in it, as `go version` would.
BOOST_AUTO_TEST_CASE(real_go_binaries_when_present) {
  int checked = 0;
  for (const char* path : {"/usr/bin/skopeo", "/usr/local/bin/docker", "/usr/bin/buildah"}) {
    if (!std::filesystem::exists(path)) continue;
    std::ifstream in(path, std::ios::binary);
    GoBinaryScanner scanner;
    std::string buf(1 << 16, '\0');
    uint64_t off = 0;
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      size_t n = static_cast<size_t>(in.gcount());
      if (n == 0 || !scanner.Feed(off, std::string_view(buf.data(), n))) break;
      off += n;
    }
    auto info = scanner.Finish();
    BOOST_REQUIRE_MESSAGE(info.ok(), path << ": " << info.status().ToString());
    BOOST_TEST(info->go_version.rfind("go1.", 0) == 0, path << ": " << info->go_version);
    BOOST_TEST_MESSAGE(path << ": " << info->go_version << ", " << info->modinfo.size() << " bytes of module info");
    ++checked;
  }
  if (checked == 0) BOOST_TEST_MESSAGE("no Go executable on this machine; only the crafted ones were checked");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
