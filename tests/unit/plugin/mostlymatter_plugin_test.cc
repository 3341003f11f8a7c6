// The mostlymatter plugin, loaded from the build tree, over a fake host that answers the releases
// call, the HEAD of each binary and the Framagit tag lookups: which versions pass the gates, the
// reasons of those that do not, stopping after max_versions, and errors that are not exclusions.
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>

#include "plugin/plugin_registry.h"
#include "unit/plugin/fake_host.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::Json;
using mg::testing::FakeHost;

namespace {

constexpr const char* kBase = "https://bin.example.org/mm";

std::shared_ptr<mg::Plugin> Load() {
  static mg::PluginRegistry registry;
  auto p = registry.Load("mostlymatter");
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return p.value();
}

Json Configure(const Json& config, int max_versions = 10) {
  FakeHost host;
  auto out = Load()->Configure(host, Json{{"app", "mostlymatter"}, {"config", config},
                                          {"defaults", {{"max_versions", max_versions},
                                                        {"platforms", {"linux/amd64", "linux/arm64"}}}}});
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  return out.value();
}

// Upstream: releases `versions`; binaries answer `status` by URL (200 when absent); tags that exist.
struct Upstream {
  std::vector<std::string> versions;
  std::map<std::string, int> status;
  std::set<std::string> tags;
  std::set<std::string> unreachable;  // URLs whose HEAD gets no answer
  std::map<std::string, std::string> published;  // version -> the release's published_at, when it has one

  void Install(FakeHost* host) const {
    host->set_discover_handler([this](std::string_view req) -> mg::Result<std::string> {
      Json src = Json::parse(req);
      if (src["type"] == "github-releases") {
        Json c = Json::array();
        for (const auto& v : versions) {
          Json one = {{"version", v}, {"tag", "v" + v}, {"commit", "c"}};
          if (published.count(v)) one["published"] = published.at(v);
          c.push_back(std::move(one));
        }
        return Json{{"candidates", c}, {"excluded", {{{"version", "11.0.0"}, {"reason", "draft release"}}}}}.dump();
      }
      if (src["type"] == "gitlab-tag-exists") return Json{{"exists", tags.count(src["tag"].get<std::string>()) > 0}}.dump();
      return mg::Status::InvalidArgument("unexpected source " + std::string(req));
    });
    host->set_http_handler([this](std::string_view req) -> mg::Result<std::string> {
      Json r = Json::parse(req);
      std::string url = r["url"].get<std::string>();
      if (r["method"] != "HEAD" || r["follow_redirects"] != true) return mg::Status::InvalidArgument("not a HEAD with redirects");
      if (unreachable.count(url)) return mg::Status::Unavailable("connection refused: " + url);
      auto it = status.find(url);
      return Json{{"status", it == status.end() ? 200 : it->second}, {"headers", Json::object()}, {"body", ""}, {"url", url}}.dump();
    });
  }
};

std::string Url(const std::string& arch, const std::string& v) { return std::string(kBase) + "/mostlymatter-" + arch + "-v" + v; }

mg::Result<Json> Discover(FakeHost& host, int max_versions, int scan_limit = 0, const std::string& window = "") {
  Json config = {{"binaries_base", kBase}};
  if (scan_limit > 0) config["scan_limit"] = scan_limit;
  Json source = Configure(config, max_versions)["source"];
  Json in = {{"app", "mostlymatter"}, {"config", Json::object()}, {"source", source}};
  if (!window.empty()) in["window"] = window;
  return Load()->Discover(host, in);
}

std::vector<std::string> Versions(const Json& list) {
  std::vector<std::string> out;
  for (const Json& c : list) out.push_back(c["version"].get<std::string>());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mostlymatter_plugin_test)

BOOST_AUTO_TEST_CASE(configure_normalises_the_gates) {
  Json out = Configure(Json{{"binaries_base", "https://b.example.org/x/"}, {"framagit_api_base", "https://git.example.org/api/v4"}}, 4);
  BOOST_TEST(out["errors"].empty(), out.dump());
  const Json& s = out["source"];
  BOOST_TEST(s["type"] == "mostlymatter");
  BOOST_TEST(s["releases"]["repo"] == "mattermost/mattermost");
  BOOST_TEST(s["tags"]["project"] == "framasoft/framateam/mostlymatter");
  BOOST_TEST(s["tags"]["api_base"] == "https://git.example.org/api/v4");
  BOOST_TEST(s["binaries_base"] == "https://b.example.org/x");
  BOOST_TEST(mg::CanonicalJson(s["arches"]) == R"(["amd64","arm64"])");
  BOOST_TEST(s["max_versions"] == 4);
  BOOST_TEST(mg::CanonicalJson(out["images"]) == R"([{"depends_on":[],"name":"mostlymatter"}])");
  BOOST_TEST(out["window"] == "published");  // the seed's window, unless the config sets one
}

BOOST_AUTO_TEST_CASE(configure_rejects_unknown_and_bad_keys) {
  Json out = Configure(Json{{"binaries", "x"}, {"framagit_token_env", "not a name"}});
  std::string dump = out["errors"].dump();
  BOOST_TEST(out["errors"].size() == 2u, dump);
  BOOST_TEST(dump.find("unknown key 'binaries'; did you mean 'binaries_base'?") != std::string::npos, dump);
  BOOST_TEST(dump.find("must be an environment variable name") != std::string::npos, dump);
}

BOOST_AUTO_TEST_CASE(versions_failing_a_gate_are_excluded_with_the_reason) {
  Upstream up;
  up.versions = {"10.4.3", "10.5.1", "10.5.0", "10.6.0"};
  up.status[Url("arm64", "10.5.0")] = 404;
  up.tags = {"v10.5.1-limitless", "v10.5.0-limitless", "v10.4.3-limitless"};  // 10.6.0 has none
  FakeHost host;
  up.Install(&host);
  auto out = Discover(host, 10);
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  BOOST_TEST(Versions(out.value()["candidates"]) == (std::vector<std::string>{"10.5.1", "10.4.3"}));
  BOOST_TEST(out.value()["candidates"][0]["tag"] == "v10.5.1-limitless");
  const Json& ex = out.value()["excluded"];
  BOOST_REQUIRE(ex.size() == 3u);
  BOOST_TEST(ex[0]["reason"] == "draft release");
  BOOST_TEST(ex[1]["version"] == "10.6.0");
  BOOST_TEST(ex[1]["reason"] == "no tag v10.6.0-limitless on framagit (framasoft/framateam/mostlymatter)");
  BOOST_TEST(ex[2]["version"] == "10.5.0");
  BOOST_TEST(ex[2]["reason"] == "no linux/arm64 binary at " + Url("arm64", "10.5.0") + " (HTTP 404)");
}

BOOST_AUTO_TEST_CASE(checking_stops_once_max_versions_passed) {
  Upstream up;
  up.versions = {"9.0.0", "9.1.0", "9.2.0", "9.3.0"};
  up.tags = {"v9.0.0-limitless", "v9.1.0-limitless", "v9.2.0-limitless", "v9.3.0-limitless"};
  up.status[Url("amd64", "9.3.0")] = 410;
  FakeHost host;
  up.Install(&host);
  auto out = Discover(host, 2, /*scan_limit=*/3);
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  BOOST_TEST(Versions(out.value()["candidates"]) == (std::vector<std::string>{"9.2.0", "9.1.0"}));
  for (const std::string& req : host.http_requests()) {
    BOOST_TEST(req.find("9.0.0") == std::string::npos, "9.0.0 was checked: " + req);
  }
  BOOST_TEST(host.http_requests().size() == 6u);
}

// As the seed: only the newest max_versions releases are gated by default, so a Framasoft lag
// mirrors fewer versions rather than older ones, and costs at most 3 requests per scanned release.
BOOST_AUTO_TEST_CASE(only_the_newest_max_versions_releases_are_gated_by_default) {
  Upstream up;
  up.versions = {"9.0.0", "9.1.0", "9.2.0", "9.3.0", "9.4.0"};
  up.tags = {"v9.0.0-limitless", "v9.1.0-limitless", "v9.2.0-limitless", "v9.3.0-limitless"};  // 9.4.0: none yet
  FakeHost host;
  up.Install(&host);
  auto out = Discover(host, 2);
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  BOOST_TEST(Versions(out.value()["candidates"]) == (std::vector<std::string>{"9.3.0"}));
  const Json& ex = out.value()["excluded"];
  BOOST_REQUIRE_MESSAGE(ex.size() == 5u, ex.dump());  // the draft, 9.4.0, and three not checked
  BOOST_TEST(ex[1]["version"] == "9.4.0");
  for (size_t i = 2; i < 5; ++i) {
    BOOST_TEST(ex[i]["reason"] == "not checked: older than the newest 2 releases scanned (scan_limit)", ex.dump());
  }
  BOOST_TEST(ex[2]["version"] == "9.2.0");
  BOOST_TEST(host.http_requests().size() == 4u);  // two releases × two binaries; nothing older
  for (const std::string& req : host.http_requests()) BOOST_TEST(req.find("9.2.0") == std::string::npos, req);

  // scan_limit widens the scan: 9.2.0 is checked and passes.
  FakeHost wide;
  up.Install(&wide);
  auto widened = Discover(wide, 2, /*scan_limit=*/5);
  BOOST_REQUIRE_MESSAGE(widened.ok(), widened.status().ToString());
  BOOST_TEST(Versions(widened.value()["candidates"]) == (std::vector<std::string>{"9.3.0", "9.2.0"}));
}

// The seed's window: the releases most recently published are gated first, so an ESR patch
// (9.11.8, out after 10.5.0) is checked and a 10.4.1 from before it is not.
BOOST_AUTO_TEST_CASE(the_published_window_gates_the_most_recently_published_releases) {
  Upstream up;
  up.versions = {"10.4.1", "10.4.2", "10.5.0", "9.11.8"};
  up.published = {{"10.4.1", "2025-01-22T10:00:00Z"}, {"10.4.2", "2025-02-05T10:00:00Z"},
                  {"10.5.0", "2025-02-14T10:00:00Z"}, {"9.11.8", "2025-02-20T09:00:00Z"}};
  up.tags = {"v10.4.1-limitless", "v10.4.2-limitless", "v9.11.8-limitless"};  // 10.5.0: not yet on Framagit
  FakeHost host;
  up.Install(&host);
  auto out = Discover(host, 3, 0, "published");
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  const Json& passed = out.value()["candidates"];
  BOOST_TEST(Versions(passed) == (std::vector<std::string>{"9.11.8", "10.4.2"}), passed.dump());
  BOOST_TEST(passed[0]["published"] == "2025-02-20T09:00:00Z");  // for the engine's window
  const Json& ex = out.value()["excluded"];
  BOOST_REQUIRE_MESSAGE(ex.size() == 3u, ex.dump());  // the draft, 10.5.0 (no tag), 10.4.1 (not checked)
  BOOST_TEST(ex[1]["version"] == "10.5.0");
  BOOST_TEST(ex[2]["version"] == "10.4.1");
  BOOST_TEST(ex[2]["reason"] == "not checked: older than the 3 most recently published releases scanned (scan_limit)");
  for (const std::string& req : host.http_requests()) BOOST_TEST(req.find("10.4.1") == std::string::npos, req);

  // The newest window gates by version: 9.11.8 is the one left unchecked.
  FakeHost newest;
  up.Install(&newest);
  auto by_version = Discover(newest, 3, 0, "newest");
  BOOST_REQUIRE_MESSAGE(by_version.ok(), by_version.status().ToString());
  BOOST_TEST(Versions(by_version.value()["candidates"]) == (std::vector<std::string>{"10.4.2", "10.4.1"}));
  BOOST_REQUIRE(by_version.value()["excluded"].size() == 3u);
  BOOST_TEST(by_version.value()["excluded"][2]["version"] == "9.11.8");
  BOOST_TEST(by_version.value()["excluded"][2]["reason"] ==
             "not checked: older than the newest 3 releases scanned (scan_limit)");

  // A release without a date: by version, as for "newest".
  up.published.erase("10.4.1");
  FakeHost undated;
  up.Install(&undated);
  auto fallback = Discover(undated, 3, 0, "published");
  BOOST_REQUIRE_MESSAGE(fallback.ok(), fallback.status().ToString());
  BOOST_TEST(Versions(fallback.value()["candidates"]) == (std::vector<std::string>{"10.4.2", "10.4.1"}));
}

BOOST_AUTO_TEST_CASE(scan_limit_must_be_a_positive_integer) {
  for (const Json& bad : {Json("3"), Json(0), Json(-1), Json(2.5)}) {
    Json out = Configure(Json{{"scan_limit", bad}});
    BOOST_TEST(out["errors"].dump().find("scan_limit") != std::string::npos, out.dump());
  }
  BOOST_TEST(Configure(Json{{"scan_limit", 40}})["source"]["scan_limit"] == 40);
}

BOOST_AUTO_TEST_CASE(a_head_without_answer_fails_discover) {
  Upstream up;
  up.versions = {"10.5.1"};
  up.tags = {"v10.5.1-limitless"};
  up.unreachable = {Url("amd64", "10.5.1")};
  FakeHost host;
  up.Install(&host);
  auto out = Discover(host, 10);
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST(out.status().message().find("connection refused") != std::string::npos, out.status().ToString());
}

BOOST_AUTO_TEST_CASE(a_server_error_is_not_an_exclusion) {
  Upstream up;
  up.versions = {"10.5.1"};
  up.tags = {"v10.5.1-limitless"};
  up.status[Url("arm64", "10.5.1")] = 503;
  FakeHost host;
  up.Install(&host);
  auto out = Discover(host, 10);
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST(out.status().message().find("answered HTTP 503") != std::string::npos, out.status().ToString());
}

BOOST_AUTO_TEST_CASE(recipe_builds_from_the_limitless_tag) {
  FakeHost host;
  auto out = Load()->Recipe(host, Json{{"app", "mostlymatter"}, {"image", "mostlymatter"}, {"version", "10.5.1"},
                                       {"tag", "v10.5.1-limitless"}, {"platform", "linux/arm64"}, {"config", Json::object()},
                                       {"registry", "ghcr.io"}, {"namespace", "ns"}});
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  const Json& r = out.value();
  BOOST_TEST(r["source"]["url"] == "https://framagit.org/framasoft/framateam/mostlymatter.git");
  BOOST_TEST(r["source"]["ref"] == "v10.5.1-limitless");
  BOOST_TEST(r["build_args"]["MM_PACKAGE"] == "https://releases.mattermost.com/10.5.1/mattermost-10.5.1-linux-arm64.tar.gz");
  BOOST_TEST(r["build_args"]["MOSTLYMATTER_BINARY"] ==
             "https://packages.framasoft.org/projects/mostlymatter/mostlymatter-arm64-v10.5.1");
  BOOST_TEST(r["edits"].size() == 3u);
}

BOOST_AUTO_TEST_CASE(recipe_downloads_the_binary_the_gates_checked) {
  FakeHost host;
  auto out = Load()->Recipe(host, Json{{"app", "mostlymatter"}, {"image", "mostlymatter"}, {"version", "10.5.1"},
                                       {"tag", "v10.5.1-limitless"}, {"platform", "linux/amd64"},
                                       {"config", {{"binaries_base", std::string(kBase) + "/"}}},
                                       {"registry", "ghcr.io"}, {"namespace", "ns"}});
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  BOOST_TEST(out.value()["build_args"]["MOSTLYMATTER_BINARY"] == std::string(kBase) + "/mostlymatter-amd64-v10.5.1");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
