#include <boost/test/unit_test.hpp>

#include "exec/selection.h"
#include "exec/task_key.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;

namespace {
Task T(Json params, Json identity = {{"engine", "0.1.0"}, {"plugin", {{"name", "outline"}, {"version", "1.2.0"}}}}) {
  Task t;
  t.id = "build:outline@1.0.0/linux/amd64";
  t.type = TaskType::kBuild;
  t.coords = {"outline", "outline", "1.0.0", "linux/amd64"};
  t.SetParams(params);
  t.SetIdentity(identity);
  return t;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(task_key_test)

BOOST_AUTO_TEST_CASE(canonical_json_sorts_keys_and_is_compact) {
  Json a = Json::parse(R"({"b":1,"a":{"d":[1,2],"c":"x"}})");
  BOOST_TEST(CanonicalJson(a) == R"({"a":{"c":"x","d":[1,2]},"b":1})");
}

BOOST_AUTO_TEST_CASE(direct_key_equals_the_key_of_the_material) {
  std::vector<std::vector<KeyInput>> input_sets = {
      {},
      {{"dep", "h1"}},
      {{"merge:b@1", "h2"}, {"build:a@1/linux/amd64", "h1"}, {"build:a@1/linux/arm64", "h3"}},
      {{"dup", "first"}, {"other", "x"}, {"dup", "second"}},
      {{"quote\"and\\slash\ttab", "h\u00e9"}}};
  std::vector<Task> tasks = {T({{"a", 1}, {"b", "x"}}), T(Json()), T(Json::object(), Json()),
                             T(Json::parse(R"({"z":[1,{"y":true,"x":null}],"e":"\u00e9\n"})"))};
  tasks.back().type = TaskType::kProvenance;
  Task no_identity = T({{"a", 1}});
  no_identity.identity_text.reset();  // stands for JSON null
  tasks.push_back(no_identity);
  for (const Task& t : tasks) {
    for (const auto& inputs : input_sets) {
      BOOST_TEST(TaskKeyOf(t, inputs) == TaskKey(KeyMaterial(t, inputs)), CanonicalJson(KeyMaterial(t, inputs)));
    }
  }
}

BOOST_AUTO_TEST_CASE(key_depends_on_type_params_identity_and_inputs_only) {
  std::string k1 = TaskKey(KeyMaterial(T({{"a", 1}, {"b", "x"}}), {{"dep", "h1"}}));
  std::string k2 = TaskKey(KeyMaterial(T(Json::parse(R"({"b":"x","a":1})")), {{"dep", "h1"}}));
  BOOST_TEST(k1 == k2);
  BOOST_TEST(k1.size() == 64u);
  BOOST_TEST(k1 != TaskKey(KeyMaterial(T({{"a", 2}, {"b", "x"}}), {{"dep", "h1"}})));
  BOOST_TEST(k1 != TaskKey(KeyMaterial(T({{"a", 1}, {"b", "x"}}), {{"dep", "h2"}})));
  Task other = T({{"a", 1}, {"b", "x"}}, {{"engine", "0.2.0"}});
  BOOST_TEST(k1 != TaskKey(KeyMaterial(other, {{"dep", "h1"}})));
  Task merge = T({{"a", 1}, {"b", "x"}});
  merge.type = TaskType::kMerge;
  BOOST_TEST(k1 != TaskKey(KeyMaterial(merge, {{"dep", "h1"}})));
}

BOOST_AUTO_TEST_CASE(changes_are_described_for_explain) {
  Json before = KeyMaterial(T({{"max_versions", 5}, {"source", {{"url", "a"}}}}), {{"build:x", "h1"}});
  Json now = KeyMaterial(T({{"max_versions", 10}, {"source", {{"url", "b"}}}, {"new", true}},
                           {{"engine", "0.1.0"}, {"plugin", {{"name", "outline"}, {"version", "1.3.0"}}}}),
                         {{"build:x", "h2"}});
  auto d = DescribeKeyChanges(now, before);
  auto has = [&](const std::string& s) { return std::find(d.begin(), d.end(), s) != d.end(); };
  BOOST_TEST(has("parameter max_versions changed: 5 -> 10"));
  BOOST_TEST(has("parameter source.url changed: a -> b"));
  BOOST_TEST(has("parameter new added: true"));
  BOOST_TEST(has("plugin outline 1.2.0 -> 1.3.0"));
  BOOST_TEST(has("input build:x changed"));
  BOOST_TEST(DescribeKeyChanges(before, before).empty());
  // A previous entry whose key material was lost (cache-material.log removed): said, not guessed.
  auto lost = DescribeKeyChanges(now, Json{{"result", {{"digest", "sha256:1"}}}, {"type", "build"}});
  BOOST_REQUIRE(lost.size() == 1u);
  BOOST_TEST(lost[0].find("not recorded") != std::string::npos, lost[0]);
}

BOOST_AUTO_TEST_CASE(only_patterns_select_scopes) {
  Task build = T({});
  Task discover;
  discover.type = TaskType::kDiscover;
  discover.coords = {"outline", "", "", ""};
  Task merge = build;
  merge.coords.platform = "";
  BOOST_TEST(SelectedBy("", build));
  BOOST_TEST(SelectedBy("outline", build));
  BOOST_TEST(SelectedBy("outline@1.0.*", build));
  BOOST_TEST(SelectedBy("*@1.0.0/linux/amd64", build));
  BOOST_TEST(!SelectedBy("*@1.0.0/linux/arm64", build));
  BOOST_TEST(!SelectedBy("*@1.0.0/linux/arm64", merge));
  BOOST_TEST(SelectedBy("outline@1.0.0", merge));
  BOOST_TEST(SelectedBy("outline@1.0.0/linux/arm64", discover));
  BOOST_TEST(!SelectedBy("mattermost", discover));
  Task base = build;
  base.coords.image = "base-outline";
  BOOST_TEST(SelectedBy("outline/base-outline@1.0.0", base));
  BOOST_TEST(!SelectedBy("outline/base-outline@1.0.0", build));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
