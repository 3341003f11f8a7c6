#include "generic_config.h"

#include "seed_common.h"

#include <algorithm>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include <re2/re2.h>

namespace generic {

using seed::ClosestMatch;

namespace {

const std::vector<std::string> kEngineKeys = {"builder",   "emulation", "enabled",  "max_versions",
                                              "platforms", "plugin",    "template", "window"};
const std::vector<std::string> kPluginKeys = {"build", "image", "images", "source"};
const std::vector<std::string> kSourceTypes = {"git-tags", "github-releases", "gitlab-tags"};
const std::vector<std::string> kGitTagsKeys = {"tag_pattern", "type", "url"};
const std::vector<std::string> kGithubReleasesKeys = {"api_base", "repo", "tag_pattern", "token_env", "type"};
const std::vector<std::string> kGitlabTagsKeys = {"api_base", "project", "tag_pattern", "token_env", "type"};
const std::vector<std::string> kImageKeys = {"build", "depends_on", "name"};
const std::vector<std::string> kBuildKeys = {"args", "context", "dockerfile", "edits"};
const std::vector<std::string> kEditKeys = {"count", "description", "file", "pattern", "replace"};

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// TOML vocabulary for a JSON value's type.
std::string TypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::object: return "a table";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a float";
    default: return "null";
  }
}

std::string Child(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}
std::string Index(const std::string& parent, size_t i) { return parent + "[" + std::to_string(i) + "]"; }

class Checker {
 public:
  explicit Checker(std::vector<ConfigError>* errors) : errors_(errors) {}

  void Error(const std::string& path, const std::string& message) { errors_->push_back({path, message}); }

  void TypeError(const std::string& path, const char* expected, const json& got) {
    Error(path, std::string("must be ") + expected + " (got " + TypeName(got) + ")");
  }

  // Reports every key of `table` not in `known` (nor in `ignored`), with a did-you-mean hint.
  void UnknownKeys(const std::string& path, const json& table, const std::vector<std::string>& known,
                   const std::vector<std::string>& ignored = {}) {
    std::vector<std::string> all = known;
    all.insert(all.end(), ignored.begin(), ignored.end());
    for (const auto& [key, value] : table.items()) {
      if (std::find(all.begin(), all.end(), key) != all.end()) continue;
      std::string message = "unknown key '" + key + "'";
      std::string close = ClosestMatch(key, all);
      if (!close.empty()) message += "; did you mean '" + close + "'?";
      else message += " (known keys here: " + Join(known) + ")";
      Error(Child(path, key), message);
    }
  }

  // The string at table[key]; "" (and an error when `required`) when absent or mistyped.
  std::string String(const json& table, const std::string& path, const std::string& key, bool required,
                     const std::string& hint = "") {
    auto it = table.find(key);
    if (it == table.end()) {
      if (required) Error(Child(path, key), "missing" + (hint.empty() ? std::string() : "; " + hint));
      return "";
    }
    if (!it->is_string()) {
      TypeError(Child(path, key), "a string", *it);
      return "";
    }
    if (required && it->get<std::string>().empty()) {
      Error(Child(path, key), "must not be empty" + (hint.empty() ? std::string() : "; " + hint));
    }
    return it->get<std::string>();
  }

  bool Regex(const std::string& path, const std::string& pattern) {
    try {
      std::regex re(pattern, std::regex::ECMAScript);
      (void)re;
      return true;
    } catch (const std::regex_error& e) {
      Error(path, "invalid regular expression '" + pattern + "': " + e.what());
      return false;
    }
  }

 private:
  std::vector<ConfigError>* errors_;
};

bool IsValidImageName(const std::string& name) {
  static const std::regex kName(R"(^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$)");
  return std::regex_match(name, kName);
}
const char kImageNameRule[] =
    "an image name is lower-case letters and digits, separated by '.', '_', '__' or dashes, with '/' "
    "between path components";

json ParseSource(const json& config, Checker& c) {
  json out = json::object();
  auto it = config.find("source");
  if (it == config.end()) {
    c.Error("source", "missing; the generic plugin needs a source table, e.g. "
                      "source = { type = \"git-tags\", url = \"https://example.org/app.git\" }");
    return out;
  }
  if (!it->is_object()) {
    c.TypeError("source", "a table", *it);
    return out;
  }
  const json& src = *it;
  std::string type = c.String(src, "source", "type", true, "supported source types: " + Join(kSourceTypes));
  if (type.empty()) return out;
  if (std::find(kSourceTypes.begin(), kSourceTypes.end(), type) == kSourceTypes.end()) {
    std::string message = "unknown source type '" + type + "'";
    std::string close = ClosestMatch(type, kSourceTypes);
    if (!close.empty()) message += "; did you mean '" + close + "'?";
    c.Error("source.type", message + " (supported: " + Join(kSourceTypes) + ")");
    return out;
  }
  const std::vector<std::string>& keys =
      type == "git-tags" ? kGitTagsKeys : type == "github-releases" ? kGithubReleasesKeys : kGitlabTagsKeys;
  c.UnknownKeys("source", src, keys);
  out = {{"type", type}};
  if (type == "git-tags") {
    out["url"] = c.String(src, "source", "url", true, "the git repository to list tags of");
  } else if (type == "github-releases") {
    static const std::regex kRepo(R"(^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$)");
    std::string repo = c.String(src, "source", "repo", true, "the GitHub repository, \"owner/name\"");
    if (!repo.empty() && !std::regex_match(repo, kRepo)) {
      c.Error("source.repo", "'" + repo + "' is not \"owner/name\" (e.g. \"mattermost/mattermost\")");
    }
    out["repo"] = repo;
  } else {
    std::string project = c.String(src, "source", "project", true,
                                   "the GitLab project's path, e.g. \"framasoft/framateam/mostlymatter\"");
    if (!project.empty() && (project.front() == '/' || project.back() == '/' ||
                             project.find("//") != std::string::npos || project.find(' ') != std::string::npos)) {
      c.Error("source.project", "'" + project + "' is not a project path like \"group/subgroup/name\"");
    }
    out["project"] = project;
  }
  if (type != "git-tags") {
    if (src.contains("api_base")) {
      std::string base = c.String(src, "source", "api_base", true);
      if (!base.empty() && base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
        c.Error("source.api_base", "'" + base + "' is not an http:// or https:// URL");
      }
      out["api_base"] = base;
    }
    if (src.contains("token_env")) {
      static const std::regex kEnvName(R"(^[A-Za-z_][A-Za-z0-9_]*$)");
      std::string name = c.String(src, "source", "token_env", false);
      if (!std::regex_match(name, kEnvName)) {
        c.Error("source.token_env", "'" + name + "' is not an environment variable name (e.g. \"GITHUB_TOKEN\")");
      }
      out["token_env"] = name;
    }
  }
  std::string pattern = type == "git-tags" ? kDefaultTagPattern : kDefaultForgeTagPattern;
  if (src.contains("tag_pattern")) pattern = c.String(src, "source", "tag_pattern", true);
  if (!pattern.empty()) {
    // The engine's own rule (sources/tag_pattern.h): an RE2 expression with a capture group.
    RE2::Options options;
    options.set_log_errors(false);
    RE2 re(pattern, options);
    if (!re.ok()) {
      c.Error("source.tag_pattern", "invalid regular expression '" + pattern + "': " + re.error() +
                                        " (RE2 syntax, as Go's regexp: no lookaround, no backreferences)");
    } else if (re.NumberOfCapturingGroups() == 0) {
      c.Error("source.tag_pattern", "'" + pattern + "' has no capture group; put the version in one, e.g. " +
                                        "'^release-(\\d+\\.\\d+\\.\\d+)$'");
    }
  }
  out["tag_pattern"] = pattern;
  return out;
}

json ParseEdits(const json& edits, const std::string& path, Checker& c) {
  json out = json::array();
  if (!edits.is_array()) {
    c.TypeError(path, "an array of tables", edits);
    return out;
  }
  for (size_t i = 0; i < edits.size(); ++i) {
    const json& e = edits[i];
    const std::string p = Index(path, i);
    if (!e.is_object()) {
      c.TypeError(p, "a table {pattern, replace, ...}", e);
      continue;
    }
    c.UnknownKeys(p, e, kEditKeys);
    json edit = json::object();
    std::string pattern = c.String(e, p, "pattern", true, "a regular expression the edit must match");
    if (!pattern.empty() && c.Regex(Child(p, "pattern"), pattern)) edit["pattern"] = pattern;
    if (e.contains("replace")) {
      edit["replace"] = c.String(e, p, "replace", false);
    } else {
      c.Error(Child(p, "replace"), "missing; the text that replaces each match");
    }
    if (e.contains("file")) edit["file"] = c.String(e, p, "file", true);
    if (e.contains("description")) edit["description"] = c.String(e, p, "description", false);
    if (auto it = e.find("count"); it != e.end()) {
      if (!it->is_number_integer() || it->get<long long>() < 1) {
        c.Error(Child(p, "count"), "must be an integer >= 1 (the exact number of matches expected)");
      } else {
        edit["count"] = it->get<long long>();
      }
    }
    out.push_back(std::move(edit));
  }
  return out;
}

// Reads a build table. With `fill_defaults`, absent keys get their defaults (the app level); without,
// only the keys written are returned (a per-image override).
json ParseBuild(const json& build, const std::string& path, bool fill_defaults, Checker& c) {
  json out = json::object();
  if (fill_defaults) out = {{"context", "."}, {"dockerfile", "Dockerfile"}, {"args", json::object()},
                            {"edits", json::array()}};
  if (!build.is_object()) {
    c.TypeError(path, "a table", build);
    return out;
  }
  c.UnknownKeys(path, build, kBuildKeys);
  if (build.contains("context")) out["context"] = c.String(build, path, "context", true);
  if (build.contains("dockerfile")) out["dockerfile"] = c.String(build, path, "dockerfile", true);
  if (auto it = build.find("args"); it != build.end()) {
    const std::string p = Child(path, "args");
    json args = json::object();
    if (!it->is_object()) {
      c.TypeError(p, "a table of strings", *it);
    } else {
      for (const auto& [k, v] : it->items()) {
        if (!v.is_string()) {
          c.TypeError(Child(p, k), "a string (quote numbers: \"18\")", v);
        } else {
          args[k] = v;
        }
      }
    }
    out["args"] = args;
  }
  if (auto it = build.find("edits"); it != build.end()) out["edits"] = ParseEdits(*it, Child(path, "edits"), c);
  return out;
}

std::vector<ImageSpec> ParseImages(const std::string& app, const json& config, Checker& c) {
  std::vector<ImageSpec> images;
  const bool has_image = config.contains("image");
  const bool has_images = config.contains("images");
  if (has_image && has_images) {
    c.Error("images", "'image' and 'images' are exclusive: list every image in 'images' for a multi-image app");
    return images;
  }
  if (!has_images) {
    ImageSpec one;
    if (has_image) {
      one.name = c.String(config, "", "image", true);
      if (!one.name.empty() && !IsValidImageName(one.name)) {
        c.Error("image", "invalid image name '" + one.name + "': " + kImageNameRule);
      }
    } else {
      one.name = app;
      if (!IsValidImageName(app)) {
        c.Error("image", "the app name '" + app + "' is not a valid image name (" + kImageNameRule +
                             "); set image = \"...\"");
      }
    }
    images.push_back(std::move(one));
    return images;
  }

  const json& list = config.at("images");
  if (!list.is_array()) {
    c.TypeError("images", "an array of tables {name, depends_on}", list);
    return images;
  }
  if (list.empty()) {
    c.Error("images", "must list at least one image");
    return images;
  }
  std::map<std::string, size_t> index;  // name -> position
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string p = Index("images", i);
    const json& entry = list[i];
    if (!entry.is_object()) {
      c.TypeError(p, "a table {name, depends_on}", entry);
      continue;
    }
    c.UnknownKeys(p, entry, kImageKeys);
    ImageSpec spec;
    spec.name = c.String(entry, p, "name", true, "the image's name under the registry namespace");
    if (!spec.name.empty() && !IsValidImageName(spec.name)) {
      c.Error(Child(p, "name"), "invalid image name '" + spec.name + "': " + kImageNameRule);
    }
    if (!spec.name.empty() && !index.emplace(spec.name, images.size()).second) {
      c.Error(Child(p, "name"), "duplicate image name '" + spec.name + "'");
    }
    if (auto it = entry.find("depends_on"); it != entry.end()) {
      const std::string dp = Child(p, "depends_on");
      if (!it->is_array()) {
        c.TypeError(dp, "an array of image names", *it);
      } else {
        for (size_t j = 0; j < it->size(); ++j) {
          if (!(*it)[j].is_string()) {
            c.TypeError(Index(dp, j), "a string", (*it)[j]);
          } else {
            spec.depends_on.push_back((*it)[j].get<std::string>());
          }
        }
      }
    }
    if (auto it = entry.find("build"); it != entry.end()) spec.build = ParseBuild(*it, Child(p, "build"), false, c);
    images.push_back(std::move(spec));
  }

  // References, then cycles (reported once, with their path).
  std::vector<std::string> names;
  for (const auto& [name, pos] : index) names.push_back(name);
  for (size_t i = 0; i < images.size(); ++i) {
    for (size_t j = 0; j < images[i].depends_on.size(); ++j) {
      const std::string& dep = images[i].depends_on[j];
      const std::string p = Index(Child(Index("images", i), "depends_on"), j);
      if (dep == images[i].name) {
        c.Error(p, "image '" + dep + "' cannot depend on itself");
      } else if (index.count(dep) == 0) {
        std::string message = "unknown image '" + dep + "'";
        std::string close = ClosestMatch(dep, names);
        c.Error(p, message + (close.empty() ? " (images: " + Join(names) + ")" : "; did you mean '" + close + "'?"));
      }
    }
  }
  std::map<std::string, int> state;  // 0 unvisited, 1 on stack, 2 done
  std::vector<std::string> stack;
  bool reported = false;
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    state[name] = 1;
    stack.push_back(name);
    const ImageSpec& spec = images[index.at(name)];
    for (const auto& dep : spec.depends_on) {
      if (dep == name || index.count(dep) == 0) continue;
      if (state[dep] == 1 && !reported) {
        std::string cycle;
        bool in = false;
        for (const auto& s : stack) {
          in = in || s == dep;
          if (in) cycle += s + " -> ";
        }
        c.Error("images", "dependency cycle: " + cycle + dep);
        reported = true;
      } else if (state[dep] == 0) {
        visit(dep);
      }
    }
    stack.pop_back();
    state[name] = 2;
  };
  for (const auto& [name, pos] : index) {
    if (state[name] == 0) visit(name);
  }
  return images;
}

}  // namespace

std::string SourceGitUrl(const json& source) {
  const std::string type = source.value("type", "");
  auto web_base = [&](const char* fallback, const char* api_suffix) {
    std::string base = source.value("api_base", std::string());
    if (base.empty()) return std::string(fallback);
    while (!base.empty() && base.back() == '/') base.pop_back();
    const std::string suffix = api_suffix;
    if (base.size() >= suffix.size() && base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0) {
      base.resize(base.size() - suffix.size());
    }
    return base;
  };
  if (type == "github-releases") {
    std::string base = source.value("api_base", std::string());
    std::string web = base.empty() || base.find("://api.github.com") != std::string::npos
                          ? std::string("https://github.com")
                          : web_base("https://github.com", "/api/v3");
    return web + "/" + source.value("repo", "") + ".git";
  }
  if (type == "gitlab-tags") return web_base("https://gitlab.com", "/api/v4") + "/" + source.value("project", "") + ".git";
  return source.value("url", "");
}

AppSpec ParseApp(const std::string& app, const json& config, std::vector<ConfigError>* errors) {
  Checker c(errors);
  AppSpec spec;
  if (!config.is_object()) {
    c.TypeError("", "a table", config);
    return spec;
  }
  c.UnknownKeys("", config, kPluginKeys, kEngineKeys);
  spec.source = ParseSource(config, c);
  spec.images = ParseImages(app, config, c);
  spec.build = ParseBuild(config.contains("build") ? config.at("build") : json::object(), "build", true, c);
  return spec;
}

}  // namespace generic
