#include "util/paths.h"


#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <string>

namespace MG_TEST_FILE_NS {

BOOST_AUTO_TEST_SUITE(paths_test)

BOOST_AUTO_TEST_CASE(a_relative_path_is_made_absolute_against_the_working_directory_and_normalised) {
  const std::string here = std::filesystem::current_path().string();
  BOOST_TEST(mg::AbsolutePath("a/./b/../c") == here + "/a/c");
  BOOST_TEST(mg::AbsolutePath("/x/./y/../z") == "/x/z");
  BOOST_TEST(mg::AbsolutePath("/already/absolute") == "/already/absolute");
  BOOST_TEST(mg::AbsolutePath("").empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
