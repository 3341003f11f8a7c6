#include "util/json.h"

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <limits>
#include <vector>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

// Strings that take every branch of a JSON string writer: escapes, controls, UTF-8 of 1-4 bytes,
// invalid and truncated UTF-8, overlong encodings, surrogates written as UTF-8.
std::vector<std::string> TrickyStrings() {
  std::vector<std::string> out = {"",
                                  "plain",
                                  "build:hello@1.2.0/linux/arm64",
                                  "quote \" and backslash \\",
                                  "slash / stays",
                                  "tab\tnewline\ncr\rbell\x07 backspace\b formfeed\f",
                                  std::string("nul\0byte", 8),
                                  "\x1f unit separator, \x01 start of heading",
                                  "del\x7f",
                                  "utf-8: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3 \xef\xbf\xbd",
                                  "invalid utf-8: \xff\xfe end",
                                  "truncated \xc3",
                                  "truncated 4-byte \xf0\x9f\x90",
                                  "overlong slash \xc0\xaf",
                                  "surrogate half \xed\xa0\x80",
                                  "lone continuation \x80\xbf"};
  std::string all_bytes;
  for (int c = 0; c < 256; ++c) all_bytes.push_back(static_cast<char>(c));
  out.push_back(all_bytes);
  return out;
}

// Writes `v` through the writer, object members in Json's (sorted) order.
void WriteWith(mg::CanonicalJsonWriter& w, const mg::Json& v) {
  switch (v.type()) {
    case mg::Json::value_t::object:
      w.BeginObject();
      for (auto it = v.begin(); it != v.end(); ++it) {
        w.DynamicKey(it.key());
        WriteWith(w, it.value());
      }
      w.EndObject();
      break;
    case mg::Json::value_t::array:
      w.BeginArray();
      for (const mg::Json& e : v) WriteWith(w, e);
      w.EndArray();
      break;
    case mg::Json::value_t::string: w.String(v.get_ref<const std::string&>()); break;
    case mg::Json::value_t::boolean: w.Bool(v.get<bool>()); break;
    case mg::Json::value_t::number_integer: w.Int(v.get<int64_t>()); break;
    case mg::Json::value_t::number_unsigned: w.Uint(v.get<uint64_t>()); break;
    case mg::Json::value_t::null: w.Null(); break;
    default: BOOST_FAIL("no floats in canonical JSON");
  }
}

std::string Written(const mg::Json& v) {
  std::string out;
  mg::CanonicalJsonWriter w(&out);
  WriteWith(w, v);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_test)

BOOST_AUTO_TEST_CASE(append_json_string_matches_canonical_json) {
  for (const std::string& s : TrickyStrings()) {
    std::string out = "prefix:";
    mg::AppendJsonString(&out, s);
    BOOST_TEST(out == "prefix:" + mg::CanonicalJson(mg::Json(s)), "for " << mg::CanonicalJson(mg::Json(s)));
  }
}

BOOST_AUTO_TEST_CASE(writer_matches_canonical_json_on_tricky_strings_as_keys_and_values) {
  for (const std::string& s : TrickyStrings()) {
    mg::Json v = {{"k", s}, {s, {s, s}}, {"z" + s, {{s, {{"deep", s}}}}}};
    BOOST_TEST(Written(v) == mg::CanonicalJson(v), "for " << mg::CanonicalJson(mg::Json(s)));
  }
}

BOOST_AUTO_TEST_CASE(writer_matches_canonical_json_on_nesting_and_scalars) {
  const int64_t i64_min = std::numeric_limits<int64_t>::min(), i64_max = std::numeric_limits<int64_t>::max();
  const uint64_t u64_max = std::numeric_limits<uint64_t>::max();
  const mg::Json cases[] = {
      mg::Json::object(),
      mg::Json::array(),
      mg::Json(),
      mg::Json("top-level string"),
      mg::Json(0),
      mg::Json(i64_min),
      mg::Json(u64_max),
      {{"a", mg::Json::object()}, {"b", mg::Json::array()}, {"c", mg::Json::array({mg::Json::object()})}},
      {{"ints", {0, -1, 1, 9, -10, 1000000007, i64_min, i64_max}},
       {"uints", {uint64_t{0}, uint64_t{1} << 63, u64_max}},
       {"bools", {true, false}},
       {"null", nullptr}},
      {{"x", {{"y", {{"z", {1, {2, {3, mg::Json::object()}}}}}}}}, {"w", {{{"a", 1}}, {{"b", {{"c", nullptr}}}}}}},
      // Byte order, not locale or length order: "B" < "a" < "aa" < "ab" < "b" < "\xc3\xa9".
      {{"b", 1}, {"ab", 2}, {"aa", 3}, {"a", 4}, {"B", 5}, {"\xc3\xa9", 6}},
  };
  for (const mg::Json& v : cases) BOOST_TEST(Written(v) == mg::CanonicalJson(v));
}

// CanonicalJson walks the tree itself (the fast path for plain strings); nlohmann's compact dump is
// the reference, floats and binary values included, which it hands to nlohmann.
BOOST_AUTO_TEST_CASE(canonical_json_is_nlohmanns_compact_dump) {
  auto reference = [](const mg::Json& v) { return v.dump(-1, ' ', false, mg::Json::error_handler_t::replace); };
  std::vector<mg::Json> cases = {
      mg::Json::object(), mg::Json::array(), mg::Json(), mg::Json(0), mg::Json(-7), mg::Json(1.5), mg::Json(-0.0),
      mg::Json(1e300), mg::Json(std::numeric_limits<int64_t>::min()), mg::Json(std::numeric_limits<uint64_t>::max()),
      mg::Json::binary({1, 2, 3}), mg::Json::binary({4}, 7),
      {{"floats", {0.1, 2.0, -3.25e-7}}, {"mixed", {1, "two", 3.0, nullptr, true, mg::Json::object()}}},
      {{"b", 1}, {"ab", 2}, {"aa", 3}, {"a", 4}, {"B", 5}, {"\xc3\xa9", 6}}};
  for (const std::string& s : TrickyStrings()) {
    cases.push_back(mg::Json(s));
    cases.push_back({{s, s}, {"k", {s, {{"deep", s}}}}});
  }
  mg::Json big = mg::Json::array();
  for (int i = 0; i < 2000; ++i) big.push_back({{"SPDXID", "SPDXRef-Package-" + std::to_string(i)}, {"n", i}});
  cases.push_back(big);
  for (const mg::Json& v : cases) BOOST_TEST(mg::CanonicalJson(v) == reference(v), "for " << reference(v).substr(0, 80));
}

BOOST_AUTO_TEST_CASE(writer_raw_embeds_canonical_text_as_a_value) {
  const mg::Json inner = {{"platforms", {"linux/amd64", "linux/arm64"}}, {"v", 1}};
  std::string out;
  mg::CanonicalJsonWriter w(&out);
  w.BeginObject().Key("a").Raw(mg::CanonicalJson(inner)).Key("b").BeginArray().Raw("1").Raw("true").EndArray();
  w.Key("c").Int(-3).EndObject();
  const mg::Json whole = {{"a", inner}, {"b", {1, true}}, {"c", -3}};
  BOOST_TEST(out == mg::CanonicalJson(whole));
}

BOOST_AUTO_TEST_CASE(writer_appends_after_existing_text) {
  std::string out = "prefix:";
  mg::CanonicalJsonWriter(&out).BeginArray().String("a").Null().EndArray();
  BOOST_TEST(out == "prefix:[\"a\",null]");
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

BOOST_AUTO_TEST_CASE(parse_json_refuses_nesting_deeper_than_the_limit) {
  const size_t max = mg::kMaxJsonDepth;
  auto nested = [](size_t depth, char open, char close) { return std::string(depth, open) + std::string(depth, close); };
  // At the limit: parsed, and copied and serialised like any other document.
  mg::Json at_limit = mg::ParseJson(nested(max, '[', ']'));
  BOOST_TEST(at_limit.is_array());
  BOOST_TEST(mg::CanonicalJson(mg::Json(at_limit)) == nested(max, '[', ']'));
  // One level deeper, of either kind: discarded, with the reason and where.
  std::string error;
  BOOST_TEST(mg::ParseJson(nested(max + 1, '[', ']'), &error).is_discarded());
  BOOST_TEST(error == "arrays and objects nested deeper than 256 levels (at byte 256)");
  std::string objects;
  for (size_t i = 0; i <= max; ++i) objects += "{\"a\":";
  objects += "1" + std::string(max + 1, '}');
  BOOST_TEST(mg::ParseJson(objects).is_discarded());
  // What a hostile registry could send under every size limit (~600 KB): refused, never a stack
  // overflow in the copies and serialisations that follow a parse.
  BOOST_TEST(mg::ParseJson("{\"layers\":" + nested(300000, '[', ']') + "}").is_discarded());
  // Brackets inside strings, escaped quotes included, are not nesting.
  const std::string in_string = "[\"" + std::string(1000, '[') + "\\\"" + std::string(1000, '{') + "\"]";
  mg::Json s = mg::ParseJson(in_string);
  BOOST_TEST(s.is_array());
  BOOST_TEST(s.size() == 1u);
  // Invalid JSON is still judged by the parser.
  error.clear();
  BOOST_TEST(mg::ParseJson("[1,", &error).is_discarded());
  BOOST_TEST(error.find("parse error") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(pretty_json_replaces_invalid_utf8) {
  const mg::Json j = {{"error", "caf\xe9 \xff"}};
  BOOST_TEST(mg::PrettyJson(j) == "{\n  \"error\": \"caf\xef\xbf\xbd \xef\xbf\xbd\"\n}");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
