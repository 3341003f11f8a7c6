#include "sbom/entry_path.h"

#include <boost/test/unit_test.hpp>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(entry_path_test)

BOOST_AUTO_TEST_CASE(normalises_relative_names) {
  auto n = [](const char* s) {
    auto r = mg::NormalizeEntryPath(s);
    BOOST_REQUIRE_MESSAGE(r.ok(), s << ": " << r.status().ToString());
    return *r;
  };
  BOOST_TEST(n("etc/os-release") == "etc/os-release");
  BOOST_TEST(n("./etc/os-release") == "etc/os-release");
  BOOST_TEST(n("././etc//./os-release") == "etc/os-release");
  BOOST_TEST(n("usr/lib/") == "usr/lib");
  BOOST_TEST(n("a/b/../c") == "a/c");
  BOOST_TEST(n("a/..") == "");
  BOOST_TEST(n("./") == "");
  BOOST_TEST(n(".wh..wh..opq") == ".wh..wh..opq");
}

BOOST_AUTO_TEST_CASE(rejects_hostile_names) {
  for (const char* bad : {"/etc/passwd", "//x", "..", "../x", "a/../../x", "./../x", "a/b/../../../x", ""}) {
    auto r = mg::NormalizeEntryPath(bad);
    BOOST_TEST(!r.ok(), bad);
    BOOST_TEST((r.status().code() == mg::Status::Code::kInvalidArgument), bad);
  }
}

BOOST_AUTO_TEST_CASE(links_resolve_inside_the_root) {
  BOOST_TEST(mg::ResolveLinkTarget("etc/os-release", "../usr/lib/os-release") == "usr/lib/os-release");
  BOOST_TEST(mg::ResolveLinkTarget("etc/os-release", "/usr/lib/os-release") == "usr/lib/os-release");
  BOOST_TEST(mg::ResolveLinkTarget("etc/os-release", "../../../../x") == "x");
  BOOST_TEST(mg::ResolveLinkTarget("etc/os-release", "os-release.d/a") == "etc/os-release.d/a");
  BOOST_TEST(mg::ParentPath("a/b/c") == "a/b");
  BOOST_TEST(mg::ParentPath("a") == "");
  BOOST_TEST(mg::BaseName("a/b/c") == "c");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
