#include <boost/test/unit_test.hpp>

#include "config/config.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(platform_test)

BOOST_AUTO_TEST_CASE(accepts_known_platforms) {
  for (const char* p : {"linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm64/v8", "windows/amd64",
                        "linux/riscv64", "freebsd/386", "darwin/arm64", "linux/s390x", "linux/ppc64le"}) {
    std::string why = "untouched";
    BOOST_CHECK_MESSAGE(mg::IsValidPlatform(p, &why), p);
    BOOST_CHECK_EQUAL(why, "untouched");
  }
}

BOOST_AUTO_TEST_CASE(rejects_with_a_reason) {
  std::string why;
  BOOST_CHECK(!mg::IsValidPlatform("linux", &why));
  BOOST_CHECK_EQUAL(why.rfind("invalid platform \"linux\"; expected os/arch[/variant]", 0), 0u);
  BOOST_CHECK_NE(why.find("known os: linux, windows, darwin, freebsd"), std::string::npos);
  BOOST_CHECK(!mg::IsValidPlatform("linux/aarch64", &why));
  BOOST_CHECK_EQUAL(why.rfind("unknown arch 'aarch64' in \"linux/aarch64\" (did you mean 'arm64'?)", 0), 0u);
  BOOST_CHECK(!mg::IsValidPlatform("linux/arm/v9", &why));
  BOOST_CHECK_EQUAL(why.rfind("unknown variant 'v9'", 0), 0u);
  BOOST_CHECK(!mg::IsValidPlatform("linx/amd64", &why));
  BOOST_CHECK_EQUAL(why.rfind("unknown os 'linx' in \"linx/amd64\" (did you mean 'linux'?)", 0), 0u);
  BOOST_CHECK(!mg::IsValidPlatform("linux/amd64/v8/x", nullptr));
  BOOST_CHECK(!mg::IsValidPlatform("", nullptr));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
