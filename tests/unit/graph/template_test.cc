#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "graph/template.h"
#include "util/install_dirs.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

std::vector<std::string> Errors(const std::string& text, const std::string& path = "graphs/bad.toml") {
  mg::Diagnostics diags;
  BOOST_CHECK(!mg::ParseTemplate(text, path, &diags).has_value());
  std::vector<std::string> out;
  for (const mg::Diagnostic& d : diags.items()) out.push_back(d.ToString());
  return out;
}

std::string OneError(const std::string& text) {
  std::vector<std::string> errors = Errors(text);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  return errors[0];
}

mg::PipelineTemplate MustParse(const std::string& text, const std::string& path = "graphs/good.toml") {
  mg::Diagnostics diags;
  std::optional<mg::PipelineTemplate> t = mg::ParseTemplate(text, path, &diags);
  BOOST_REQUIRE_MESSAGE(t.has_value(), diags.ToString());
  return *t;
}

std::vector<std::string> Names(const mg::PipelineTemplate& t) {
  std::vector<std::string> names;
  for (const mg::TemplateNode& n : t.nodes) names.push_back(n.name);
  return names;
}

// Every node comes after all the nodes it names in `after`.
void CheckTopological(const mg::PipelineTemplate& t) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < t.nodes.size(); ++i) index[t.nodes[i].name] = i;
  for (size_t i = 0; i < t.nodes.size(); ++i) {
    for (const std::string& dep : t.nodes[i].after) {
      BOOST_REQUIRE(index.count(dep) == 1);
      BOOST_CHECK_MESSAGE(index[dep] < i, dep + " must precede " + t.nodes[i].name);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(template_test)

BOOST_AUTO_TEST_CASE(shipped_templates_load_in_topological_order) {
  const std::vector<std::string> dirs = mg::DefaultTemplateDirs({});
  std::vector<std::string> known = mg::ListTemplateNames(dirs);
  BOOST_CHECK(std::find(known.begin(), known.end(), "multi-version") != known.end());
  BOOST_CHECK(std::find(known.begin(), known.end(), "latest-only") != known.end());
  for (const char* name : {"multi-version", "latest-only"}) {
    mg::Diagnostics diags;
    std::optional<mg::PipelineTemplate> t = mg::FindTemplate(name, dirs, &diags, mg::SourcePos{"mirror.toml", 1, 1});
    BOOST_REQUIRE_MESSAGE(t.has_value(), diags.ToString());
    BOOST_CHECK_EQUAL(t->name, name);
    BOOST_CHECK(!t->description.empty());
    BOOST_CHECK_EQUAL(t->select, std::string(name) == "latest-only" ? "latest" : "newest");
    BOOST_CHECK((Names(*t) == std::vector<std::string>{"discover", "probe", "build", "merge", "sbom", "sign",
                                                       "provenance"}));
    CheckTopological(*t);
    const mg::TemplateNode* build = t->Find("build");
    BOOST_REQUIRE(build != nullptr);
    BOOST_CHECK(build->scope == mg::TaskScope::kPlatform);
    BOOST_CHECK_EQUAL(build->skip_when, "image-complete");
    BOOST_CHECK(t->Find("discover")->scope == mg::TaskScope::kApp);
    BOOST_CHECK(t->Find("sign")->scope == mg::TaskScope::kVersion);
    BOOST_CHECK(t->Find("nope") == nullptr);
  }
}

BOOST_AUTO_TEST_CASE(order_is_topological_with_ties_in_file_order) {
  // Written out of dependency order; sign before sbom, which must stay that way.
  mg::PipelineTemplate t = MustParse(R"(
[tasks.sign]
after = ["merge"]
[tasks.sbom]
after = ["merge"]
[tasks.merge]
after = ["build"]
[tasks.build]
after = ["discover"]
[tasks.discover]
)");
  BOOST_CHECK((Names(t) == std::vector<std::string>{"discover", "build", "merge", "sign", "sbom"}));
  CheckTopological(t);
  BOOST_CHECK_EQUAL(t.name, "good");
  BOOST_CHECK_EQUAL(t.select, "newest");
  // Types default to the node name; scopes to the type's.
  BOOST_CHECK_EQUAL(t.Find("sbom")->type, "sbom");
  BOOST_CHECK(t.Find("build")->scope == mg::TaskScope::kPlatform);
  BOOST_CHECK_EQUAL(t.Find("build")->pos.line, 8);
  BOOST_CHECK_EQUAL(t.Find("build")->after_pos.line, 9);
  BOOST_CHECK_EQUAL(t.Find("build")->after_pos.column, 9);
}

BOOST_AUTO_TEST_CASE(custom_node_names_take_a_type) {
  mg::PipelineTemplate t = MustParse(R"(
[tasks.discover]
[tasks.build-base]
type = "build"
after = ["discover"]
[tasks.merge-base]
type = "merge"
after = ["build-base"]
[tasks.build]
after = ["merge-base"]
)");
  BOOST_CHECK((Names(t) == std::vector<std::string>{"discover", "build-base", "merge-base", "build"}));
  BOOST_CHECK_EQUAL(t.Find("merge-base")->type, "merge");
  BOOST_CHECK(t.Find("merge-base")->scope == mg::TaskScope::kVersion);
}

BOOST_AUTO_TEST_CASE(cycles_are_reported_with_their_path) {
  const std::string text = R"(name = "bad"
[tasks.discover]
type = "discover"

[tasks.probe]
after = ["discover"]

[tasks.build]
after = ["probe", "merge"]

[tasks.merge]
after = ["build"]
)";
  BOOST_CHECK_EQUAL(OneError(text), "graphs/bad.toml:12:9: dependency cycle: merge -> build -> merge");
  BOOST_CHECK_EQUAL(OneError("[tasks.discover]\n[tasks.build]\nafter = [\"build\", \"discover\"]\n"),
                    "graphs/bad.toml:3:9: dependency cycle: build -> build");
}

BOOST_AUTO_TEST_CASE(dangling_dependencies_point_at_the_name) {
  const std::string text = R"([tasks.discover]
[tasks.build]
after = ["discover"]
[tasks.merge]
after = ["discover", "biuld"]
)";
  BOOST_CHECK_EQUAL(OneError(text), "graphs/bad.toml:5:22: tasks.merge.after: unknown task 'biuld'; did you mean 'build'?");
}

BOOST_AUTO_TEST_CASE(unknown_types_scopes_and_keys) {
  BOOST_CHECK_EQUAL(OneError("[tasks.discover]\n[tasks.x]\ntype = \"biuld\"\nafter = [\"discover\"]\n"),
                    "graphs/bad.toml:3:8: tasks.x.type: unknown task type 'biuld'; did you mean 'build'? "
                    "(known: discover, probe, build, merge, sbom, sign, provenance)");
  BOOST_CHECK_EQUAL(OneError("[tasks.discover]\n[tasks.x]\nafter = [\"discover\"]\n"),
                    "graphs/bad.toml:2:1: missing required key 'type' in [tasks.x] "
                    "(one of: discover, probe, build, merge, sbom, sign, provenance)");
  BOOST_CHECK_EQUAL(OneError("[tasks.discover]\n[tasks.build]\nscope = \"arch\"\nafter = [\"discover\"]\n"),
                    "graphs/bad.toml:3:9: tasks.build.scope: unknown scope 'arch' (known: app, version, platform)");
  BOOST_CHECK_EQUAL(OneError("[tasks.discover]\n[tasks.build]\nscope = \"version\"\nafter = [\"discover\"]\n"),
                    "graphs/bad.toml:3:9: tasks.build.scope: a 'build' task runs once per platform, so its scope "
                    "must be \"platform\"");
  BOOST_CHECK_EQUAL(OneError("[tasks.discover]\n[tasks.build]\naftr = [\"discover\"]\n"),
                    "graphs/bad.toml:3:1: unknown key 'aftr' in [tasks.build]; did you mean 'after'?");
  BOOST_CHECK_EQUAL(OneError("selct = \"latest\"\n[tasks.discover]\n"),
                    "graphs/bad.toml:1:1: unknown key 'selct'; did you mean 'select'?");
  BOOST_CHECK_EQUAL(OneError("select = \"oldest\"\n[tasks.discover]\n"),
                    "graphs/bad.toml:1:10: select: unknown selection 'oldest' (known: newest, latest)");
  BOOST_CHECK_EQUAL(OneError("name = \"other\"\n[tasks.discover]\n"),
                    "graphs/bad.toml:1:8: name: 'other' does not match the file name 'bad.toml'; templates are "
                    "found by file name, so rename one of them");
}

BOOST_AUTO_TEST_CASE(pipeline_shape_is_checked) {
  BOOST_CHECK_EQUAL(OneError("[tasks.probe]\n"),
                    "graphs/bad.toml:1:1: the template has no discover task; add [tasks.discover] with "
                    "type = \"discover\"");
  BOOST_CHECK_EQUAL(OneError("[tasks.discover]\n[tasks.again]\ntype = \"discover\"\n"),
                    "graphs/bad.toml:2:1: tasks.again: a template has exactly one discover task (the first is "
                    "'discover')");
  BOOST_CHECK_EQUAL(OneError("[tasks.discover]\n[tasks.sbom]\n"),
                    "graphs/bad.toml:2:1: tasks.sbom: runs per version, so it must come after the discover task "
                    "(directly or through other tasks)");
  BOOST_CHECK_EQUAL(OneError("[tasks.discover]\n[tasks.merge]\nafter = [\"discover\"]\nskip_when = \"image-complete\"\n"),
                    "graphs/bad.toml:2:1: tasks.merge: skip_when = \"image-complete\" needs a probe task in the template");
  BOOST_CHECK_EQUAL(OneError("[tasks.discover]\n[tasks.merge]\nafter = [\"discover\", \"discover\"]\n"),
                    "graphs/bad.toml:3:22: tasks.merge.after: 'discover' is listed twice");
  BOOST_CHECK_EQUAL(OneError("name = \"bad\"\n"),
                    "graphs/bad.toml:1:1: missing required table [tasks]: a template needs at least a discover task");
}

BOOST_AUTO_TEST_CASE(several_problems_at_once) {
  std::vector<std::string> errors = Errors(R"([tasks.discover]
colour = 1
[tasks.build]
after = ["discover", "nope"]
[tasks.merge]
type = 3
)");
  BOOST_REQUIRE_EQUAL(errors.size(), 3u);
  BOOST_CHECK_EQUAL(errors[0].rfind("graphs/bad.toml:2:1: unknown key 'colour'", 0), 0u);
  BOOST_CHECK_EQUAL(errors[1].rfind("graphs/bad.toml:4:22: tasks.build.after: unknown task 'nope'", 0), 0u);
  BOOST_CHECK_EQUAL(errors[2], "graphs/bad.toml:6:8: tasks.merge.type: expected a string, got an integer");
}

BOOST_AUTO_TEST_CASE(unknown_template_names_list_the_known_ones) {
  mg::Diagnostics diags;
  const std::vector<std::string> dirs = mg::DefaultTemplateDirs({});
  BOOST_CHECK(!mg::FindTemplate("latest-onyl", dirs, &diags, mg::SourcePos{"mirror.toml", 7, 12}).has_value());
  BOOST_REQUIRE_EQUAL(diags.size(), 1u);
  const std::string e = diags.items()[0].ToString();
  BOOST_CHECK_EQUAL(e.rfind("mirror.toml:7:12: unknown template 'latest-onyl'; did you mean 'latest-only'? "
                            "(known templates: ",
                            0),
                    0u);
  BOOST_CHECK_NE(e.find("multi-version"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(default_dirs_put_the_environment_first) {
  ::setenv("MIRRORGRAPH_GRAPH_PATH", "/env/a:/env/b", 1);
  std::vector<std::string> dirs = mg::DefaultTemplateDirs({"/extra"});
  ::unsetenv("MIRRORGRAPH_GRAPH_PATH");
  BOOST_REQUIRE_GE(dirs.size(), 4u);
  BOOST_CHECK_EQUAL(dirs[0], "/env/a");
  BOOST_CHECK_EQUAL(dirs[1], "/env/b");
  BOOST_CHECK_EQUAL(dirs[2], "/extra");
  BOOST_CHECK_EQUAL(dirs.back(), mg::InstallGraphDir());
}

BOOST_AUTO_TEST_CASE(the_checkouts_graphs_apply_only_in_the_build_tree) {
  ::unsetenv("MIRRORGRAPH_GRAPH_PATH");
  const std::string checkout = mg::SourceTreeDir() + "/graphs";
  std::vector<std::string> in_tree = mg::DefaultTemplateDirs({}, mg::BuildDir() + "/engine/mirrorgraph");
  BOOST_REQUIRE(!in_tree.empty());
  BOOST_CHECK_EQUAL(in_tree[0], checkout);
  std::vector<std::string> installed = mg::DefaultTemplateDirs({}, "/no/such/prefix/bin/mirrorgraph");
  BOOST_CHECK(std::find(installed.begin(), installed.end(), checkout) == installed.end());
  BOOST_CHECK(installed == std::vector<std::string>{mg::InstallGraphDir()});
}

BOOST_AUTO_TEST_CASE(removing_attestation_nodes_rewires_their_dependents) {
  mg::PipelineTemplate t = MustParse(R"(name = "good"
[tasks.discover]
[tasks.probe]
after = ["discover"]
[tasks.build]
after = ["probe"]
[tasks.merge]
after = ["build"]
[tasks.sbom]
after = ["merge"]
[tasks.provenance]
after = ["sbom"]
[tasks.sign]
after = ["merge"]
)");
  mg::RemoveNodesOfTypes(&t, {"sbom", "sign"});
  BOOST_TEST(Names(t) == (std::vector<std::string>{"discover", "probe", "build", "merge", "provenance"}),
             boost::test_tools::per_element());
  BOOST_TEST(t.Find("provenance")->after == (std::vector<std::string>{"merge"}), boost::test_tools::per_element());
  CheckTopological(t);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
