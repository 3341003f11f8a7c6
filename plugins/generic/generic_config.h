// The generic plugin's model of one app table, and its validation (docs/plugins.md lists the keys).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace generic {

using json = nlohmann::json;

// One problem in the app table, at a dotted path relative to it ("source.url", "images[1].name").
struct ConfigError {
  std::string path;
  std::string message;
};

struct ImageSpec {
  std::string name;                     // repository name under the registry namespace
  std::vector<std::string> depends_on;  // names of this app's images built first
  json build = json::object();          // per-image overrides of the app's [build] table
};

struct AppSpec {
  // Normalised, tag_pattern always present: {"type":"git-tags","url"}, {"type":"github-releases",
  // "repo","api_base"?,"token_env"?} or {"type":"gitlab-tags","project","api_base"?,"token_env"?}.
  json source = json::object();
  std::vector<ImageSpec> images; // in the order written; one image for single-image apps
  json build = json::object();   // normalised [build]: context, dockerfile, args, edits (all present)
};

// The default tag_pattern of a git-tags source: its first capture group is the version.
inline constexpr const char* kDefaultTagPattern = R"(^v?(\d+\.\d+\.\d+)$)";

// The default tag_pattern of the github-releases and gitlab-tags sources (the engine's
// kDefaultForgeTagPattern, engine/sources/github_releases.h).
inline constexpr const char* kDefaultForgeTagPattern = R"(^v?(\d+(?:\.\d+)*)$)";

// The git URL to fetch a normalised source's code from: git-tags' url; for github-releases
// https://github.com/<repo>.git (GitHub Enterprise: the api_base without /api/v3); for gitlab-tags
// the api_base without /api/v4 (default https://gitlab.com) + /<project>.git.
std::string SourceGitUrl(const json& source);

// Reads `config` (the app's TOML table as JSON) for app `app`. Every problem found is appended to
// *errors; the returned spec holds whatever was valid. Pure function, thread-safe.
AppSpec ParseApp(const std::string& app, const json& config, std::vector<ConfigError>* errors);

}  // namespace generic
