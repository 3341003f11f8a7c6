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

BOOST_AUTO_TEST_SUITE_END()
