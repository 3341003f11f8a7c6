#include <boost/test/unit_test.hpp>

#include "tasks/runner.h"

using namespace mg;

BOOST_AUTO_TEST_SUITE(discover_result_test)

BOOST_AUTO_TEST_CASE(candidates_are_ordered_trimmed_and_latest_marked) {
  Json answer = Json::parse(R"({"candidates":[
    {"version":"1.9.0","tag":"v1.9.0","commit":"a"},
    {"version":"1.10.0","tag":"v1.10.0","commit":"b"},
    {"version":"2.0.0-rc.1","tag":"v2.0.0-rc.1"},
    {"version":"1.8.0","tag":"v1.8.0"}],
    "excluded":[{"version":"1.11.0","reason":"arm64 binary missing"}]})");
  auto r = DiscoverResultFromCandidates(answer, 3, false);
  BOOST_REQUIRE(r.ok());
  const Json& v = r.value()["versions"];
  BOOST_REQUIRE(v.size() == 3u);
  BOOST_TEST(v[0]["version"] == "2.0.0-rc.1");
  BOOST_TEST(v[1]["version"] == "1.10.0");
  BOOST_TEST(v[1]["commit"] == "b");
  BOOST_TEST(v[2]["version"] == "1.9.0");
  BOOST_TEST(r.value()["latest"] == "1.10.0");
  BOOST_TEST(r.value()["dropped"].size() == 1u);
  BOOST_TEST(r.value()["excluded"][0]["reason"] == "arm64 binary missing");

  auto only = DiscoverResultFromCandidates(answer, 10, true);
  BOOST_REQUIRE(only.ok());
  BOOST_TEST(only.value()["versions"].size() == 1u);
  BOOST_TEST(only.value()["versions"][0]["version"] == "1.10.0");
}

BOOST_AUTO_TEST_CASE(malformed_answers_are_errors_not_empty_lists) {
  BOOST_TEST(!DiscoverResultFromCandidates(Json::parse(R"({"versions":[]})"), 3, false).ok());
  auto bad = DiscoverResultFromCandidates(Json::parse(R"({"candidates":[{"tag":"v1"}]})"), 3, false);
  BOOST_TEST(!bad.ok());
  BOOST_TEST(bad.status().message().find("version") != std::string::npos);
}

// A plugin's answer is untrusted: wrong-typed optional fields read as absent, never throw.
BOOST_AUTO_TEST_CASE(wrong_typed_fields_are_absent_not_exceptions) {
  Json answer = Json::parse(R"({"candidates":[{"version":"1.2.0","tag":12,"commit":["x"]},
                                              {"version":"1.3.0","tag":null,"commit":{"id":"y"}}],
                                "excluded":{"version":"9"}})");
  auto r = DiscoverResultFromCandidates(answer, 3, false);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  const Json& v = r.value()["versions"];
  BOOST_REQUIRE(v.size() == 2u);
  BOOST_TEST(v[0]["tag"] == "1.3.0");
  BOOST_TEST(v[1]["tag"] == "1.2.0");
  BOOST_TEST(!v[1].contains("commit"));
  BOOST_TEST(r.value()["excluded"] == Json::array());
  for (const char* odd : {R"({"candidates":{"version":"1"}})", R"({"candidates":[{"version":1}]})",
                          R"({"candidates":[null, 3, "1.0"]})", R"([{"version":"1"}])", "null"}) {
    auto bad = DiscoverResultFromCandidates(Json::parse(odd), 3, false);
    BOOST_TEST(!bad.ok(), odd);
    BOOST_TEST((bad.status().code() == Status::Code::kCorruption), odd);
  }
}

BOOST_AUTO_TEST_SUITE_END()
