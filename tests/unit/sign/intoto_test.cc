// in-toto Statement v1: shape, determinism, validation, parsing.
#include "sign/intoto.h"

#include <boost/test/unit_test.hpp>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

const std::string kHex = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

mg::InTotoStatement Example() {
  mg::InTotoStatement s;
  s.subjects.push_back(mg::SubjectFromOciDigest("127.0.0.1:5000/app/hello", "sha256:" + kHex).value());
  s.predicate_type = std::string(mg::kSlsaProvenanceV1PredicateType);
  s.predicate = {{"buildDefinition", {{"buildType", "https://example.org/t"}}}};
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(intoto_test)

BOOST_AUTO_TEST_CASE(serialises_the_v1_shape_exactly) {
  mg::Result<std::string> json = mg::SerializeStatement(Example());
  BOOST_REQUIRE_MESSAGE(json.ok(), json.status().ToString());
  BOOST_CHECK_EQUAL(*json, R"({"_type":"https://in-toto.io/Statement/v1",)"
                           R"("predicate":{"buildDefinition":{"buildType":"https://example.org/t"}},)"
                           R"("predicateType":"https://slsa.dev/provenance/v1",)"
                           R"("subject":[{"digest":{"sha256":")" + kHex + R"("},"name":"127.0.0.1:5000/app/hello"}]})");
  BOOST_CHECK_EQUAL(*json, mg::SerializeStatement(Example()).value());  // deterministic
}

BOOST_AUTO_TEST_CASE(a_predicate_given_as_canonical_text_gives_the_same_bytes) {
  const mg::InTotoStatement s = Example();
  auto text = mg::SerializeStatementWithPredicateText(s.subjects, s.predicate_type, mg::CanonicalJson(s.predicate));
  BOOST_REQUIRE_MESSAGE(text.ok(), text.status().ToString());
  BOOST_CHECK_EQUAL(*text, mg::SerializeStatement(s).value());
  for (const char* bad : {"", "[]", "null", "{", "\"{}\""}) {
    BOOST_CHECK_MESSAGE(!mg::SerializeStatementWithPredicateText(s.subjects, s.predicate_type, bad).ok(), bad);
  }
  BOOST_CHECK(!mg::SerializeStatementWithPredicateText({}, s.predicate_type, "{}").ok());
  BOOST_CHECK(!mg::SerializeStatementWithPredicateText(s.subjects, "", "{}").ok());
}

BOOST_AUTO_TEST_CASE(subjects_keep_their_order_and_parse_back) {
  mg::InTotoStatement s = Example();
  s.subjects.push_back(mg::SubjectFromOciDigest("r/a", "sha256:" + std::string(64, 'a')).value());
  s.subjects.push_back(mg::InTotoSubject{"src", {{"gitCommit", std::string(40, 'b')}}});
  mg::Result<mg::InTotoStatement> parsed = mg::ParseStatement(mg::SerializeStatement(s).value());
  BOOST_REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  BOOST_REQUIRE_EQUAL(parsed->subjects.size(), 3u);
  BOOST_CHECK_EQUAL(parsed->subjects[0].name, "127.0.0.1:5000/app/hello");
  BOOST_CHECK_EQUAL(parsed->subjects[1].digest.at("sha256"), std::string(64, 'a'));
  BOOST_CHECK_EQUAL(parsed->subjects[2].digest.at("gitCommit"), std::string(40, 'b'));
  BOOST_CHECK_EQUAL(parsed->predicate_type, mg::kSlsaProvenanceV1PredicateType);
  BOOST_CHECK_EQUAL(parsed->predicate, s.predicate);
}

BOOST_AUTO_TEST_CASE(cosigns_v01_statements_parse) {
  // What `cosign attest-blob` wrote (cosign 2.x still uses Statement v0.1 there).
  const std::string v01 = R"({"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://example.com/x",)"
                          R"("subject":[{"name":"blob","digest":{"sha256":")" + kHex + R"("}}],"predicate":{"buildType":"x"}})";
  mg::Result<mg::InTotoStatement> parsed = mg::ParseStatement(v01);
  BOOST_REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  BOOST_CHECK_EQUAL(parsed->subjects.at(0).name, "blob");
  BOOST_CHECK_EQUAL(parsed->predicate_type, "https://example.com/x");
}

BOOST_AUTO_TEST_CASE(invalid_statements_are_refused) {
  auto check = [](const mg::InTotoStatement& s, const std::string& says) {
    mg::Result<std::string> json = mg::SerializeStatement(s);
    BOOST_REQUIRE(!json.ok());
    BOOST_CHECK(json.status().code() == mg::Status::Code::kInvalidArgument);
    BOOST_CHECK_MESSAGE(json.status().message().find(says) != std::string::npos, json.status().message());
  };
  mg::InTotoStatement s = Example();
  s.subjects.clear();
  check(s, "no subject");
  s = Example();
  s.subjects[0].digest.clear();
  check(s, "empty digest set");
  s = Example();
  s.subjects[0].digest["sha256"] = kHex.substr(1);
  check(s, "64 hex digits");
  s = Example();
  s.subjects[0].digest["sha256"] = "sha256:" + kHex;
  check(s, "not lowercase hex");
  s = Example();
  s.predicate_type.clear();
  check(s, "predicateType");
  s = Example();
  s.predicate = mg::Json::array();
  check(s, "predicate is not a JSON object");

  BOOST_CHECK(!mg::SubjectFromOciDigest("x", "sha256:XYZ").ok());
  BOOST_CHECK(!mg::ParseStatement(R"({"_type":"https://in-toto.io/Statement/v2","subject":[],"predicateType":"x"})").ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
