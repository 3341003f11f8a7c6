#include "util/json.h"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(json_test)

BOOST_AUTO_TEST_CASE(append_json_string_matches_canonical_json) {
  const std::string cases[] = {"",
                               "plain",
                               "build:hello@1.2.0/linux/arm64",
                               "quote \" and backslash \\",
                               "tab\tnewline\ncr\rbell\x07",
                               std::string("nul\0byte", 8),
                               "del\x7f",
                               "utf-8: caf\xc3\xa9 \xe2\x82\xac",
                               "invalid utf-8: \xff\xfe end",
                               "truncated \xc3"};
  for (const std::string& s : cases) {
    std::string out = "prefix:";
    mg::AppendJsonString(&out, s);
    BOOST_TEST(out == "prefix:" + mg::CanonicalJson(mg::Json(s)), "for " << mg::CanonicalJson(mg::Json(s)));
  }
}

BOOST_AUTO_TEST_SUITE_END()
