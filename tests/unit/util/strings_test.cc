#include "util/strings.h"

#include <boost/test/unit_test.hpp>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(strings_test)

BOOST_AUTO_TEST_CASE(edit_distance) {
  BOOST_TEST(mg::EditDistance("kitten", "sitting") == 3u);
  BOOST_TEST(mg::EditDistance("", "abc") == 3u);
  BOOST_TEST(mg::EditDistance("abc", "") == 3u);
  BOOST_TEST(mg::EditDistance("same", "same") == 0u);
  BOOST_TEST(mg::EditDistance("flaw", "lawn") == 2u);
  BOOST_TEST(mg::EditDistance("ab", "ba") == 2u);
}

BOOST_AUTO_TEST_CASE(did_you_mean_picks_the_closest) {
  std::vector<std::string> keys = {"max_versions", "platforms", "builder", "template"};
  BOOST_TEST(mg::DidYouMean("max_version", keys).value_or("") == "max_versions");
  BOOST_TEST(mg::DidYouMean("platfroms", keys).value_or("") == "platforms");
  BOOST_TEST(mg::DidYouMean("buidler", keys).value_or("") == "builder");
  BOOST_TEST(!mg::DidYouMean("registry", keys).has_value());
  BOOST_TEST(!mg::DidYouMean("x", {}).has_value());
}

BOOST_AUTO_TEST_CASE(did_you_mean_threshold_and_ties) {
  // Short words allow distance 2, longer ones len/3.
  BOOST_TEST(mg::DidYouMean("ab", {"xy"}).value_or("") == "xy");
  BOOST_TEST(!mg::DidYouMean("ab", {"xyz"}).has_value());
  BOOST_TEST(mg::DidYouMean("abcdefghijkl", {"abcdefghiXYZ"}).value_or("") == "abcdefghiXYZ");  // 3 <= 4
  BOOST_TEST(!mg::DidYouMean("abcdefghijkl", {"abcdefgVWXYZ"}).has_value());                   // 5 > 4
  // Equal distance: the candidate that sorts first, whatever the input order.
  BOOST_TEST(mg::DidYouMean("cat", {"cut", "bat"}).value_or("") == "bat");
  BOOST_TEST(mg::DidYouMean("cat", {"bat", "cut"}).value_or("") == "bat");
}

BOOST_AUTO_TEST_CASE(join_and_split) {
  BOOST_TEST(mg::Join({"a", "b", "c"}, ", ") == "a, b, c");
  BOOST_TEST(mg::Join({}, ",") == "");
  BOOST_TEST(mg::Join({"only"}, ",") == "only");
  std::vector<std::string> expected = {"a", "", "b", ""};
  BOOST_TEST(mg::Split("a,,b,", ',') == expected, boost::test_tools::per_element());
  BOOST_TEST(mg::Split("", ',').size() == 1u);
  BOOST_TEST(mg::Join(mg::Split("x:y:z", ':'), ":") == "x:y:z");
}

BOOST_AUTO_TEST_CASE(prefix_suffix_trim) {
  BOOST_TEST(mg::StartsWith("refs/tags/v1", "refs/tags/"));
  BOOST_TEST(!mg::StartsWith("refs", "refs/tags/"));
  BOOST_TEST(mg::EndsWith("v1^{}", "^{}"));
  BOOST_TEST(!mg::EndsWith("}", "^{}"));
  BOOST_TEST(mg::Trim("  \t a b \r\n") == "a b");
  BOOST_TEST(mg::Trim(" \n ") == "");
  BOOST_TEST(mg::Trim("x") == "x");
}

BOOST_AUTO_TEST_CASE(glob_match) {
  BOOST_TEST(mg::GlobMatch("*", ""));
  BOOST_TEST(mg::GlobMatch("*", "anything/at/all"));
  BOOST_TEST(mg::GlobMatch("mattermost@*", "mattermost@10.1.0"));
  BOOST_TEST(!mg::GlobMatch("mattermost@*", "outline@1.0"));
  BOOST_TEST(mg::GlobMatch("build:*:linux/arm64", "build:mattermost@1.0:linux/arm64"));
  BOOST_TEST(!mg::GlobMatch("build:*:linux/arm64", "build:mattermost@1.0:linux/amd64"));
  BOOST_TEST(mg::GlobMatch("v?.?", "v1.2"));
  BOOST_TEST(!mg::GlobMatch("v?.?", "v1.23"));
  BOOST_TEST(mg::GlobMatch("a*b*c", "aXXbYYbZZc"));
  BOOST_TEST(!mg::GlobMatch("a*b*c", "aXXbYYbZZ"));
  BOOST_TEST(mg::GlobMatch("**x", "x"));
  BOOST_TEST(!mg::GlobMatch("", "x"));
  BOOST_TEST(mg::GlobMatch("", ""));
  BOOST_TEST(mg::GlobMatch("lit\\*", "lit*"));
  BOOST_TEST(!mg::GlobMatch("lit\\*", "literal"));
  BOOST_TEST(mg::GlobMatch("\\?", "?"));
  BOOST_TEST(!mg::GlobMatch("\\?", "x"));
}

BOOST_AUTO_TEST_CASE(for_each_line_splits_on_newlines_and_drops_a_carriage_return) {
  auto lines = [](std::string_view text) {
    std::vector<std::string> out;
    mg::ForEachLine(text, [&](std::string_view l) { out.emplace_back(l); });
    return out;
  };
  BOOST_TEST(lines("a\r\nb\n\nc") == (std::vector<std::string>{"a", "b", "", "c"}), boost::test_tools::per_element());
  BOOST_TEST(lines("a\n") == (std::vector<std::string>{"a", ""}), boost::test_tools::per_element());
  BOOST_TEST(lines("") == (std::vector<std::string>{""}), boost::test_tools::per_element());
  BOOST_TEST(lines("\r\r\n") == (std::vector<std::string>{"\r", ""}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(for_each_line_stops_when_fn_returns_false) {
  std::vector<std::string> seen;
  mg::ForEachLine("a\nstop\nc\n", [&](std::string_view l) {
    seen.emplace_back(l);
    return l != "stop";
  });
  BOOST_TEST(seen == (std::vector<std::string>{"a", "stop"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
