// The mattermost plugin, loaded from the build tree: configure's validation and normalised source,
// discover through a fake host, the recipe data.
#include <boost/test/unit_test.hpp>

#include "plugin/plugin_registry.h"
#include "unit/plugin/fake_host.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::Json;
using mg::testing::FakeHost;

namespace {

std::shared_ptr<mg::Plugin> Load() {
  static mg::PluginRegistry registry;
  auto p = registry.Load("mattermost");
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return p.value();
}

Json Configure(const Json& config) {
  FakeHost host;
  auto out = Load()->Configure(host, Json{{"app", "mattermost"}, {"config", config},
                                          {"defaults", {{"max_versions", 10}}}});
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  return out.value();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mattermost_plugin_test)

BOOST_AUTO_TEST_CASE(identity) {
  BOOST_TEST(Load()->name() == "mattermost");
  BOOST_TEST(Load()->version() == "0.1.0");
}

BOOST_AUTO_TEST_CASE(defaults_read_github_releases_of_mattermost) {
  Json out = Configure(Json{{"plugin", "mattermost"}, {"max_versions", 3}, {"platforms", {"linux/amd64"}},
                            {"window", "newest"}});  // an engine key: not the plugin's to reject
  BOOST_TEST(out["errors"].empty(), out.dump());
  // The seed mirrors the last N published releases (ESR patches included) unless the config says otherwise.
  BOOST_TEST(out["window"] == "published");
  BOOST_TEST(mg::CanonicalJson(out["images"]) == R"([{"depends_on":[],"name":"mattermost"}])");
  BOOST_TEST(mg::CanonicalJson(out["source"]) ==
             R"({"repo":"mattermost/mattermost","tag_pattern":"^v(\\d+\\.\\d+\\.\\d+)$","type":"github-releases"})");
}

BOOST_AUTO_TEST_CASE(api_base_and_token_env_are_passed_on) {
  Json out = Configure(Json{{"api_base", "https://ghe.example.org/api/v3/"}, {"token_env", "MY_TOKEN"}});
  BOOST_TEST(out["errors"].empty(), out.dump());
  BOOST_TEST(out["source"]["api_base"] == "https://ghe.example.org/api/v3");
  BOOST_TEST(out["source"]["token_env"] == "MY_TOKEN");
}

BOOST_AUTO_TEST_CASE(bad_keys_are_errors_with_a_hint) {
  Json out = Configure(Json{{"api_bse", "https://x.example.org"}, {"token_env", 3}, {"api_base", "ftp://x"}});
  std::string dump = out["errors"].dump();
  BOOST_TEST(dump.find(R"("message":"unknown key 'api_bse'; did you mean 'api_base'?","path":"api_bse")") != std::string::npos, dump);
  BOOST_TEST(dump.find(R"x("message":"must be a string (got an integer)","path":"token_env")x") != std::string::npos, dump);
  BOOST_TEST(dump.find("must be an http:// or https:// URL (got 'ftp://x')") != std::string::npos, dump);
  BOOST_TEST(out["errors"].size() == 3u);
}

BOOST_AUTO_TEST_CASE(discover_passes_the_source_to_the_host) {
  FakeHost host;
  host.set_discover_response(std::string(
      R"({"candidates":[{"version":"10.5.1","tag":"v10.5.1","commit":"abc"}],"excluded":[{"version":"10.7.0","reason":"draft release"}]})"));
  Json source = Configure(Json::object())["source"];
  auto out = Load()->Discover(host, Json{{"app", "mattermost"}, {"config", Json::object()}, {"source", source}});
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  BOOST_TEST(out.value()["candidates"][0]["version"] == "10.5.1");
  BOOST_TEST(out.value()["excluded"][0]["reason"] == "draft release");
  auto sent = host.discover_requests();
  BOOST_REQUIRE(sent.size() == 1u);
  BOOST_TEST(Json::parse(sent[0]) == source);
}

BOOST_AUTO_TEST_CASE(discover_failure_of_the_host_fails_the_call) {
  FakeHost host;
  Json source = Configure(Json::object())["source"];
  auto out = Load()->Discover(host, Json{{"app", "mattermost"}, {"config", Json::object()}, {"source", source}});
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST(out.status().message().find("no upstream in unit tests") != std::string::npos, out.status().ToString());
}

BOOST_AUTO_TEST_CASE(recipe_is_the_upstream_server_build) {
  FakeHost host;
  auto out = Load()->Recipe(host, Json{{"app", "mattermost"}, {"image", "mattermost"}, {"version", "10.5.1"},
                                       {"tag", "v10.5.1"}, {"platform", "linux/arm64"}, {"config", Json::object()},
                                       {"registry", "ghcr.io"}, {"namespace", "ns"}});
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  const Json& r = out.value();
  BOOST_TEST(r["context"] == "server/build");
  BOOST_TEST(r["dockerfile"] == "server/build/Dockerfile");
  BOOST_TEST(r["build_args"]["MM_PACKAGE"] ==
             "https://releases.mattermost.com/10.5.1/mattermost-10.5.1-linux-arm64.tar.gz?src=docker");
  BOOST_TEST(r["edits"][0]["kind"] == "unpin-base-digests");
  BOOST_TEST(mg::CanonicalJson(r["source"]) ==
             R"({"ref":"v10.5.1","type":"git","url":"https://github.com/mattermost/mattermost.git"})");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
