// What plan, explain and the JSON report say about each discovered version, and a plan's text and
// JSON using the same words.
#include <boost/test/unit_test.hpp>
#include <sstream>

#include "report/discover_view.h"
#include "report/run_report.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;

namespace {

Json DiscoverResult() {
  return ParseJson(R"({
    "versions": [{"version": "1.2.0", "tag": "v1.2.0"}, {"version": "1.1.0", "tag": "v1.1.0"}],
    "latest": "1.2.0",
    "excluded": [{"version": "2.0.0-rc.1", "reason": "prerelease"},
                 {"version": "nightly", "reason": "tag does not match the tag pattern ^v(.*)$"}],
    "dropped": [{"version": "1.0.0", "reason": "below the 2 newest versions"}, 7]
  })");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(discover_view_test)

BOOST_AUTO_TEST_CASE(selected_and_every_exclusion_with_its_reason) {
  const Json r = DiscoverResult();
  BOOST_TEST(SelectedVersions(r) == (std::vector<std::string>{"1.2.0", "1.1.0"}), boost::test_tools::per_element());
  const std::vector<VersionVerdict> ex = ExcludedVersions(r);
  BOOST_REQUIRE_EQUAL(ex.size(), 4u);
  BOOST_TEST(ex[0].version == "2.0.0-rc.1");
  BOOST_TEST(ex[1].reason == "tag does not match the tag pattern ^v(.*)$");
  BOOST_TEST(ex[2].version == "1.0.0");
  BOOST_TEST(ex[2].reason == "below the 2 newest versions");
  // A malformed entry is shown as such, not skipped.
  BOOST_TEST(ex[3].version == "?");
  BOOST_TEST(ex[3].reason.find("not an object: 7") != std::string::npos, ex[3].reason);

  BOOST_TEST(WhyNotSelected(r, "1.0.0").value_or("") == "below the 2 newest versions");
  BOOST_TEST(WhyNotSelected(r, "nightly").value_or("").find("tag pattern") != std::string::npos);
  BOOST_TEST(!WhyNotSelected(r, "1.2.0").has_value());
  BOOST_TEST(!WhyNotSelected(r, "9.9.9").has_value());

  const std::vector<std::string> lines = DiscoverPlanLines(r);
  BOOST_REQUIRE_EQUAL(lines.size(), 5u);
  BOOST_TEST(lines[0] == "selected 1.2.0 (latest), 1.1.0");
  BOOST_TEST(lines[3] == "excluded 1.0.0: below the 2 newest versions");
}

BOOST_AUTO_TEST_CASE(the_window_and_its_fallback_are_named) {
  Json r = {{"versions", Json::array({{{"version", "10.5.0"}}, {{"version", "9.11.8"}}})},
            {"latest", "10.5.0"},
            {"window", "published"},
            {"dropped", Json::array({{{"version", "10.4.2"}, {"reason", "older than the 2 most recently published"}}})}};
  std::vector<std::string> lines = DiscoverPlanLines(r);
  BOOST_REQUIRE_EQUAL(lines.size(), 2u);
  BOOST_TEST(lines[1] == "excluded 10.4.2: older than the 2 most recently published");
  r["note"] = "window \"published\": 10.4.2 has no publication date";
  lines = DiscoverPlanLines(r);
  BOOST_REQUIRE_EQUAL(lines.size(), 3u);
  BOOST_TEST(lines[1] == "note: window \"published\": 10.4.2 has no publication date");
  BOOST_TEST(lines[2].rfind("excluded 10.4.2: ", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(a_long_run_of_one_reason_is_one_plan_line) {
  Json r = {{"versions", Json::array()}, {"latest", ""}, {"excluded", Json::array()}};
  for (const char* v : {"9.5.0", "9.4.0", "9.3.0", "9.2.0", "9.1.0"}) r["excluded"].push_back({{"version", v}, {"reason", "gate"}});
  r["excluded"].push_back({{"version", "9.0.0"}, {"reason", "other"}});
  const std::vector<std::string> lines = DiscoverPlanLines(r);
  BOOST_REQUIRE_EQUAL(lines.size(), 3u);
  BOOST_TEST(lines[1] == "excluded 9.5.0, 9.4.0, 9.3.0 and 2 more: gate");
  BOOST_TEST(lines[2] == "excluded 9.0.0: other");
  BOOST_TEST(ExcludedVersions(r).size() == 6u);  // all of them, for explain and the JSON
}

BOOST_AUTO_TEST_CASE(odd_results_never_throw) {
  for (const char* text : {"null", "[]", "{\"versions\": 3}", "{\"versions\": [1, {\"version\": 2}], \"latest\": 5}",
                           "{\"excluded\": {\"a\": 1}, \"dropped\": [[1]]}"}) {
    const Json r = ParseJson(text);
    BOOST_CHECK_NO_THROW(SelectedVersions(r));
    BOOST_CHECK_NO_THROW(ExcludedVersions(r));
    BOOST_CHECK_NO_THROW(DiscoverPlanLines(r));
    BOOST_CHECK_NO_THROW(WhyNotSelected(r, "1"));
  }
  BOOST_TEST(DiscoverPlanLines(ParseJson("{}")).front() == "selected nothing");
}

BOOST_AUTO_TEST_CASE(plan_text_and_json_use_the_same_words) {
  TaskGraph g;
  Task d;
  d.id = "discover:a";
  d.type = TaskType::kDiscover;
  d.coords.app = "a";
  g.Add(d);
  RunStates st(g.size());
  st[0].status = TaskStatus::kRan;
  st[0].reason = "observes the upstream: re-checked every run";
  st[0].result = DiscoverResult();
  RunSummary sum;
  sum.counts[TaskStatus::kRan] = 1;

  std::ostringstream text;
  WritePlan(text, g, st);
  BOOST_TEST(text.str().rfind("checked", 0) == 0u, text.str());
  BOOST_TEST(text.str().find("\n            selected 1.2.0 (latest), 1.1.0\n") != std::string::npos, text.str());
  BOOST_TEST(text.str().find("\n            excluded 1.0.0: below the 2 newest versions\n") != std::string::npos, text.str());
  BOOST_TEST(SummaryLine(sum, /*plan=*/true) == "1 checked");

  const Json plan = RunReportJson(g, st, sum, "r", "plan");
  BOOST_TEST(plan["summary"] == Json({{"checked", 1}}), plan["summary"].dump());
  BOOST_TEST(plan["tasks"][0]["status"] == "checked");
  // A run keeps its word: the observation ran.
  const Json run = RunReportJson(g, st, sum, "r", "run");
  BOOST_TEST(run["summary"] == Json({{"ran", 1}}));
  BOOST_TEST(SummaryLine(sum) == "1 ran");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
