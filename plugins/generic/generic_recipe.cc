#include "generic_recipe.h"

#include <stdexcept>

namespace generic {

std::string Substitute(const std::string& text, const std::map<std::string, std::string>& vars) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '{') {
      size_t close = text.find('}', i + 1);
      if (close != std::string::npos) {
        auto it = vars.find(text.substr(i + 1, close - i - 1));
        if (it != vars.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

std::map<std::string, std::string> RecipeVars(const json& in, const std::string& image) {
  auto str = [&](const char* key) { return in.contains(key) && in[key].is_string() ? in[key].get<std::string>() : ""; };
  std::string platform = str("platform");
  std::string arch;
  if (size_t slash = platform.find('/'); slash != std::string::npos) {
    size_t end = platform.find('/', slash + 1);
    arch = platform.substr(slash + 1, end == std::string::npos ? std::string::npos : end - slash - 1);
  }
  return {{"app", str("app")},       {"arch", arch},         {"image", image},
          {"namespace", str("namespace")}, {"platform", platform}, {"registry", str("registry")},
          {"tag", str("tag")},       {"version", str("version")}};
}

json BuildRecipe(const AppSpec& spec, const std::string& image, const std::map<std::string, std::string>& vars) {
  const ImageSpec* found = nullptr;
  std::string names;
  for (const auto& img : spec.images) {
    if (img.name == image) found = &img;
    names += (names.empty() ? "" : ", ") + img.name;
  }
  if (found == nullptr) throw std::runtime_error("unknown image '" + image + "' (this app builds: " + names + ")");

  // The image's build table overrides the app's key by key; args merge (the image's win).
  json build = spec.build;
  for (const auto& [key, value] : found->build.items()) {
    if (key == "args") {
      for (const auto& [k, v] : value.items()) build["args"][k] = v;
    } else {
      build[key] = value;
    }
  }

  json out = json::object();
  out["context"] = Substitute(build.value("context", "."), vars);
  out["dockerfile"] = Substitute(build.value("dockerfile", "Dockerfile"), vars);
  json args = json::object();
  const json build_args = build.value("args", json::object());
  for (const auto& [k, v] : build_args.items()) args[k] = Substitute(v.get<std::string>(), vars);
  out["build_args"] = args;
  json edits = json::array();
  for (const auto& e : build.value("edits", json::array())) {
    json edit = e;
    edit["kind"] = "replace";  // the only kind an app table describes
    edit["file"] = Substitute(e.value("file", out["dockerfile"].get<std::string>()), vars);
    if (e.contains("replace")) edit["replace"] = Substitute(e["replace"].get<std::string>(), vars);
    if (e.contains("description")) edit["description"] = Substitute(e["description"].get<std::string>(), vars);
    edits.push_back(std::move(edit));  // "pattern" is a regular expression: never substituted
  }
  out["edits"] = edits;
  out["depends_on_images"] = found->depends_on;
  auto var = [&](const char* k) { return vars.count(k) ? vars.at(k) : std::string(); };
  out["source"] = {{"type", "git"}, {"url", SourceGitUrl(spec.source)}, {"ref", var("tag")}};
  return out;
}

}  // namespace generic
