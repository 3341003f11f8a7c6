#include <boost/test/unit_test.hpp>

#include "ci/yaml.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(yaml_test)

BOOST_AUTO_TEST_CASE(plain_only_for_words_every_reader_keeps_as_strings) {
  BOOST_CHECK(mg::IsPlainYamlScalar("ubuntu-24.04"));
  BOOST_CHECK(mg::IsPlainYamlScalar("linux/arm64"));
  BOOST_CHECK(mg::IsPlainYamlScalar("ubuntu-24.04-arm"));
  for (const char* s : {"", "yes", "No", "ON", "off", "true", "null", "y", "1.0", "0x10", "-x", ".hidden",
                        "a b", "a:b", "a#b", "${{ x }}", "build:hello@1.0.0/linux/amd64", "*", "&a", "!tag"}) {
    BOOST_CHECK_MESSAGE(!mg::IsPlainYamlScalar(s), s);
  }
}

BOOST_AUTO_TEST_CASE(double_quoted_escapes_everything_that_breaks_a_line_or_a_quote) {
  BOOST_CHECK_EQUAL(mg::YamlDoubleQuoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
  BOOST_CHECK_EQUAL(mg::YamlDoubleQuoted("a\nb\tc\x01"), "\"a\\nb\\tc\\x01\"");
  BOOST_CHECK_EQUAL(mg::YamlDoubleQuoted("x\xc2\x85y"), "\"x\\Ny\"");          // NEL
  BOOST_CHECK_EQUAL(mg::YamlDoubleQuoted("x\xe2\x80\xa8y"), "\"x\\Ly\"");      // LINE SEPARATOR
  BOOST_CHECK_EQUAL(mg::YamlDoubleQuoted("x\xe2\x80\xa9y"), "\"x\\Py\"");      // PARAGRAPH SEPARATOR
  BOOST_CHECK_EQUAL(mg::YamlDoubleQuoted("\xef\xbb\xbfy"), "\"\\uFEFFy\"");    // BOM
  BOOST_CHECK_EQUAL(mg::YamlDoubleQuoted("caf\xc3\xa9"), "\"caf\xc3\xa9\"");   // other UTF-8 as is
}

BOOST_AUTO_TEST_CASE(scalar_picks_plain_single_or_double_quotes) {
  BOOST_CHECK_EQUAL(mg::YamlScalar("linux/amd64"), "linux/amd64");
  BOOST_CHECK_EQUAL(mg::YamlScalar("build:a@1/linux/amd64"), "'build:a@1/linux/amd64'");
  BOOST_CHECK_EQUAL(mg::YamlScalar("it's"), "'it''s'");
  BOOST_CHECK_EQUAL(mg::YamlScalar("yes"), "'yes'");
  BOOST_CHECK_EQUAL(mg::YamlScalar("a\nb"), "\"a\\nb\"");
  BOOST_CHECK_EQUAL(mg::YamlScalar(""), "\"\"");
}

BOOST_AUTO_TEST_CASE(literal_blocks_and_their_fallback) {
  mg::YamlText y;
  y.Literal(2, "run", "echo a\n\necho b");
  BOOST_CHECK_EQUAL(y.str(), "  run: |\n    echo a\n\n    echo b\n");
  mg::YamlText leading;
  leading.Literal(0, "run", "  indented\n");
  BOOST_CHECK_EQUAL(leading.str(), "run: \"  indented\\n\"\n");
  mg::YamlText control;
  control.LiteralItem(0, "a\rb\n");
  BOOST_CHECK_EQUAL(control.str(), "- \"a\\x0db\\n\"\n");
  mg::YamlText blank_tail;
  blank_tail.Literal(0, "run", "a\n\n\n");
  BOOST_CHECK_EQUAL(blank_tail.str(), "run: \"a\\n\\n\\n\"\n");
  BOOST_CHECK(!mg::FitsLiteralBlock("a\xe2\x80\xa8" "b"));
}

BOOST_AUTO_TEST_CASE(comments_prefix_every_line) {
  mg::YamlText y;
  y.Comment(2, "one\n\ntwo");
  BOOST_CHECK_EQUAL(y.str(), "  # one\n  #\n  # two\n");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
