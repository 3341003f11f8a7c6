// The generic plugin, loaded from the build tree and called through the engine's Plugin class.
#include <boost/test/unit_test.hpp>

#include <thread>

#include "plugin/plugin_registry.h"
#include "unit/plugin/fake_host.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::Json;
using mg::testing::FakeHost;

namespace {

std::shared_ptr<mg::Plugin> Generic() {
  static mg::PluginRegistry registry;
  auto p = registry.Load("generic");
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return p.value();
}

Json Configure(const Json& config, const std::string& app = "hello") {
  FakeHost host;
  auto out = Generic()->Configure(host, Json{{"app", app}, {"config", config}, {"defaults", Json::object()}});
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  return out.value();
}

bool HasError(const Json& out, const std::string& path, const std::string& part) {
  for (const auto& e : out.at("errors")) {
    if (e.at("path") == path && e.at("message").get<std::string>().find(part) != std::string::npos) return true;
  }
  return false;
}

std::string Dump(const Json& j) { return mg::CanonicalJson(j); }

Json Minimal() { return Json{{"plugin", "generic"}, {"source", {{"type", "git-tags"}, {"url", "https://example.invalid/hello.git"}}}}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(generic_plugin_test)

BOOST_AUTO_TEST_CASE(minimal_config_is_normalised) {
  Json out = Configure(Minimal());
  BOOST_TEST(out["errors"].empty(), Dump(out));
  BOOST_TEST(Dump(out["images"]) == R"([{"depends_on":[],"name":"hello"}])");
  BOOST_TEST(out["source"]["type"] == "git-tags");
  BOOST_TEST(out["source"]["url"] == "https://example.invalid/hello.git");
  BOOST_TEST(out["source"]["tag_pattern"] == R"(^v?(\d+\.\d+\.\d+)$)");
}

BOOST_AUTO_TEST_CASE(engine_owned_keys_are_ignored) {
  Json config = Minimal();
  config["enabled"] = true;
  config["max_versions"] = 3;
  config["platforms"] = {"linux/amd64"};
  config["builder"] = "docker";
  config["template"] = "latest-only";
  config["emulation"] = false;
  Json out = Configure(config);
  BOOST_TEST(out["errors"].empty(), Dump(out));
}

BOOST_AUTO_TEST_CASE(unknown_keys_get_a_did_you_mean) {
  Json config = Minimal();
  config["imgae"] = "x";
  config["source"]["tag_patern"] = "^v(.*)$";
  Json out = Configure(config);
  BOOST_TEST(HasError(out, "imgae", "did you mean 'image'?"), Dump(out));
  BOOST_TEST(HasError(out, "source.tag_patern", "did you mean 'tag_pattern'?"), Dump(out));
  BOOST_TEST(out["errors"].size() == 2u, Dump(out));
}

BOOST_AUTO_TEST_CASE(missing_source_and_url) {
  Json out = Configure(Json{{"plugin", "generic"}});
  BOOST_TEST(HasError(out, "source", "missing"), Dump(out));
  Json no_url = Configure(Json{{"source", {{"type", "git-tags"}}}});
  BOOST_TEST(HasError(no_url, "source.url", "missing"), Dump(no_url));
  Json empty_url = Configure(Json{{"source", {{"type", "git-tags"}, {"url", ""}}}});
  BOOST_TEST(HasError(empty_url, "source.url", "must not be empty"), Dump(empty_url));
}

BOOST_AUTO_TEST_CASE(unknown_source_type_lists_the_supported_ones) {
  Json out = Configure(Json{{"source", {{"type", "git-tag"}, {"url", "u"}}}});
  BOOST_TEST(HasError(out, "source.type", "unknown source type 'git-tag'; did you mean 'git-tags'?"), Dump(out));
  Json other = Configure(Json{{"source", {{"type", "svn-tags"}, {"url", "u"}}}});
  BOOST_TEST(HasError(other, "source.type", "supported: git-tags, github-releases, gitlab-tags"), Dump(other));
}

BOOST_AUTO_TEST_CASE(forge_sources_are_normalised) {
  Json gh = Configure(Json{{"source", {{"type", "github-releases"}, {"repo", "mattermost/mattermost"}}}});
  BOOST_TEST(gh["errors"].empty(), Dump(gh));
  BOOST_TEST(Dump(gh["source"]) ==
             R"({"repo":"mattermost/mattermost","tag_pattern":"^v?(\\d+(?:\\.\\d+)*)$","type":"github-releases"})");
  Json gl = Configure(Json{{"source",
                            {{"type", "gitlab-tags"},
                             {"project", "framasoft/framateam/mostlymatter"},
                             {"api_base", "https://framagit.org/api/v4"},
                             {"token_env", "FRAMAGIT_TOKEN"},
                             {"tag_pattern", R"(^v(\d+\.\d+\.\d+)-limitless$)"}}}});
  BOOST_TEST(gl["errors"].empty(), Dump(gl));
  BOOST_TEST(gl["source"]["project"] == "framasoft/framateam/mostlymatter");
  BOOST_TEST(gl["source"]["api_base"] == "https://framagit.org/api/v4");
  BOOST_TEST(gl["source"]["token_env"] == "FRAMAGIT_TOKEN");
  BOOST_TEST(gl["source"]["tag_pattern"] == R"(^v(\d+\.\d+\.\d+)-limitless$)");
}

BOOST_AUTO_TEST_CASE(forge_source_errors) {
  Json no_repo = Configure(Json{{"source", {{"type", "github-releases"}, {"url", "https://github.com/a/b"}}}});
  BOOST_TEST(HasError(no_repo, "source.repo", "missing"), Dump(no_repo));
  BOOST_TEST(HasError(no_repo, "source.url", "unknown key 'url'"), Dump(no_repo));
  Json typo = Configure(Json{{"source", {{"type", "gitlab-tags"}, {"projet", "a/b"}}}});
  BOOST_TEST(HasError(typo, "source.projet", "did you mean 'project'?"), Dump(typo));
  BOOST_TEST(HasError(typo, "source.project", "missing"), Dump(typo));
  Json bad = Configure(Json{{"source",
                             {{"type", "github-releases"},
                              {"repo", "no-slash"},
                              {"api_base", "api.github.com"},
                              {"token_env", "MY-TOKEN"},
                              {"tag_pattern", "^v\\d+$"}}}});
  BOOST_TEST(HasError(bad, "source.repo", "is not \"owner/name\""), Dump(bad));
  BOOST_TEST(HasError(bad, "source.api_base", "not an http:// or https:// URL"), Dump(bad));
  BOOST_TEST(HasError(bad, "source.token_env", "not an environment variable name"), Dump(bad));
  BOOST_TEST(HasError(bad, "source.tag_pattern", "no capture group"), Dump(bad));
  Json path = Configure(Json{{"source", {{"type", "gitlab-tags"}, {"project", "/group/name/"}}}});
  BOOST_TEST(HasError(path, "source.project", "not a project path"), Dump(path));
}

BOOST_AUTO_TEST_CASE(recipe_clones_forge_sources_from_their_web_host) {
  FakeHost host;
  auto recipe = [&](const Json& source) {
    Json in = {{"app", "hello"}, {"image", "hello"}, {"version", "1.0.0"}, {"tag", "v1.0.0"},
               {"platform", "linux/amd64"}, {"config", Json{{"source", source}}}, {"registry", "r"}, {"namespace", "n"}};
    auto out = Generic()->Recipe(host, in);
    BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
    return out.value()["source"]["url"].get<std::string>();
  };
  BOOST_TEST(recipe({{"type", "github-releases"}, {"repo", "outline/outline"}}) == "https://github.com/outline/outline.git");
  BOOST_TEST(recipe({{"type", "github-releases"}, {"repo", "a/b"}, {"api_base", "https://ghe.example/api/v3/"}}) ==
             "https://ghe.example/a/b.git");
  BOOST_TEST(recipe({{"type", "gitlab-tags"}, {"project", "framasoft/framateam/mostlymatter"},
                     {"api_base", "https://framagit.org/api/v4"}}) ==
             "https://framagit.org/framasoft/framateam/mostlymatter.git");
  BOOST_TEST(recipe({{"type", "gitlab-tags"}, {"project", "g/p"}}) == "https://gitlab.com/g/p.git");
}

BOOST_AUTO_TEST_CASE(bad_types_and_patterns) {
  Json config = Minimal();
  config["source"]["url"] = 5;
  config["source"]["tag_pattern"] = "^v(\\d+";
  config["build"] = {{"args", {{"NODE", 18}}}, {"edits", Json::array({{{"replace", "x"}}})}};
  Json out = Configure(config);
  BOOST_TEST(HasError(out, "source.url", "must be a string (got an integer)"), Dump(out));
  BOOST_TEST(HasError(out, "source.tag_pattern", "invalid regular expression"), Dump(out));
  BOOST_TEST(HasError(out, "build.args.NODE", "must be a string"), Dump(out));
  BOOST_TEST(HasError(out, "build.edits[0].pattern", "missing"), Dump(out));
  Json no_group = Minimal();
  no_group["source"]["tag_pattern"] = "^v.*$";
  BOOST_TEST(HasError(Configure(no_group), "source.tag_pattern", "has no capture group"));
}

BOOST_AUTO_TEST_CASE(image_names_are_checked) {
  Json config = Minimal();
  config["image"] = "Hello World";
  BOOST_TEST(HasError(Configure(config), "image", "invalid image name 'Hello World'"));
  // The default image name is the app name, which must then be valid.
  Json out = Configure(Minimal(), "Hello");
  BOOST_TEST(HasError(out, "image", "the app name 'Hello' is not a valid image name"), Dump(out));
  config["image"] = "tools/hello-world";
  Json ok = Configure(config);
  BOOST_TEST(ok["errors"].empty(), Dump(ok));
  BOOST_TEST(ok["images"][0]["name"] == "tools/hello-world");
}

BOOST_AUTO_TEST_CASE(multi_image_apps) {
  Json config = Minimal();
  config["images"] = Json::array({{{"name", "base-outline"}},
                                  {{"name", "outline"}, {"depends_on", {"base-outline"}}}});
  Json out = Configure(config, "outline");
  BOOST_TEST(out["errors"].empty(), Dump(out));
  BOOST_TEST(Dump(out["images"]) ==
             R"([{"depends_on":[],"name":"base-outline"},{"depends_on":["base-outline"],"name":"outline"}])");

  config["image"] = "outline";
  BOOST_TEST(HasError(Configure(config), "images", "'image' and 'images' are exclusive"));

  Json bad = Minimal();
  bad["images"] = Json::array({{{"name", "base"}, {"depends_on", {"app"}}},
                               {{"name", "app"}, {"depends_on", {"bse"}}},
                               {{"name", "app"}}});
  Json errs = Configure(bad);
  BOOST_TEST(HasError(errs, "images[1].depends_on[0]", "unknown image 'bse'; did you mean 'base'?"), Dump(errs));
  BOOST_TEST(HasError(errs, "images[2].name", "duplicate image name 'app'"), Dump(errs));

  Json cycle = Minimal();
  cycle["images"] = Json::array({{{"name", "a"}, {"depends_on", {"b"}}}, {{"name", "b"}, {"depends_on", {"a"}}}});
  Json cyc = Configure(cycle);
  BOOST_TEST(HasError(cyc, "images", "dependency cycle: a -> b -> a"), Dump(cyc));
}

BOOST_AUTO_TEST_CASE(discover_asks_the_host_for_the_source) {
  FakeHost host;
  const std::string canned =
      R"({"candidates":[{"commit":"c1","tag":"v1.2.3","version":"1.2.3"},{"commit":"c0","tag":"v1.2.2","version":"1.2.2"}]})";
  host.set_discover_response(canned);
  auto out = Generic()->Discover(host, Json{{"app", "hello"}, {"config", Minimal()}});
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  BOOST_TEST(Dump(out.value()["candidates"]) == Dump(mg::ParseJson(canned)["candidates"]));
  BOOST_TEST(out.value()["excluded"].empty());
  BOOST_REQUIRE(host.discover_requests().size() == 1u);
  Json asked = mg::ParseJson(host.discover_requests()[0]);
  BOOST_TEST(asked["type"] == "git-tags");
  BOOST_TEST(asked["url"] == "https://example.invalid/hello.git");
  BOOST_TEST(asked["tag_pattern"] == R"(^v?(\d+\.\d+\.\d+)$)");
}

BOOST_AUTO_TEST_CASE(discover_uses_the_configured_source_and_reports_host_failures) {
  FakeHost host;
  host.set_discover_response(mg::Status::Unavailable("git ls-remote timed out"));
  Json source = {{"type", "git-tags"}, {"url", "https://example.invalid/other.git"}, {"tag_pattern", "^(.*)$"}};
  auto out = Generic()->Discover(host, Json{{"app", "hello"}, {"config", Minimal()}, {"source", source}});
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST((out.status().code() == mg::Status::Code::kUnavailable), mg::Status::CodeName(out.status().code()));
  BOOST_TEST(out.status().message().find("discover failed: git ls-remote timed out") != std::string::npos,
             out.status().message());
  BOOST_REQUIRE(host.discover_requests().size() == 1u);
  BOOST_TEST(mg::ParseJson(host.discover_requests()[0])["url"] == "https://example.invalid/other.git");
}

BOOST_AUTO_TEST_CASE(recipe_substitutes_placeholders) {
  Json config = Minimal();
  config["build"] = {
      {"context", "apps/{version}"},
      {"dockerfile", "docker/{arch}.Dockerfile"},
      {"args", {{"BASE", "{registry}/{namespace}/base:{version}"}, {"PLAT", "{platform}"}, {"TAG", "{tag}"},
                {"KEEP", "${HOME}/{unknown}"}}},
      {"edits", Json::array({{{"pattern", R"(curl (-L )?\$MM_PACKAGE\d{0,3})"},
                               {"replace", "curl -L https://example.invalid/{version}/{arch}.tgz"}}})}};
  FakeHost host;
  Json in = {{"app", "hello"},    {"image", "hello"},          {"version", "1.2.3"}, {"tag", "v1.2.3"},
             {"platform", "linux/arm64/v8"}, {"config", config}, {"registry", "127.0.0.1:5000"},
             {"namespace", "mirror"}};
  auto out = Generic()->Recipe(host, in);
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  const Json& r = out.value();
  BOOST_TEST(r["context"] == "apps/1.2.3");
  BOOST_TEST(r["dockerfile"] == "docker/arm64.Dockerfile");
  BOOST_TEST(r["build_args"]["BASE"] == "127.0.0.1:5000/mirror/base:1.2.3");
  BOOST_TEST(r["build_args"]["PLAT"] == "linux/arm64/v8");
  BOOST_TEST(r["build_args"]["TAG"] == "v1.2.3");
  BOOST_TEST(r["build_args"]["KEEP"] == "${HOME}/{unknown}");
  BOOST_REQUIRE(r["edits"].size() == 1u);
  BOOST_TEST(r["edits"][0]["kind"] == "replace");
  BOOST_TEST(r["edits"][0]["pattern"] == R"(curl (-L )?\$MM_PACKAGE\d{0,3})");
  BOOST_TEST(r["edits"][0]["replace"] == "curl -L https://example.invalid/1.2.3/arm64.tgz");
  BOOST_TEST(r["edits"][0]["file"] == "docker/arm64.Dockerfile");
  BOOST_TEST(Dump(r["source"]) == R"({"ref":"v1.2.3","type":"git","url":"https://example.invalid/hello.git"})");
  BOOST_TEST(r["depends_on_images"].empty());
}

BOOST_AUTO_TEST_CASE(recipe_for_one_image_of_several) {
  Json config = Minimal();
  config["build"] = {{"args", {{"A", "app"}, {"B", "app"}}}};
  config["images"] = Json::array({{{"name", "base-outline"}, {"build", {{"dockerfile", "Dockerfile.base"}}}},
                                  {{"name", "outline"},
                                   {"depends_on", {"base-outline"}},
                                   {"build", {{"args", {{"B", "image"}, {"BASE_IMAGE", "{registry}/base-outline:{version}"}}}}}}});
  FakeHost host;
  Json in = {{"app", "outline"}, {"image", "outline"}, {"version", "0.80.0"}, {"tag", "v0.80.0"},
             {"platform", "linux/amd64"}, {"config", config}, {"registry", "r"}, {"namespace", ""}};
  auto out = Generic()->Recipe(host, in);
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  BOOST_TEST(out.value()["dockerfile"] == "Dockerfile");
  BOOST_TEST(Dump(out.value()["build_args"]) == R"({"A":"app","B":"image","BASE_IMAGE":"r/base-outline:0.80.0"})");
  BOOST_TEST(Dump(out.value()["depends_on_images"]) == R"(["base-outline"])");

  in["image"] = "base-outline";
  auto base = Generic()->Recipe(host, in);
  BOOST_REQUIRE_MESSAGE(base.ok(), base.status().ToString());
  BOOST_TEST(base.value()["dockerfile"] == "Dockerfile.base");

  in["image"] = "nope";
  auto unknown = Generic()->Recipe(host, in);
  BOOST_REQUIRE(!unknown.ok());
  BOOST_TEST(unknown.status().message().find("unknown image 'nope'") != std::string::npos, unknown.status().message());
}

BOOST_AUTO_TEST_CASE(recipe_rejects_an_invalid_config) {
  FakeHost host;
  auto out = Generic()->Recipe(host, Json{{"app", "hello"}, {"config", {{"sorce", 1}}}, {"version", "1"}});
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST(out.status().message().find("recipe failed: invalid app config") != std::string::npos,
             out.status().message());
}

BOOST_AUTO_TEST_CASE(concurrent_calls_agree) {
  const std::string expected = Dump(Configure(Minimal()));
  auto plugin = Generic();
  std::vector<std::string> results(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      FakeHost host;
      for (int n = 0; n < 25; ++n) {
        auto out = plugin->Configure(host, Json{{"app", "hello"}, {"config", Minimal()}});
        results[i] = out.ok() ? Dump(out.value()) : out.status().ToString();
        if (results[i] != expected) break;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) BOOST_TEST(r == expected);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
