#include <boost/test/unit_test.hpp>

#include "graph/expander.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;

namespace {

PipelineTemplate Template() {
  Diagnostics d;
  auto t = ParseTemplate(R"(name = "t"
[tasks.discover]
[tasks.probe]
after = ["discover"]
[tasks.build]
after = ["probe"]
skip_when = "image-complete"
[tasks.merge]
after = ["build"]
skip_when = "image-complete"
[tasks.sign]
after = ["merge"]
)", "t.toml", &d);
  BOOST_REQUIRE_MESSAGE(t.has_value(), d.ToString());
  return *t;
}

AppModel App(std::vector<ImageSpec> images) {
  AppModel a;
  a.app = "outline";
  a.images = std::move(images);
  a.platforms = {"linux/amd64", "linux/arm64"};
  a.builder = "buildah";
  a.tmpl = Template();
  a.plugin = {{"name", "generic"}, {"version", "1.0.0"}};
  a.source = {{"type", "git-tags"}, {"url", "file:///x"}};
  return a;
}

std::vector<std::string> DepIds(const TaskGraph& g, const std::string& id) {
  std::vector<std::string> out;
  for (auto d : g.Deps(*g.Find(id))) out.push_back(g.task(d).id);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(expander_test)

BOOST_AUTO_TEST_CASE(versions_instantiate_typed_tasks_with_stable_ids) {
  TaskGraph g;
  AppModel app = App({{"outline", {}}});
  ExpandApp(g, app, {"reg.example", "ns"});
  BOOST_TEST(g.size() == 1u);
  ExpandVersions(g, app, {"reg.example", "ns"}, {{"1.2.0", "v1.2.0", "abc"}, {"1.3.0", "v1.3.0", "def"}});
  // discover + 2 × (probe + 2 builds + merge + sign)
  BOOST_TEST(g.size() == 11u);
  auto b = g.Find("build:outline@1.2.0/linux/arm64");
  BOOST_REQUIRE(b.has_value());
  const Task& t = g.task(*b);
  BOOST_TEST(t.Params()["repository"] == "ns/outline");
  BOOST_TEST(t.Params()["commit"] == "abc");
  BOOST_TEST(t.Params()["platform"] == "linux/arm64");
  BOOST_TEST(t.Params()["emulation"] == false);
  BOOST_TEST(t.Identity()["builder"] == "buildah");
  BOOST_TEST(g.task(*g.Find("probe:outline@1.2.0")).Params()["platforms"] ==
             Json::parse(R"(["linux/amd64","linux/arm64"])"));
  BOOST_TEST(!g.task(*g.Find("probe:outline@1.2.0")).Identity().contains("builder"));
  // Parameters and identity are written as text directly: it must be canonical JSON, since it is
  // hashed into the key as is.
  for (size_t i = 0; i < g.size(); ++i) {
    const Task& ti = g.task(i);
    BOOST_TEST(CanonicalJson(ParseJson(ti.params_text)) == ti.params_text);
    BOOST_TEST(CanonicalJson(ParseJson(ti.IdentityText())) == ti.IdentityText());
  }
  BOOST_TEST(t.pool == "build:linux/arm64");
  BOOST_TEST(t.skip_when_complete);
  BOOST_TEST(g.task(t.gate_probe).id == "probe:outline@1.2.0");
  BOOST_TEST(DepIds(g, "merge:outline@1.2.0") ==
                 (std::vector<std::string>{"build:outline@1.2.0/linux/amd64", "build:outline@1.2.0/linux/arm64",
                                           "probe:outline@1.2.0"}),
             boost::test_tools::per_element());
  BOOST_TEST(DepIds(g, "probe:outline@1.3.0") == (std::vector<std::string>{"discover:outline"}),
             boost::test_tools::per_element());
  // Idempotent.
  ExpandVersions(g, app, {"reg.example", "ns"}, {{"1.2.0", "v1.2.0", "abc"}});
  BOOST_TEST(g.size() == 11u);
}

BOOST_AUTO_TEST_CASE(an_image_built_from_another_waits_for_its_merge) {
  TaskGraph g;
  AppModel app = App({{"base-outline", {}}, {"outline", {"base-outline"}}});
  ExpandVersions(g, app, {"ghcr.io", "m"}, {{"0.80.0", "v0.80.0", ""}});
  BOOST_TEST(g.Find("build:outline/base-outline@0.80.0/linux/amd64").has_value());
  BOOST_TEST(DepIds(g, "build:outline@0.80.0/linux/amd64") ==
                 (std::vector<std::string>{"merge:outline/base-outline@0.80.0", "probe:outline@0.80.0"}),
             boost::test_tools::per_element());
  BOOST_TEST(g.task(*g.Find("probe:outline/base-outline@0.80.0")).Params()["repository"] == "m/base-outline");
}

// The order of a task's dependency list is what `graph` and `plan` print: pinned here, unsorted.
BOOST_AUTO_TEST_CASE(dependency_lists_follow_gate_then_template_then_platform_order) {
  TaskGraph g;
  AppModel app = App({{"base-outline", {}}, {"outline", {"base-outline"}}});
  app.platforms = {"linux/arm64", "linux/amd64"};  // listed out of order
  ExpandVersions(g, app, {"ghcr.io", "m"}, {{"0.80.0", "v0.80.0", ""}, {"0.81.0", "v0.81.0", ""}});
  auto deps = [&](const std::string& id) {
    std::vector<std::string> out;
    for (auto d : g.Deps(*g.Find(id))) out.push_back(g.task(d).id);
    return out;
  };
  // The gate (the probe) first, then `after` (build on probe: already there), platforms by name.
  BOOST_TEST(deps("merge:outline@0.81.0") ==
                 (std::vector<std::string>{"probe:outline@0.81.0", "build:outline@0.81.0/linux/amd64",
                                           "build:outline@0.81.0/linux/arm64"}),
             boost::test_tools::per_element());
  // A build of an image built from another: its probe, then the other image's merge of the same
  // version.
  BOOST_TEST(deps("build:outline@0.80.0/linux/arm64") ==
                 (std::vector<std::string>{"probe:outline@0.80.0", "merge:outline/base-outline@0.80.0"}),
             boost::test_tools::per_element());
  // Not skipped when the image is complete (no skip_when): no edge from the probe.
  BOOST_TEST(deps("sign:outline/base-outline@0.80.0") == (std::vector<std::string>{"merge:outline/base-outline@0.80.0"}),
             boost::test_tools::per_element());
  BOOST_TEST(deps("probe:outline@0.80.0") == (std::vector<std::string>{"discover:outline"}),
             boost::test_tools::per_element());
  // A version's tasks carry its rank: its place in the list the discover gave.
  BOOST_TEST(g.task(*g.Find("build:outline@0.81.0/linux/arm64")).version_rank == 1);
}

BOOST_AUTO_TEST_CASE(placeholder_subgraph_is_marked_and_never_runs) {
  TaskGraph g;
  ExpandPlaceholder(g, App({{"outline", {}}}), {"r", ""});
  auto m = g.Find("merge:outline@{version}");
  BOOST_REQUIRE(m.has_value());
  BOOST_TEST(g.task(*m).placeholder);
  BOOST_TEST(g.task(*m).Params()["repository"] == "outline");
  BOOST_TEST(!g.task(*g.Find("discover:outline")).placeholder);
}

BOOST_AUTO_TEST_CASE(topological_order_is_deterministic_and_respects_edges) {
  TaskGraph g;
  ExpandVersions(g, App({{"outline", {}}}), {"r", "n"}, {{"2.0.0", "v2.0.0", ""}, {"1.0.0", "v1.0.0", ""}});
  auto order = g.TopologicalOrder();
  BOOST_TEST(order.size() == g.size());
  std::vector<size_t> pos(g.size());
  for (size_t i = 0; i < order.size(); ++i) pos[order[i]] = i;
  for (size_t i = 0; i < g.size(); ++i) {
    for (auto d : g.Deps(i)) BOOST_TEST(pos[d] < pos[i]);
  }
  BOOST_TEST(g.task(order[0]).id == "discover:outline");
}

BOOST_AUTO_TEST_CASE(versions_come_out_of_a_discover_result) {
  Json r = Json::parse(R"({"versions":[{"version":"1.2.0","tag":"v1.2.0","commit":"c"},{"nope":1},{"version":"1.1.0"}]})");
  auto v = VersionsFromDiscoverResult(r);
  BOOST_REQUIRE(v.size() == 2u);
  BOOST_TEST(v[0].tag == "v1.2.0");
  BOOST_TEST(v[1].tag == "1.1.0");
  BOOST_TEST(VersionsFromDiscoverResult(Json("garbage")).empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
