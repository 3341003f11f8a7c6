#include "sbom/deb822.h"

#include <boost/test/unit_test.hpp>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

std::vector<mg::Deb822Paragraph> AllParagraphs(std::string_view text, const mg::Deb822Options& options = {}) {
  std::vector<mg::Deb822Paragraph> out;
  mg::ForEachDeb822Paragraph(text, options, [&](mg::Deb822Paragraph& p) {
    out.push_back(p);
    return true;
  });
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(deb822_test)

BOOST_AUTO_TEST_CASE(fields_continuations_comments_and_blank_lines) {
  const char* text =
      "# a comment before anything\n"
      "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\r\n"
      "\n\n \t \n"
      "Files: *\n"
      "License: MIT\n"
      " Permission is hereby granted,\n"
      " .\n"
      "\tfree of charge\n"
      "# between fields\n"
      "not a field\n"
      "License: repeated\n";
  const auto ps = AllParagraphs(text);
  BOOST_REQUIRE_EQUAL(ps.size(), 2u);
  BOOST_REQUIRE_EQUAL(ps[0].size(), 1u);
  BOOST_TEST(ps[0][0].first == "format");
  BOOST_TEST(ps[0][0].second == "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/");
  BOOST_REQUIRE_EQUAL(ps[1].size(), 3u);
  BOOST_TEST(*mg::Deb822Field(ps[1], "license") == "MIT\nPermission is hereby granted,\n\nfree of charge");
  BOOST_TEST(ps[1][2].second == "repeated");
  BOOST_TEST(mg::Deb822Field(ps[1], "copyright") == nullptr);
}

BOOST_AUTO_TEST_CASE(first_lines_only_and_a_bounded_value) {
  const char* text = "Description: short\n long one\n long two\n";
  mg::Deb822Options first;
  first.continuations = false;
  BOOST_TEST(*mg::Deb822Field(AllParagraphs(text, first).at(0), "description") == "short");
  mg::Deb822Options bounded;
  bounded.max_value_bytes = 8;
  // "short\nlong one" is longer than 8 bytes: the second continuation is dropped.
  BOOST_TEST(*mg::Deb822Field(AllParagraphs(text, bounded).at(0), "description") == "short\nlong one");
}

BOOST_AUTO_TEST_CASE(a_continuation_without_a_field_is_skipped_and_fn_can_stop) {
  const char* text = " orphan\nA: 1\n\nB: 2\n\nC: 3\n";
  std::vector<std::string> seen;
  mg::ForEachDeb822Paragraph(text, {}, [&](mg::Deb822Paragraph& p) {
    seen.push_back(p.at(0).first);
    return seen.size() < 2;
  });
  BOOST_TEST(seen == (std::vector<std::string>{"a", "b"}), "stopped after the second paragraph");
  BOOST_TEST(AllParagraphs(" orphan\n").empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
