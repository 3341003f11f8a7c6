// The repository's mirror.toml (the seed's mattermost, mostlymatter and outline apps through their
// plugins) planned end to end against fake_forge.py: the exact versions, `latest` and excluded
// versions of each app from the fake server's data; Mostlymatter's `latest` when the newest
// Mattermost release fails a gate; the GitHub token sent and never written.
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "cli_fixture.h"
#include "forge_fixture.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "tasks/engine_host.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::FakeForge;
using mg::testing::TaskStatusOf;

namespace {

constexpr const char* kToken = "ghp_seedPluginsSecret987";

mg::testing::TestRegistry& Registry() { return mg::testing::SharedPlainRegistry(); }

// The repository's mirror.toml with [registry] and [cache] remote pointed at the test registry.
std::string RepoConfigForTests() {
  const char* src = std::getenv("MG_SOURCE_DIR");
  BOOST_REQUIRE(src != nullptr);
  std::string text = mg::testing::ReadFile(fs::path(src) / "mirror.toml");
  const std::string from = "host = \"ghcr.io\"";
  size_t at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "mirror.toml has no " + from);
  text.replace(at, from.size(), "host = \"" + Registry().host() + "\"\nplain_http = true");
  const std::string remote = "oci://ghcr.io/";
  if (size_t r = text.find(remote); r != std::string::npos) text.replace(r, remote.size(), "oci://" + Registry().host() + "/");
  return text;
}

// A workspace planning the repo's config against `forge` (GitHub in "private" mode: the token is
// required).
void PointAt(CliWorkspace* ws, const FakeForge& forge) {
  ws->env()["MIRRORGRAPH_GITHUB_API"] = forge.Base("private");
  ws->env()["MIRRORGRAPH_GITLAB_API"] = forge.Base("api");
  ws->env()["MIRRORGRAPH_MOSTLYMATTER_BINARIES"] = forge.Base("api") + "/projects/mostlymatter";
  ws->env()["GITHUB_TOKEN"] = kToken;
  ws->WriteConfigText(RepoConfigForTests());
}

const Json& DiscoverResult(const Json& report, const std::string& app) {
  const Json* d = mg::testing::FindTask(report, "discover:" + app);
  BOOST_REQUIRE_MESSAGE(d != nullptr, "no discover:" + app);
  return (*d)["result"];
}

std::vector<std::string> Versions(const Json& result) {
  std::vector<std::string> out;
  for (const Json& v : result["versions"]) out.push_back(v.value("version", ""));
  return out;
}

// "version: reason" for each excluded entry, in order.
std::vector<std::string> Excluded(const Json& result) {
  std::vector<std::string> out;
  for (const Json& e : result["excluded"]) out.push_back(e.value("version", "") + ": " + e.value("reason", ""));
  return out;
}

using Strings = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(seed_plugins_test)

BOOST_AUTO_TEST_CASE(repo_config_plans_the_seed_apps_against_the_fake_forge) {
  auto forge = FakeForge::Start({.token = kToken});
  BOOST_REQUIRE_MESSAGE(forge.ok(), forge.status().ToString());
  CliWorkspace ws;
  PointAt(&ws, **forge);
  auto r = ws.Run({"plan", "--json", "plan.json"});
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.Describe());
  Json report = ws.ReadJson("plan.json");
  BOOST_TEST_REQUIRE(report.is_object(), r.Describe());

  const Json& mm = DiscoverResult(report, "mattermost");
  BOOST_TEST(Versions(mm) == (Strings{"10.5.1", "10.5.0", "10.4.3", "9.11.8"}), mm.dump());
  BOOST_TEST(mm["latest"] == "10.5.1");
  // Every release left out is named: the draft, and the tags the pattern refuses (an rc, the
  // desktop app's tags) with the pattern.
  const std::string mm_pattern = R"(tag does not match the tag pattern ^v(\d+\.\d+\.\d+)$)";
  const Strings mm_excluded = {"10.7.0: draft release", "v10.6.0-rc1: " + mm_pattern, "desktop-v5.10: " + mm_pattern};
  BOOST_TEST(Excluded(mm) == mm_excluded, mm.dump());

  const Json& ol = DiscoverResult(report, "outline");
  BOOST_TEST(Versions(ol) == (Strings{"0.82.0", "0.81.1", "0.81.0"}), ol.dump());
  BOOST_TEST(ol["latest"] == "0.82.0");
  BOOST_TEST(Excluded(ol) == (Strings{R"(v0.80.0-beta: tag does not match the tag pattern ^v?(\d+(?:\.\d+)*)$)"}),
             ol.dump());

  const std::string bins = (*forge)->Base("api") + "/projects/mostlymatter";
  const Json& most = DiscoverResult(report, "mostlymatter");
  BOOST_TEST(Versions(most) == (Strings{"10.5.1", "10.4.3", "9.11.8"}), most.dump());
  BOOST_TEST(most["latest"] == "10.5.1");
  Strings most_excluded = mm_excluded;
  most_excluded.push_back("10.5.0: no linux/arm64 binary at " + bins + "/mostlymatter-arm64-v10.5.0 (HTTP 404)");
  BOOST_TEST(Excluded(most) == most_excluded, most.dump());
  // Mostlymatter's versions are built from Framagit's tags.
  BOOST_TEST(most["versions"][0]["tag"] == "v10.5.1-limitless", most.dump());

  // Outline's two images per version, the second after the first: one probe each.
  for (const char* id : {"probe:mattermost@10.5.1", "probe:mostlymatter@9.11.8", "probe:outline@0.81.0"}) {
    BOOST_TEST(TaskStatusOf(report, id) != "<absent>", id);
  }

  // The plain plan lists the exclusion under the discover line.
  auto text = ws.Run({"plan"});
  BOOST_TEST(text.exit_code == 0, text.Describe());
  BOOST_TEST(text.out.find("excluded 10.5.0: no linux/arm64 binary at " + bins + "/mostlymatter-arm64-v10.5.0 (HTTP 404)") !=
                 std::string::npos, text.Describe());
  auto explain = ws.Run({"explain", "discover:mostlymatter"});
  BOOST_TEST(explain.exit_code == 0, explain.Describe());
  BOOST_TEST(explain.out.find("10.5.0: no linux/arm64 binary at") != std::string::npos, explain.Describe());

  // The binaries were HEADed (the redirect followed); the tags looked up one by one.
  auto requests = (*forge)->Requests();
  BOOST_REQUIRE(requests.ok());
  size_t heads = 0, tag_lookups = 0, github = 0;
  for (const Json& req : *requests) {
    const std::string path = req["path"].get<std::string>();
    const std::string auth = req["headers"].value("authorization", "");
    if (path.rfind("/private/", 0) == 0) {
      ++github;
      BOOST_TEST(auth == std::string("Bearer ") + kToken, path);
    } else {
      BOOST_TEST(req["headers"].dump().find(kToken) == std::string::npos, path);
    }
    if (req["method"] == "HEAD") ++heads;
    if (path.find("/repository/tags/v") != std::string::npos) ++tag_lookups;
  }
  BOOST_TEST(github > 0u);
  BOOST_TEST(heads > 0u);
  BOOST_TEST(tag_lookups > 0u);
  BOOST_TEST(r.out.find(kToken) == std::string::npos);
  BOOST_TEST(r.err.find(kToken) == std::string::npos);
  BOOST_TEST(text.out.find(kToken) == std::string::npos);
  for (const fs::path& f : mg::testing::FilesUnder(ws.dir())) {
    if (f.filename() == "mirror.toml") continue;
    BOOST_TEST(mg::testing::ReadFile(f).find(kToken) == std::string::npos, f);
  }
}

BOOST_AUTO_TEST_CASE(mostlymatter_latest_is_the_highest_version_passing_every_gate) {
  // The newest Mattermost (10.6.0) has both binaries but no -limitless tag; 10.5.0 has no arm64
  // binary. Mattermost's latest is 10.6.0, Mostlymatter's 10.5.1.
  mg::testing::TempDir dir("mg-seed-fixtures");
  const fs::path fixtures = dir.path() / "forge.json";
  Json data = {
      {"page_size", 100},
      {"github",
       {{"mattermost/mattermost",
         {{{"tag_name", "v10.6.0"}, {"draft", false}, {"prerelease", false}},
          {{"tag_name", "v10.5.1"}, {"draft", false}, {"prerelease", false}},
          {{"tag_name", "v10.5.0"}, {"draft", false}, {"prerelease", false}}}},
        {"outline/outline", {{{"tag_name", "v0.82.0"}, {"draft", false}, {"prerelease", false}}}}}},
      {"gitlab",
       {{"framasoft/framateam/mostlymatter",
         {{{"name", "v10.5.1-limitless"}, {"commit", {{"id", "a"}}}},
          {{"name", "v10.5.0-limitless"}, {"commit", {{"id", "b"}}}}}}}},
      {"files",
       {{"/projects/mostlymatter/mostlymatter-amd64-v10.6.0", 200},
        {"/projects/mostlymatter/mostlymatter-arm64-v10.6.0", 200},
        {"/projects/mostlymatter/mostlymatter-amd64-v10.5.1", 200},
        {"/projects/mostlymatter/mostlymatter-arm64-v10.5.1", 200},
        {"/projects/mostlymatter/mostlymatter-amd64-v10.5.0", 200}}}};
  std::ofstream(fixtures) << data.dump();
  auto forge = FakeForge::Start({.fixtures = fixtures.string(), .token = kToken});
  BOOST_REQUIRE_MESSAGE(forge.ok(), forge.status().ToString());
  CliWorkspace ws;
  PointAt(&ws, **forge);
  auto r = ws.Run({"plan", "--json", "plan.json"});
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.Describe());
  Json report = ws.ReadJson("plan.json");
  BOOST_TEST_REQUIRE(report.is_object(), r.Describe());

  const Json& mm = DiscoverResult(report, "mattermost");
  BOOST_TEST(Versions(mm) == (Strings{"10.6.0", "10.5.1", "10.5.0"}), mm.dump());
  BOOST_TEST(mm["latest"] == "10.6.0");

  const std::string bins = (*forge)->Base("api") + "/projects/mostlymatter";
  const Json& most = DiscoverResult(report, "mostlymatter");
  BOOST_TEST(Versions(most) == (Strings{"10.5.1"}), most.dump());
  BOOST_TEST(most["latest"] == "10.5.1");
  BOOST_TEST(Excluded(most) ==
                 (Strings{"10.6.0: no tag v10.6.0-limitless on framagit (framasoft/framateam/mostlymatter)",
                          "10.5.0: no linux/arm64 binary at " + bins + "/mostlymatter-arm64-v10.5.0 (HTTP 404)"}),
             most.dump());
}

BOOST_AUTO_TEST_CASE(gitlab_tag_exists_through_the_builtin_sources) {
  auto forge = FakeForge::Start();
  BOOST_REQUIRE_MESSAGE(forge.ok(), forge.status().ToString());
  mg::CurlTransport transport;
  mg::HttpClient http{transport};
  Json src = {{"type", "gitlab-tag-exists"}, {"project", "framasoft/framateam/mostlymatter"},
              {"api_base", (*forge)->Base("api")}};
  src["tag"] = "v10.4.3-limitless";
  auto yes = mg::RunBuiltinSource(src, &http, nullptr);
  BOOST_REQUIRE_MESSAGE(yes.ok(), yes.status().ToString());
  BOOST_TEST(yes.value() == (Json{{"exists", true}}));
  src["tag"] = "v10.6.0-limitless";
  auto no = mg::RunBuiltinSource(src, &http, nullptr);
  BOOST_REQUIRE_MESSAGE(no.ok(), no.status().ToString());
  BOOST_TEST(no.value() == (Json{{"exists", false}}));
  src["api_base"] = (*forge)->Base("forbidden");
  auto err = mg::RunBuiltinSource(src, &http, nullptr);
  BOOST_TEST(!err.ok());
  src.erase("tag");
  auto missing = mg::RunBuiltinSource(src, &http, nullptr);
  BOOST_TEST(!missing.ok());
  BOOST_TEST(missing.status().message().find("\"tag\" are required") != std::string::npos, missing.status().ToString());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
