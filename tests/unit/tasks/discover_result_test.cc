#include <boost/test/unit_test.hpp>

#include "tasks/app_resolver.h"
#include "tasks/runner.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

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

// A "tag" or "commit" of another type (plugin output is untrusted) threw nlohmann::json::type_error out of
// the discover task instead of failing it with a message.
BOOST_AUTO_TEST_CASE(mistyped_candidate_fields_are_errors_not_throws) {
  for (const char* text : {R"({"candidates":[{"version":"1.0.0","tag":5}]})",
                           R"({"candidates":[{"version":"1.0.0","tag":"v1.0.0","commit":["a"]}]})",
                           R"({"candidates":[{"version":"1.0.0","tag":"v1.0.0","published":1739527200}]})"}) {
    Result<Json> r = Status::Internal("not run");
    BOOST_CHECK_NO_THROW(r = DiscoverResultFromCandidates(Json::parse(text), 3, false));
    BOOST_TEST(!r.ok(), text);
    BOOST_TEST((r.status().code() == Status::Code::kCorruption), text);
    BOOST_TEST(r.status().message().find("not a string") != std::string::npos, r.status().message());
  }
}

// A configure answer whose "errors" or "images" entries are not objects (or
// hold non-string fields) threw nlohmann::json::type_error; each is now a diagnostic for the app.
BOOST_AUTO_TEST_CASE(mistyped_configure_answers_are_diagnostics_not_throws) {
  AppConfig app;
  app.name = "demo";
  for (const char* text : {R"({"errors":["just a string"]})", R"({"errors":[{"path":1,"message":"m"}]})",
                           R"({"errors":[{"path":"a","message":{"x":1}}]})", R"({"images":[7]})",
                           R"({"images":[{"name":false}]})", R"({"window":"oldest"})", R"({"window":1})"}) {
    AppModel model;
    Diagnostics diags;
    bool applied = true;
    BOOST_CHECK_NO_THROW(applied = ApplyConfigureAnswer(app, Json::parse(text), &model, &diags));
    BOOST_TEST(!applied, text);
    BOOST_TEST(diags.size() == 1u, text);
    BOOST_TEST(diags.ToString().find("apps.demo") != std::string::npos, diags.ToString());
  }
  AppModel model;
  Diagnostics diags;
  BOOST_TEST(ApplyConfigureAnswer(app, Json::parse(R"({"images":[{"name":"a"},{"name":"b","depends_on":["a"]}]})"),
                                  &model, &diags));
  BOOST_TEST(diags.empty());
  BOOST_REQUIRE(model.images.size() == 2u);
  BOOST_TEST(model.images[1].depends_on.size() == 1u);
}

// The ESR case: 9.11.8 was published after 10.5.0. "published" keeps it, "newest" does not, and
// each dropped version says which window left it out.
BOOST_AUTO_TEST_CASE(the_window_param_chooses_which_versions_are_kept) {
  Json answer = Json::parse(R"({"candidates":[
    {"version":"10.5.0","tag":"v10.5.0","published":"2025-02-14T10:00:00Z"},
    {"version":"9.11.8","tag":"v9.11.8","published":"2025-02-20T09:00:00Z"},
    {"version":"10.4.2","tag":"v10.4.2","published":"2025-02-05T10:00:00Z"},
    {"version":"10.4.1","tag":"v10.4.1","published":"2025-01-22T10:00:00Z"}],"excluded":[]})");
  auto published = DiscoverResultFromCandidates(answer, 3, false, Window::kPublished);
  BOOST_REQUIRE(published.ok());
  std::vector<std::string> kept;
  for (const Json& v : published.value()["versions"]) kept.push_back(v["version"].get<std::string>());
  BOOST_TEST(kept == (std::vector<std::string>{"10.5.0", "10.4.2", "9.11.8"}), boost::test_tools::per_element());
  BOOST_TEST(published.value()["versions"][2]["published"] == "2025-02-20T09:00:00Z");
  BOOST_TEST(published.value()["window"] == "published");
  BOOST_TEST(published.value()["dropped"][0]["version"] == "10.4.1");
  BOOST_TEST(published.value()["dropped"][0]["reason"] == "older than the 3 most recently published");
  BOOST_TEST(published.value()["latest"] == "10.5.0");
  BOOST_TEST(!published.value().contains("note"));

  auto newest = DiscoverResultFromCandidates(answer, 3, false, Window::kNewest);
  BOOST_REQUIRE(newest.ok());
  BOOST_TEST(newest.value()["window"] == "newest");
  BOOST_TEST(newest.value()["dropped"][0]["version"] == "9.11.8");
  BOOST_TEST(newest.value()["dropped"][0]["reason"] == "below the 3 newest versions");

  // Without dates (a git-tags source) the published window is the newest one, and says so.
  Json undated = answer;
  for (Json& c : undated["candidates"]) c.erase("published");
  auto fallback = DiscoverResultFromCandidates(undated, 3, false, Window::kPublished);
  BOOST_REQUIRE(fallback.ok());
  BOOST_TEST(fallback.value()["window"] == "newest");
  BOOST_TEST(fallback.value()["dropped"][0]["version"] == "9.11.8");
  BOOST_TEST(fallback.value().value("note", "").find("no publication date") != std::string::npos,
             fallback.value().dump());
}

BOOST_AUTO_TEST_CASE(the_window_comes_from_the_config_else_the_plugin_else_newest) {
  AppConfig app;
  app.name = "demo";
  Diagnostics diags;
  AppModel from_plugin;
  BOOST_TEST(ApplyConfigureAnswer(app, Json::parse(R"({"window":"published"})"), &from_plugin, &diags));
  BOOST_TEST(from_plugin.window == "published");
  AppModel unset;
  BOOST_TEST(ApplyConfigureAnswer(app, Json::parse(R"({})"), &unset, &diags));
  BOOST_TEST(unset.window == "newest");
  app.window = "newest";  // the app's table (or [defaults]) wins over the plugin
  AppModel configured;
  BOOST_TEST(ApplyConfigureAnswer(app, Json::parse(R"({"window":"published"})"), &configured, &diags));
  BOOST_TEST(configured.window == "newest");
  BOOST_TEST(diags.empty(), diags.ToString());
}

// Answers of the wrong shape are Corruption, never an exception.
BOOST_AUTO_TEST_CASE(wrong_shaped_answers_are_corruption_not_exceptions) {
  for (const char* odd : {R"({"candidates":{"version":"1"}})", R"({"candidates":[{"version":1}]})",
                          R"({"candidates":[null, 3, "1.0"]})", R"([{"version":"1"}])", "null"}) {
    Result<Json> bad = Status::Internal("not run");
    BOOST_CHECK_NO_THROW(bad = DiscoverResultFromCandidates(Json::parse(odd), 3, false));
    BOOST_TEST(!bad.ok(), odd);
    BOOST_TEST((bad.status().code() == Status::Code::kCorruption), odd);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
