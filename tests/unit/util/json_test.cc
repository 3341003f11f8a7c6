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

// The typed accessors never throw: wrong types, missing keys and non-object parents read as absent.
BOOST_AUTO_TEST_CASE(typed_fields_read_wrong_types_as_absent) {
  const mg::Json doc = mg::Json::parse(R"({"s":"text","n":5,"u":18446744073709551615,"f":1.5,"b":true,
                                           "o":{"k":"v"},"a":["x",1,null,"y"],"z":null})");
  BOOST_TEST(mg::StringField(doc, "s") == "text");
  BOOST_TEST(mg::StringField(doc, "n") == "");
  BOOST_TEST(mg::StringField(doc, "missing", "dflt") == "dflt");
  BOOST_TEST(!mg::OptStringField(doc, "z").has_value());
  BOOST_TEST(*mg::IntField(doc, "n") == 5);
  BOOST_TEST(!mg::IntField(doc, "u").has_value());  // does not fit int64
  BOOST_TEST(!mg::IntField(doc, "f").has_value());
  BOOST_TEST(!mg::IntField(doc, "s").has_value());
  BOOST_TEST(mg::BoolField(doc, "b") == true);
  BOOST_TEST(mg::BoolField(doc, "n", true) == true);
  BOOST_TEST(mg::ObjectField(doc, "o")["k"] == "v");
  BOOST_TEST(mg::ObjectField(doc, "a").empty());
  BOOST_TEST(mg::ObjectField(doc, "a").is_object());
  BOOST_TEST(mg::ArrayField(doc, "a").size() == 4u);
  BOOST_TEST(mg::ArrayField(doc, "o").is_array());
  BOOST_TEST(mg::ArrayField(doc, "o").empty());
  BOOST_TEST((mg::StringsField(doc, "a") == std::vector<std::string>{"x", "y"}));
  BOOST_TEST(mg::StringOr(doc["s"], "d") == "text");
  BOOST_TEST(mg::StringOr(doc["n"], "d") == "d");
  for (const char* parent : {"null", "5", "\"s\"", "[1,2]", "{}"}) {
    const mg::Json p = mg::Json::parse(parent);
    BOOST_TEST(mg::FindField(p, "s") == nullptr, parent);
    BOOST_TEST(mg::StringField(mg::ObjectField(p, "o"), "k") == "", parent);
    BOOST_TEST(mg::StringsField(p, "a").empty(), parent);
  }
}

BOOST_AUTO_TEST_CASE(pretty_json_replaces_invalid_utf8) {
  const mg::Json j = {{"error", "caf\xe9 \xff"}};
  BOOST_TEST(mg::PrettyJson(j) == "{\n  \"error\": \"caf\xef\xbf\xbd \xef\xbf\xbd\"\n}");
}

BOOST_AUTO_TEST_SUITE_END()
