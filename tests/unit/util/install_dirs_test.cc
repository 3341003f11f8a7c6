#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>

#include "unit/util/temp_dir.h"
#include "util/install_dirs.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(install_dirs_test)

BOOST_AUTO_TEST_CASE(is_within_compares_whole_components) {
  BOOST_TEST(mg::IsWithin("/no/such/build/engine/mirrorgraph", "/no/such/build"));
  BOOST_TEST(mg::IsWithin("/no/such/build/engine/mirrorgraph", "/no/such/build/"));
  BOOST_TEST(mg::IsWithin("/no/such/build", "/no/such/build"));
  BOOST_TEST(!mg::IsWithin("/no/such/build-deb/engine/mirrorgraph", "/no/such/build"));
  BOOST_TEST(!mg::IsWithin("/no/such", "/no/such/build"));
  BOOST_TEST(!mg::IsWithin("/usr/bin/mirrorgraph", "/no/such/build"));
  BOOST_TEST(!mg::IsWithin("/no/such/build/../other/mirrorgraph", "/no/such/build"));
  BOOST_TEST(!mg::IsWithin("", "/no/such/build"));
  BOOST_TEST(!mg::IsWithin("/no/such/build/x", ""));
}

BOOST_AUTO_TEST_CASE(is_within_resolves_symlinks) {
  mg::testing::TempDir tmp;
  fs::create_directories(tmp / "real/engine");
  fs::create_directory_symlink(tmp / "real", tmp / "link");
  BOOST_TEST(mg::IsWithin(tmp / "link/engine/mirrorgraph", tmp / "real"));
  BOOST_TEST(mg::IsWithin(tmp / "real/engine/mirrorgraph", tmp / "link"));
  BOOST_TEST(!mg::IsWithin(tmp / "link/engine/mirrorgraph", tmp / "other"));
}

BOOST_AUTO_TEST_CASE(only_executables_inside_the_build_tree_are_in_it) {
  // This test binary runs from the build tree (tests/...), as every in-tree test and CLI run does.
  BOOST_TEST(mg::InBuildTree(), mg::RunningExecutable() + " vs " + mg::BuildDir());
  BOOST_TEST(mg::InBuildTree());
  BOOST_TEST(mg::InBuildTree(mg::BuildDir() + "/engine/mirrorgraph"));
  BOOST_TEST(!mg::InBuildTree("/usr/bin/mirrorgraph"));
  BOOST_TEST(!mg::InBuildTree(mg::BuildDir() + "-deb/engine/mirrorgraph"));
  BOOST_TEST(!mg::InBuildTree(""));
}

BOOST_AUTO_TEST_CASE(beside_executable_is_under_the_parent_of_its_directory) {
  BOOST_TEST(mg::BesideExecutable("lib/mirrorgraph/plugins", "/usr/bin/mirrorgraph") == "/usr/lib/mirrorgraph/plugins");
  BOOST_TEST(mg::BesideExecutable("share/mirrorgraph/graphs", "/opt/mg/bin/mirrorgraph") ==
             "/opt/mg/share/mirrorgraph/graphs");
  BOOST_TEST(mg::BesideExecutable("lib/mirrorgraph/plugins", "").empty());
  BOOST_TEST(mg::RunningExecutable() == fs::canonical("/proc/self/exe").string());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
