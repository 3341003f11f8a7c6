#include "oci/platform.h"

#include <boost/test/unit_test.hpp>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(platform_test)

BOOST_AUTO_TEST_CASE(default_variants_match) {
  BOOST_TEST(mg::SamePlatform("linux/arm64", "linux/arm64/v8"));
  BOOST_TEST(mg::SamePlatform("linux/amd64", "linux/amd64/v1"));
  BOOST_TEST(mg::SamePlatform("linux/arm", "linux/arm/v7"));
  BOOST_TEST(mg::SamePlatform("Linux/x86_64", "linux/amd64"));
  BOOST_TEST(mg::SamePlatform("linux/aarch64", "linux/arm64"));
}

BOOST_AUTO_TEST_CASE(different_platforms_differ) {
  BOOST_TEST(!mg::SamePlatform("linux/amd64", "linux/arm64"));
  BOOST_TEST(!mg::SamePlatform("linux/arm/v6", "linux/arm/v7"));
  BOOST_TEST(!mg::SamePlatform("linux/amd64/v3", "linux/amd64"));
  BOOST_TEST(!mg::SamePlatform("windows/amd64", "linux/amd64"));
}

BOOST_AUTO_TEST_CASE(formatting) {
  BOOST_TEST(mg::FormatPlatform("linux", "arm64", "v8") == "linux/arm64/v8");
  BOOST_TEST(mg::FormatPlatform("linux", "amd64", "") == "linux/amd64");
  BOOST_TEST(mg::NormalizePlatform("linux/arm64/v8") == "linux/arm64");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
