#include "http/base64.h"

#include <boost/test/unit_test.hpp>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(base64_test)

BOOST_AUTO_TEST_CASE(round_trips_rfc4648_vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    BOOST_TEST(mg::Base64Encode(plain) == encoded);
    auto decoded = mg::Base64Decode(encoded);
    BOOST_REQUIRE(decoded.has_value());
    BOOST_TEST(*decoded == plain);
  }
}

BOOST_AUTO_TEST_CASE(decodes_unpadded_and_rejects_junk) {
  BOOST_TEST(*mg::Base64Decode("dXNlcjpwYXNz") == "user:pass");
  BOOST_TEST(*mg::Base64Decode("Zm9vYg") == "foob");
  BOOST_TEST(!mg::Base64Decode("Zm9v!").has_value());
  BOOST_TEST(!mg::Base64Decode("Z").has_value());
  BOOST_TEST(!mg::Base64Decode("Zg==Zg").has_value());
  std::string binary("\x00\xff\x10", 3);
  BOOST_TEST(*mg::Base64Decode(mg::Base64Encode(binary)) == binary);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
