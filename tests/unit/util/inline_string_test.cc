#include "util/inline_string.h"

#include <boost/test/unit_test.hpp>
#include <sstream>
#include <string>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(inline_string_test)

BOOST_AUTO_TEST_CASE(holds_reads_and_compares_like_a_string) {
  mg::InlineString<64> s;
  BOOST_TEST(s.empty());
  BOOST_TEST(s.view() == "");
  const std::string hex(64, 'a');
  s = hex;
  BOOST_TEST(!s.empty());
  BOOST_TEST(s.size() == 64u);
  BOOST_TEST(s == hex);
  BOOST_TEST(s.str() == hex);
  BOOST_TEST(s.view().substr(0, 12) == "aaaaaaaaaaaa");
  std::string_view as_view = s;
  BOOST_TEST(static_cast<const void*>(as_view.data()) == static_cast<const void*>(s.data()));  // no copy
  s = "short";
  BOOST_TEST(s == "short");
  BOOST_TEST(!(s == "shorter"));
  std::ostringstream out;
  out << s;
  BOOST_TEST(out.str() == "short");
  s.clear();
  BOOST_TEST(s.empty());
}

BOOST_AUTO_TEST_CASE(copies_are_independent_and_sized_inline) {
  mg::InlineString<64> a(std::string(64, 'x'));
  mg::InlineString<64> b = a;
  b = std::string(64, 'y');
  BOOST_TEST(a == std::string(64, 'x'));
  BOOST_TEST(b == std::string(64, 'y'));
  // No heap: the object is its bytes and a length.
  BOOST_TEST(sizeof(mg::InlineString<64>) == 65u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
