#include "build/recipe.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "build/dockerfile_edits.h"
#include "build/source_path.h"
#include "http/url_credentials.h"
#include "util/strings.h"
#include "util/quote_value.h"

namespace mg {
namespace {

const std::vector<std::string> kRecipeKeys = {"build_args", "context", "depends_on_images",
                                              "dockerfile", "edits",   "source"};
const std::vector<std::string> kSourceKeys = {"ref", "type", "url"};
const std::vector<std::string> kSourceTypes = {"git"};


Status Bad(const std::string& field, const std::string& why) { return Status::InvalidArgument(field + ": " + why); }

// "a string" / "an integer" / ... for messages.
std::string TypeName(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  return "an object";
}

Status RejectUnknownKeys(const Json& obj, const std::vector<std::string>& known, const std::string& field) {
  for (const auto& [key, value] : obj.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::optional<std::string> near = DidYouMean(key, known);
    return Bad(field + "." + key, "unknown key (expected " + Join(known, ", ") + ")" +
                                      (near ? "; did you mean " + QuoteValue(*near) + "?" : ""));
  }
  return Status::OK();
}

Result<std::string> RequiredString(const Json& obj, const std::string& key, const std::string& field,
                                   const std::string& expected) {
  if (!obj.contains(key)) return Bad(field + "." + key, "missing; expected " + expected);
  if (!obj[key].is_string()) return Bad(field + "." + key, "must be a string (got " + TypeName(obj[key]) + ")");
  return obj[key].get<std::string>();
}

bool HasSpaceOrControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c));
  });
}

// A ref git accepts for `clone --branch`: the rules of git-check-ref-format that matter here.
bool ValidRef(std::string_view ref) {
  if (ref.empty() || ref.front() == '-' || ref.front() == '/' || ref.back() == '/' || ref.back() == '.') return false;
  if (HasSpaceOrControl(ref) || ref.find("..") != std::string_view::npos || ref.find("@{") != std::string_view::npos ||
      ref.find("//") != std::string_view::npos || EndsWith(ref, ".lock") || ref == "@") {
    return false;
  }
  return ref.find_first_of("~^:?*[\\") == std::string_view::npos;
}

bool ValidArgName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

Result<RecipeSource> ParseSource(const Json& v) {
  const std::string field = "recipe.source";
  if (!v.is_object())
    return Bad(field, "must be an object {\"type\":\"git\",\"url\",\"ref\"} (got " + TypeName(v) + ")");
  MG_RETURN_IF_ERROR(RejectUnknownKeys(v, kSourceKeys, field));
  RecipeSource s;
  Result<std::string> type = RequiredString(v, "type", field, "\"git\"");
  if (!type.ok()) return type.status();
  if (std::find(kSourceTypes.begin(), kSourceTypes.end(), *type) == kSourceTypes.end()) {
    return Bad(field + ".type",
               QuoteValue(*type) + " is not a source type this engine fetches (expected " + Join(kSourceTypes, ", ") + ")");
  }
  s.type = *type;
  Result<std::string> url = RequiredString(v, "url", field, "the repository's git URL");
  if (!url.ok()) return url.status();
  if (UrlHasCredentials(*url)) return Bad(field + ".url", UrlCredentialsProblem(*url));
  if (url->empty() || url->front() == '-' || HasSpaceOrControl(*url)) {
    return Bad(field + ".url", QuoteValue(*url) + " is not a git URL (expected e.g. https://host/owner/name.git)");
  }
  s.url = *url;
  Result<std::string> ref = RequiredString(v, "ref", field, "the tag to build, e.g. \"v1.2.3\"");
  if (!ref.ok()) return ref.status();
  if (!ValidRef(*ref)) return Bad(field + ".ref", QuoteValue(*ref) + " is not a valid git tag or branch name");
  s.ref = *ref;
  return s;
}

}  // namespace

Json Recipe::ToJson() const {
  Json args = Json::object();
  for (const auto& [k, v] : build_args) args[k] = v;
  Json edit_list = Json::array();
  for (const Json& e : edits) edit_list.push_back(e);
  Json deps = Json::array();
  for (const std::string& d : depends_on_images) deps.push_back(d);
  return Json{
      {"build_args", args},        {"context", context},
      {"depends_on_images", deps}, {"dockerfile", dockerfile},
      {"edits", edit_list},        {"source", {{"ref", source.ref}, {"type", source.type}, {"url", source.url}}}};
}

Result<Recipe> ParseRecipe(const Json& answer) {
  if (!answer.is_object()) return Bad("recipe", "must be a JSON object (got " + TypeName(answer) + ")");
  MG_RETURN_IF_ERROR(RejectUnknownKeys(answer, kRecipeKeys, "recipe"));
  Recipe r;
  if (!answer.contains("source")) return Bad("recipe.source", "missing; expected {\"type\":\"git\",\"url\",\"ref\"}");
  Result<RecipeSource> source = ParseSource(answer["source"]);
  if (!source.ok()) return source.status();
  r.source = std::move(*source);

  Result<std::string> context =
      RequiredString(answer, "context", "recipe", "a directory relative to the source root (\".\" for the root)");
  if (!context.ok()) return context.status();
  Result<std::string> context_path = NormalizeSourcePath(*context, "recipe.context");
  if (!context_path.ok()) return context_path.status();
  r.context = *context_path;

  Result<std::string> dockerfile = RequiredString(answer, "dockerfile", "recipe", "a file relative to the source root");
  if (!dockerfile.ok()) return dockerfile.status();
  Result<std::string> dockerfile_path = NormalizeSourcePath(*dockerfile, "recipe.dockerfile");
  if (!dockerfile_path.ok()) return dockerfile_path.status();
  if (*dockerfile_path == "." || EndsWith(*dockerfile, "/")) {
    return Bad("recipe.dockerfile", QuoteValue(*dockerfile) + " names a directory; give the path of the Dockerfile");
  }
  r.dockerfile = *dockerfile_path;

  if (answer.contains("build_args")) {
    const Json& args = answer["build_args"];
    if (!args.is_object()) return Bad("recipe.build_args", "must be an object of strings (got " + TypeName(args) + ")");
    for (const auto& [name, value] : args.items()) {
      const std::string field = "recipe.build_args." + name;
      if (!ValidArgName(name))
        return Bad(field, QuoteValue(name) + " is not a build argument name ([A-Za-z_][A-Za-z0-9_]*)");
      if (!value.is_string()) return Bad(field, "must be a string (got " + TypeName(value) + ")");
      if (UrlHasCredentials(value.get<std::string>())) return Bad(field, UrlCredentialsProblem(value.get<std::string>()));
      r.build_args[name] = value.get<std::string>();
    }
  }

  if (answer.contains("edits")) {
    const Json& edits = answer["edits"];
    if (!edits.is_array()) return Bad("recipe.edits", "must be an array of edit objects (got " + TypeName(edits) + ")");
    for (size_t i = 0; i < edits.size(); ++i) {
      MG_RETURN_IF_ERROR(ValidateEdit(edits[i], "recipe.edits[" + std::to_string(i) + "]"));
      r.edits.push_back(edits[i]);
    }
  }

  if (answer.contains("depends_on_images")) {
    const Json& deps = answer["depends_on_images"];
    if (!deps.is_array())
      return Bad("recipe.depends_on_images", "must be an array of image names (got " + TypeName(deps) + ")");
    for (size_t i = 0; i < deps.size(); ++i) {
      const std::string field = "recipe.depends_on_images[" + std::to_string(i) + "]";
      if (!deps[i].is_string()) return Bad(field, "must be a string (got " + TypeName(deps[i]) + ")");
      const std::string name = deps[i].get<std::string>();
      if (name.empty() || HasSpaceOrControl(name)) return Bad(field, QuoteValue(name) + " is not an image name");
      if (std::find(r.depends_on_images.begin(), r.depends_on_images.end(), name) != r.depends_on_images.end()) {
        return Bad(field, QuoteValue(name) + " is listed twice");
      }
      r.depends_on_images.push_back(name);
    }
  }
  return r;
}

}  // namespace mg
