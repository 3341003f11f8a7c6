#include "util/quote_value.h"

#include <boost/test/unit_test.hpp>
#include <string>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(quote_value_test)

BOOST_AUTO_TEST_CASE(quote_value_clips_long_values_and_names_their_length) {
  BOOST_TEST(mg::QuoteValue("linux/amd64") == "\"linux/amd64\"");
  std::string big = "linux/" + std::string(1000, 'a');
  std::string q = mg::QuoteValue(big);
  BOOST_TEST(q.size() < 260u);
  BOOST_TEST(q.rfind("\"linux/aaaa", 0) == 0, q);
  BOOST_TEST(q.find("(1006 bytes)") != std::string::npos, q);
  // Never cut a UTF-8 sequence in two.
  std::string utf8;
  for (int i = 0; i < 300; ++i) utf8 += "\xc3\xa9";  // é
  std::string qu = mg::QuoteValue(utf8);
  size_t close = qu.find("\xe2\x80\xa6\"");  // the ellipsis, then the closing quote
  BOOST_TEST_REQUIRE(close != std::string::npos, qu);
  BOOST_TEST((close - 1) % 2 == 0u);  // whole two-byte characters before the ellipsis
}

BOOST_AUTO_TEST_CASE(quote_response_body_never_carries_the_secret) {
  const std::string secret = "eyJhbGciOi.secret-canary.sig";
  const std::string body = "{\"message\": \"bad token " + secret + "\"}\n\tagain: " + secret;
  const std::string q = mg::QuoteResponseBody(body, secret);
  BOOST_TEST(q.find("secret-canary") == std::string::npos, q);
  BOOST_TEST(q == "{\"message\": \"bad token <redacted>\"}  again: <redacted>", q);
  // The secret cut by the clip: redacted before clipping, so no prefix of it survives either.
  const std::string long_body = std::string(195, 'x') + secret;
  const std::string clipped = mg::QuoteResponseBody(long_body, secret);
  BOOST_TEST(clipped.find("eyJhbG") == std::string::npos, clipped);
  BOOST_TEST(clipped.find("(" + std::to_string(195 + 10) + " bytes)") != std::string::npos, clipped);
  // Without a secret: control characters only.
  BOOST_TEST(mg::QuoteResponseBody("a\r\nb\x7f") == "a  b ");
  // A secret that contains its own replacement does not loop.
  BOOST_TEST(mg::QuoteResponseBody("x<redacted>y", "<redacted>") == "x<redacted>y");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
