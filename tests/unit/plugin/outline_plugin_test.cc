// The outline plugin, loaded from the build tree: two images, the second after the first; the
// recipe of each.
#include <boost/test/unit_test.hpp>

#include "plugin/plugin_registry.h"
#include "unit/plugin/fake_host.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::Json;
using mg::testing::FakeHost;

namespace {

std::shared_ptr<mg::Plugin> Load() {
  static mg::PluginRegistry registry;
  auto p = registry.Load("outline");
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return p.value();
}

Json Recipe(const std::string& image) {
  FakeHost host;
  auto out = Load()->Recipe(host, Json{{"app", "outline"}, {"image", image}, {"version", "0.82.0"},
                                       {"tag", "v0.82.0"}, {"platform", "linux/amd64"}, {"config", Json::object()},
                                       {"registry", "ghcr.io"}, {"namespace", "this-is-tobi/mirror"}});
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  return out.value();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(outline_plugin_test)

BOOST_AUTO_TEST_CASE(configure_declares_base_then_outline) {
  FakeHost host;
  auto out = Load()->Configure(host, Json{{"app", "outline"}, {"config", {{"plugin", "outline"}}}, {"defaults", Json::object()}});
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  BOOST_TEST(out.value()["errors"].empty(), out.value().dump());
  BOOST_TEST(mg::CanonicalJson(out.value()["images"]) ==
             R"([{"depends_on":[],"name":"base-outline"},{"depends_on":["base-outline"],"name":"outline"}])");
  BOOST_TEST(out.value()["source"]["repo"] == "outline/outline");
  BOOST_TEST(out.value()["source"]["type"] == "github-releases");
  BOOST_TEST(out.value()["window"] == "published");  // the seed's window, unless the config sets one
  BOOST_TEST(Load()->version() == "0.1.0");
}

BOOST_AUTO_TEST_CASE(unknown_key_is_an_error) {
  FakeHost host;
  auto out = Load()->Configure(host, Json{{"app", "outline"}, {"config", {{"tokn_env", "X"}}}, {"defaults", Json::object()}});
  BOOST_REQUIRE(out.ok());
  BOOST_TEST(out.value()["errors"].size() == 1u);
  BOOST_TEST(out.value()["errors"][0]["message"] == "unknown key 'tokn_env'; did you mean 'token_env'?");
}

BOOST_AUTO_TEST_CASE(base_image_recipe) {
  Json r = Recipe("base-outline");
  BOOST_TEST(r["context"] == ".");
  BOOST_TEST(r["dockerfile"] == "Dockerfile.base");
  BOOST_TEST(r["depends_on_images"].empty());
  BOOST_TEST(r["source"]["url"] == "https://github.com/outline/outline.git");
}

BOOST_AUTO_TEST_CASE(outline_recipe_replaces_the_base_image) {
  Json r = Recipe("outline");
  BOOST_TEST(r["dockerfile"] == "Dockerfile");
  BOOST_TEST(mg::CanonicalJson(r["depends_on_images"]) == R"(["base-outline"])");
  BOOST_REQUIRE(r["edits"].size() == 1u);
  BOOST_TEST(r["edits"][0]["kind"] == "replace-base");
  BOOST_TEST(r["edits"][0]["from"] == "outlinewiki/outline-base");
  BOOST_TEST(r["edits"][0]["to"] == "ghcr.io/this-is-tobi/mirror/base-outline:0.82.0");
  // Since v0.83.0 the Dockerfile reads the base from ARG BASE_IMAGE: passed as Outline's CI does,
  // naming the same base-outline as the edit.
  BOOST_TEST(r["build_args"]["BASE_IMAGE"] == r["edits"][0]["to"]);
}

BOOST_AUTO_TEST_CASE(unknown_image_fails) {
  FakeHost host;
  auto out = Load()->Recipe(host, Json{{"app", "outline"}, {"image", "web"}, {"version", "1"}});
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST(out.status().message().find("asked for 'web'") != std::string::npos, out.status().ToString());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
