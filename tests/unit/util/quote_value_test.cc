#include "util/quote_value.h"

#include <boost/test/unit_test.hpp>
#include <string>

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

BOOST_AUTO_TEST_SUITE_END()
