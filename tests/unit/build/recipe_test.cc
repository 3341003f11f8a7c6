// ParseRecipe: a plugin's recipe answer validated field by field, paths normalised, each bad input
// rejected with the field's name and what is expected; ToJson's canonical form.
#include "build/recipe.h"

#include <boost/test/unit_test.hpp>

#include "build/source_path.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::Json;

namespace {

Json Good() {
  return Json{{"source", {{"type", "git"}, {"url", "https://example.invalid/app.git"}, {"ref", "v1.2.3"}}},
              {"context", "./server//build/"},
              {"dockerfile", "server/build/../build/Dockerfile"},
              {"build_args", {{"MM_PACKAGE", "https://example.invalid/1.2.3/app-arm64.tgz"}}},
              {"edits", Json::array({{{"kind", "unpin-base-digests"}, {"file", "server/build/Dockerfile"}},
                                     {{"kind", "replace"}, {"pattern", "a+"}, {"replace", "b"}, {"count", 1}}})},
              {"depends_on_images", Json::array({"base"})}};
}

// The InvalidArgument message ParseRecipe gives for `answer`, or "OK".
std::string ErrorOf(const Json& answer) {
  mg::Result<mg::Recipe> r = mg::ParseRecipe(answer);
  if (r.ok()) return "OK";
  BOOST_TEST((r.status().code() == mg::Status::Code::kInvalidArgument), r.status().ToString());
  return r.status().message();
}

void ExpectError(const Json& answer, const std::string& expected) {
  std::string message = ErrorOf(answer);
  BOOST_TEST(message.find(expected) != std::string::npos, "\"" << message << "\" lacks \"" << expected << "\"");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(recipe_test)

BOOST_AUTO_TEST_CASE(a_good_recipe_is_parsed_and_normalised) {
  mg::Result<mg::Recipe> r = mg::ParseRecipe(Good());
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->source.type == "git");
  BOOST_TEST(r->source.url == "https://example.invalid/app.git");
  BOOST_TEST(r->source.ref == "v1.2.3");
  BOOST_TEST(r->context == "server/build");
  BOOST_TEST(r->dockerfile == "server/build/Dockerfile");
  BOOST_TEST(r->build_args.at("MM_PACKAGE") == "https://example.invalid/1.2.3/app-arm64.tgz");
  BOOST_REQUIRE(r->edits.size() == 2u);
  BOOST_TEST(r->edits[1]["pattern"] == "a+");
  BOOST_TEST(r->depends_on_images == std::vector<std::string>{"base"});
}

BOOST_AUTO_TEST_CASE(optional_collections_default_to_empty_and_dot_is_the_root) {
  Json answer = Good();
  answer.erase("build_args");
  answer.erase("edits");
  answer.erase("depends_on_images");
  answer["context"] = ".";
  answer["dockerfile"] = "./Dockerfile";
  mg::Result<mg::Recipe> r = mg::ParseRecipe(answer);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->context == ".");
  BOOST_TEST(r->dockerfile == "Dockerfile");
  BOOST_TEST(r->build_args.empty());
  BOOST_TEST(r->edits.empty());
  BOOST_TEST(r->depends_on_images.empty());
}

BOOST_AUTO_TEST_CASE(to_json_is_the_canonical_form) {
  mg::Result<mg::Recipe> r = mg::ParseRecipe(Good());
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(mg::CanonicalJson(r->ToJson()) ==
             R"({"build_args":{"MM_PACKAGE":"https://example.invalid/1.2.3/app-arm64.tgz"},"context":"server/build",)"
             R"("depends_on_images":["base"],"dockerfile":"server/build/Dockerfile",)"
             R"("edits":[{"file":"server/build/Dockerfile","kind":"unpin-base-digests"},)"
             R"({"count":1,"kind":"replace","pattern":"a+","replace":"b"}],)"
             R"("source":{"ref":"v1.2.3","type":"git","url":"https://example.invalid/app.git"}})");
  // Parsing the canonical form again gives the same recipe.
  mg::Result<mg::Recipe> again = mg::ParseRecipe(r->ToJson());
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(mg::CanonicalJson(again->ToJson()) == mg::CanonicalJson(r->ToJson()));
}

BOOST_AUTO_TEST_CASE(paths_that_leave_the_source_are_rejected) {
  Json a = Good();
  a["context"] = "../x";
  ExpectError(a, "recipe.context: \"../x\" leaves the source tree");
  a = Good();
  a["context"] = "a/../../x";
  ExpectError(a, "recipe.context: \"a/../../x\" leaves the source tree");
  a = Good();
  a["context"] = "/abs";
  ExpectError(a, "recipe.context: \"/abs\" is absolute");
  a = Good();
  a["context"] = "";
  ExpectError(a, "recipe.context: is empty; use \".\"");
  a = Good();
  a["dockerfile"] = "../Dockerfile";
  ExpectError(a, "recipe.dockerfile: \"../Dockerfile\" leaves the source tree");
  a = Good();
  a["dockerfile"] = "server/";
  ExpectError(a, "recipe.dockerfile: \"server/\" names a directory");
  a = Good();
  a["edits"][0]["file"] = "../../etc/passwd";
  ExpectError(a, "recipe.edits[0].file: \"../../etc/passwd\" leaves the source tree");
}

BOOST_AUTO_TEST_CASE(source_errors_name_the_field) {
  Json a = Good();
  a.erase("source");
  ExpectError(a, "recipe.source: missing");
  a = Good();
  a["source"] = "https://example.invalid/app.git";
  ExpectError(a, "recipe.source: must be an object");
  a = Good();
  a["source"]["type"] = "archive";
  ExpectError(a, "recipe.source.type: \"archive\" is not a source type this engine fetches (expected git)");
  a = Good();
  a["source"].erase("url");
  ExpectError(a, "recipe.source.url: missing");
  a = Good();
  a["source"]["url"] = "--upload-pack=touch /tmp/x";
  ExpectError(a, "recipe.source.url: \"--upload-pack=touch /tmp/x\" is not a git URL");
  a = Good();
  a["source"]["ref"] = "";
  ExpectError(a, "recipe.source.ref: \"\" is not a valid git tag");
  a = Good();
  a["source"]["ref"] = "v1..2";
  ExpectError(a, "recipe.source.ref: \"v1..2\" is not a valid git tag");
  a = Good();
  a["source"]["ref"] = "-v1";
  ExpectError(a, "recipe.source.ref");
  a = Good();
  a["source"]["ref"] = 12;
  ExpectError(a, "recipe.source.ref: must be a string (got an integer)");
  a = Good();
  a["source"]["branch"] = "main";
  ExpectError(a, "recipe.source.branch: unknown key");
}

// Issue 9, finding 2: a plugin's recipe with credentials in a URL is refused, the credentials unshown.
BOOST_AUTO_TEST_CASE(urls_with_credentials_are_refused) {
  Json answer = Good();
  answer["source"]["url"] = "https://bob:CANARY-r3c1pe@example.invalid/app.git";
  std::string message = ErrorOf(answer);
  BOOST_TEST(message.rfind("recipe.source.url: \"https://example.invalid/app.git\" with credentials", 0) == 0u, message);
  BOOST_TEST(message.find("CANARY-r3c1pe") == std::string::npos, message);
  BOOST_TEST(message.find("bob") == std::string::npos, message);
  BOOST_TEST(message.find("GIT_ASKPASS") != std::string::npos, message);
  answer["source"]["url"] = "https://CANARY-r3c1pe@example.invalid/app.git";  // a token as the user name
  BOOST_TEST(ErrorOf(answer).find("with credentials") != std::string::npos);
  answer = Good();
  answer["build_args"]["MM_PACKAGE"] = "https://u:CANARY-r3c1pe@example.invalid/app.tgz";
  message = ErrorOf(answer);
  BOOST_TEST(message.rfind("recipe.build_args.MM_PACKAGE: \"https://example.invalid/app.tgz\"", 0) == 0u, message);
  BOOST_TEST(message.find("CANARY-r3c1pe") == std::string::npos, message);
  answer = Good();
  answer["source"]["url"] = "ssh://git@example.invalid/app.git";  // an ssh account is no secret
  BOOST_TEST(ErrorOf(answer) == "OK");
}

BOOST_AUTO_TEST_CASE(field_type_and_unknown_key_errors) {
  ExpectError(Json::array(), "recipe: must be a JSON object (got an array)");
  Json a = Good();
  a["dockerfle"] = "Dockerfile";
  ExpectError(a, "recipe.dockerfle: unknown key");
  ExpectError(a, "did you mean \"dockerfile\"?");
  a = Good();
  a.erase("dockerfile");
  ExpectError(a, "recipe.dockerfile: missing");
  a = Good();
  a["context"] = 3;
  ExpectError(a, "recipe.context: must be a string (got an integer)");
  a = Good();
  a["build_args"] = Json::array();
  ExpectError(a, "recipe.build_args: must be an object of strings");
  a = Good();
  a["build_args"]["NODE"] = 18;
  ExpectError(a, "recipe.build_args.NODE: must be a string (got an integer)");
  a = Good();
  a["build_args"]["1BAD"] = "x";
  ExpectError(a, "recipe.build_args.1BAD: \"1BAD\" is not a build argument name");
  a = Good();
  a["edits"] = Json::object();
  ExpectError(a, "recipe.edits: must be an array");
  a = Good();
  a["depends_on_images"] = Json::array({"base", "base"});
  ExpectError(a, "recipe.depends_on_images[1]: \"base\" is listed twice");
  a = Good();
  a["depends_on_images"] = Json::array({1});
  ExpectError(a, "recipe.depends_on_images[0]: must be a string");
}

BOOST_AUTO_TEST_CASE(edit_errors_name_the_edit_and_the_field) {
  auto with_edit = [](const Json& edit) {
    Json a = Good();
    a["edits"] = Json::array({Json{{"kind", "unpin-base-digests"}}, edit});
    return a;
  };
  ExpectError(with_edit(Json{{"pattern", "x"}, {"replace", "y"}}),
              "recipe.edits[1].kind: missing; expected one of insert-after, replace, replace-base, unpin-base-digests");
  ExpectError(with_edit(Json{{"kind", "replace-line"}}), "recipe.edits[1].kind: \"replace-line\" is not an edit kind");
  ExpectError(with_edit(Json{{"kind", "unpin-base-digest"}}), "did you mean \"unpin-base-digests\"?");
  ExpectError(with_edit(Json{{"kind", "replace"}, {"pattern", "x"}}), "recipe.edits[1].replace: missing");
  ExpectError(with_edit(Json{{"kind", "replace"}, {"pattern", "("}, {"replace", "y"}}),
              "recipe.edits[1].pattern: \"(\" is not a valid ECMAScript regular expression");
  ExpectError(with_edit(Json{{"kind", "replace"}, {"pattern", ""}, {"replace", "y"}}),
              "recipe.edits[1].pattern: is empty");
  ExpectError(with_edit(Json{{"kind", "replace"}, {"pattern", "x"}, {"replace", "y"}, {"count", 0}}),
              "recipe.edits[1].count: must be an integer >= 1");
  ExpectError(with_edit(Json{{"kind", "replace"}, {"patern", "x"}, {"replace", "y"}}),
              "recipe.edits[1].patern: unknown key for a replace edit");
  ExpectError(with_edit(Json{{"kind", "insert-after"}, {"pattern", "x"}, {"line", "a\nb"}}),
              "recipe.edits[1].line: must be one line");
  ExpectError(with_edit(Json{{"kind", "insert-after"}, {"pattern", "x"}, {"line", 3}}),
              "recipe.edits[1].line: must be a string");
  ExpectError(with_edit(Json{{"kind", "replace-base"}, {"from", "node:20"}, {"to", "x/y:1"}}),
              "recipe.edits[1].from: \"node:20\" has a tag or digest");
  ExpectError(with_edit(Json{{"kind", "replace-base"}, {"from", "node"}, {"to", "x y"}}),
              "recipe.edits[1].to: \"x y\" is not an image reference");
  ExpectError(with_edit(Json{{"kind", "unpin-base-digests"}, {"file", "/etc/Dockerfile"}}),
              "recipe.edits[1].file: \"/etc/Dockerfile\" is absolute");
  ExpectError(with_edit(Json{{"kind", "unpin-base-digests"}, {"file", "."}}),
              "recipe.edits[1].file: names the source root");
  ExpectError(with_edit(Json{{"kind", "unpin-base-digests"}, {"description", 1}}),
              "recipe.edits[1].description: must be a string");
  ExpectError(with_edit(Json("unpin")), "recipe.edits[1]: must be an object");
  // A registry with a port is a name, not a tag.
  BOOST_TEST(ErrorOf(with_edit(Json{{"kind", "replace-base"}, {"from", "localhost:5000/base"}, {"to", "x/y:1"}})) ==
             "OK");
}

BOOST_AUTO_TEST_CASE(normalize_source_path) {
  BOOST_TEST(*mg::NormalizeSourcePath(".", "f") == ".");
  BOOST_TEST(*mg::NormalizeSourcePath("a/..", "f") == ".");
  BOOST_TEST(*mg::NormalizeSourcePath("./a//b/./c/", "f") == "a/b/c");
  BOOST_TEST(*mg::NormalizeSourcePath("a/b/../c", "f") == "a/c");
  BOOST_TEST(mg::NormalizeSourcePath("..", "f").status().message() == "f: \"..\" leaves the source tree");
  BOOST_TEST(!mg::NormalizeSourcePath(std::string("a\0b", 3), "f").ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
