// `mirrorgraph plan` with generic apps whose source is github-releases, against fake_forge.py: the
// versions and latest of a good app, a failing discover for an app whose API answers garbage, and
// the token sent but never shown.
#include <boost/test/unit_test.hpp>

#include "cli_fixture.h"
#include "forge_fixture.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::FakeForge;
using mg::testing::TaskStatusOf;

namespace {

constexpr const char* kToken = "ghp_e2eSecretValue123";

mg::testing::TestRegistry& Registry() { return mg::testing::SharedPlainRegistry(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_forge_test)

BOOST_AUTO_TEST_CASE(plan_discovers_github_releases_and_isolates_a_broken_api) {
  auto forge = FakeForge::Start({.token = kToken});
  BOOST_REQUIRE_MESSAGE(forge.ok(), forge.status().ToString());
  CliWorkspace ws;
  ws.env()["MIRRORGRAPH_GITHUB_API"] = (*forge)->Base("private");
  ws.env()["GITHUB_TOKEN"] = kToken;
  const std::string broken_api = (*forge)->Base("malformed");
  ws.WriteConfigText("[registry]\nhost = \"" + Registry().host() +
                     "\"\nnamespace = \"forge\"\nplain_http = true\n\n"
                     "[defaults]\nmax_versions = 3\n\n"
                     "[apps.mattermost]\nplugin = \"generic\"\n"
                     "source = { type = \"github-releases\", repo = \"mattermost/mattermost\" }\n\n"
                     "[apps.broken]\nplugin = \"generic\"\n"
                     "source = { type = \"github-releases\", repo = \"mattermost/mattermost\", api_base = \"" +
                     broken_api + "\" }\n");
  auto r = ws.Run({"plan", "--json", "plan.json"});
  BOOST_TEST_REQUIRE(r.exit_code == 1, r.Describe());
  Json report = ws.ReadJson("plan.json");
  BOOST_TEST_REQUIRE(report.is_object(), r.Describe());

  BOOST_TEST(TaskStatusOf(report, "discover:mattermost") == "checked");
  const Json* d = mg::testing::FindTask(report, "discover:mattermost");
  BOOST_REQUIRE(d != nullptr);
  const Json& result = (*d)["result"];
  BOOST_TEST(result["latest"] == "10.5.1", result.dump());
  std::vector<std::string> versions;
  for (const Json& v : result["versions"]) versions.push_back(v.is_object() ? v.value("version", "") : v.get<std::string>());
  BOOST_TEST(versions == (std::vector<std::string>{"10.5.1", "10.5.0", "10.4.3"}), result.dump());
  // The draft is reported as left out.
  BOOST_TEST(result.dump().find("draft release") != std::string::npos, result.dump());
  for (const char* v : {"10.5.1", "10.5.0", "10.4.3"}) {
    BOOST_TEST(TaskStatusOf(report, std::string("probe:mattermost@") + v) == "checked", v);
  }

  BOOST_TEST(TaskStatusOf(report, "discover:broken") == "failed");
  const Json* b = mg::testing::FindTask(report, "discover:broken");
  BOOST_REQUIRE(b != nullptr);
  const std::string error = b->value("error", "");
  BOOST_TEST(error.find(broken_api + "/repos/mattermost/mattermost/releases?per_page=100 is not JSON") !=
                 std::string::npos, error);

  // The token went to the API on every page and appears nowhere we write.
  auto requests = (*forge)->Requests();
  BOOST_REQUIRE(requests.ok());
  size_t with_token = 0;
  for (const Json& req : *requests) {
    if (req["path"].get<std::string>().rfind("/private/", 0) == 0) {
      BOOST_TEST(req["headers"].value("authorization", "") == std::string("Bearer ") + kToken);
      ++with_token;
    }
  }
  BOOST_TEST(with_token == 4u);
  BOOST_TEST(r.out.find(kToken) == std::string::npos);
  BOOST_TEST(r.err.find(kToken) == std::string::npos);
  for (const fs::path& f : mg::testing::FilesUnder(ws.dir())) {
    if (f.filename() == "mirror.toml") continue;
    BOOST_TEST(mg::testing::ReadFile(f).find(kToken) == std::string::npos, f);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
