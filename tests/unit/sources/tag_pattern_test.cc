#include "sources/tag_pattern.h"

#include <boost/test/unit_test.hpp>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(tag_pattern_test)

BOOST_AUTO_TEST_CASE(validates_patterns) {
  BOOST_TEST(mg::ValidateTagPattern(R"(^v(\d+\.\d+\.\d+)$)").ok());
  BOOST_TEST(mg::ValidateTagPattern(R"((.*))").ok());

  mg::Status no_group = mg::ValidateTagPattern(R"(^v\d+\.\d+$)");
  BOOST_TEST(!no_group.ok());
  BOOST_TEST((no_group.code() == mg::Status::Code::kInvalidArgument));
  BOOST_TEST(no_group.message().find("no capture group") != std::string::npos);
  BOOST_TEST(no_group.message().find("parentheses") != std::string::npos);

  mg::Status bad = mg::ValidateTagPattern("^v(\\d+");
  BOOST_TEST(!bad.ok());
  BOOST_TEST(bad.message().find("not a valid RE2 regular expression: missing ): ^v(\\d+") != std::string::npos);
  BOOST_TEST(bad.message().find("no lookaround, no backreferences") != std::string::npos);

  BOOST_TEST(mg::ValidateTagPattern("(?P<v>\\d+)").ok());  // RE2 has named groups
  mg::Status lookahead = mg::ValidateTagPattern("^v(\\d+)(?=-lts)");
  BOOST_TEST(!lookahead.ok());
  BOOST_TEST(lookahead.message().find("not a valid RE2 regular expression") != std::string::npos);
  BOOST_TEST(!mg::ValidateTagPattern("(a)\\1").ok());  // backreference
}

// std::regex took exponential time on this pattern and tag (a fuzzer's 30 s timeout), and recursed
// once per character of a long tag until the stack overflowed. RE2 is linear in both.
BOOST_AUTO_TEST_CASE(nested_repetition_and_huge_tags_are_matched_in_linear_time) {
  mg::Result<mg::TagPattern> p = mg::TagPattern::Compile(R"(^v((\d+)+)$)");
  BOOST_REQUIRE(p.ok());
  BOOST_TEST(!p->Extract("v" + std::string(40, '1') + "x").has_value());
  BOOST_TEST(p->Extract("v" + std::string(40, '1')).value_or("-") == std::string(40, '1'));

  mg::Result<mg::TagPattern> any = mg::TagPattern::Compile(R"(^v?(.+)$)");
  BOOST_REQUIRE(any.ok());
  const std::string huge(4 << 20, '7');
  BOOST_TEST(any->Extract("v" + huge).value_or("-").size() == huge.size());
}

BOOST_AUTO_TEST_CASE(extracts_first_group_of_a_whole_match) {
  mg::Result<mg::TagPattern> p = mg::TagPattern::Compile(R"(v(\d+\.\d+\.\d+)(-\w+)?)");
  BOOST_REQUIRE(p.ok());
  BOOST_TEST(p->Extract("v1.2.3").value_or("-") == "1.2.3");
  BOOST_TEST(p->Extract("v1.2.3-beta").value_or("-") == "1.2.3");
  BOOST_TEST(!p->Extract("xv1.2.3").has_value());   // the whole tag must match
  BOOST_TEST(!p->Extract("v1.2.3.4").has_value());
  BOOST_TEST(!p->Extract("v1.2").has_value());
}

BOOST_AUTO_TEST_CASE(limitless_suffix) {
  mg::Result<mg::TagPattern> p = mg::TagPattern::Compile(R"(^v(\d+\.\d+\.\d+)-limitless$)");
  BOOST_REQUIRE(p.ok());
  BOOST_TEST(p->Extract("v9.11.1-limitless").value_or("-") == "9.11.1");
  BOOST_TEST(!p->Extract("v9.11.1").has_value());
  BOOST_TEST(!p->Extract("v9.11.1-limitless-2").has_value());
}

BOOST_AUTO_TEST_CASE(empty_or_unmatched_group_is_no_version) {
  mg::Result<mg::TagPattern> p = mg::TagPattern::Compile(R"(v(\d*)|release-(\d+))");
  BOOST_REQUIRE(p.ok());
  BOOST_TEST(p->Extract("v7").value_or("-") == "7");
  BOOST_TEST(!p->Extract("v").has_value());           // group 1 empty
  BOOST_TEST(!p->Extract("release-5").has_value());   // group 1 did not participate
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
