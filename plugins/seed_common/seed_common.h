// Helpers shared by the seed's plugins (mattermost, outline, mostlymatter): input parsing, key
// validation with "did you mean", the GitHub releases source they read, version ordering and
// recipe placeholders. Compiled into each plugin (not a plugin itself: this folder has no
// CMakeLists.txt). Pure functions, thread-safe.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mirrorgraph/plugin.hpp"

namespace seed {

using json = nlohmann::json;

// The window the seed's apps use unless the config sets one: the seed mirrors the last N
// *published* releases, so patch releases of older lines (Mattermost ESR) are mirrored too.
// Returned as configure's "window" (docs/versions.md, "The window").
inline constexpr const char* kSeedWindow = "published";

// The keys of an app table that belong to the engine; plugins ignore them.
const std::vector<std::string>& EngineKeys();

// Parses a call's input; throws mirrorgraph::Error naming `what` when it is not a JSON object.
json ParseInput(const std::string& text, const char* what);

// Collects configure's "errors" for one app table.
class ConfigChecker {
 public:
  // `config` is the app's table as JSON (a non-object is reported as one error).
  explicit ConfigChecker(const json& config);

  // Every key that is neither in `known` nor an engine key is an error with a "did you mean".
  void RejectUnknownKeys(const std::vector<std::string>& known);
  // The string at `key`, or `fallback` when absent; a non-string is an error.
  std::string String(const std::string& key, const std::string& fallback = "");
  // As String(), and when present it must be an http:// or https:// URL (no trailing "/" kept).
  std::string Url(const std::string& key);
  // As String(), and when present it must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*).
  std::string EnvName(const std::string& key);
  // The integer at `key`, or `fallback` when absent; a non-integer or one below `min` is an error.
  int Int(const std::string& key, int fallback, int min);

  void Error(const std::string& path, const std::string& message);
  const json& config() const { return config_; }
  // [{"path","message"}] in the order found.
  const json& errors() const { return errors_; }
  bool ok() const { return errors_.empty(); }

 private:
  json config_;
  json errors_ = json::array();
};

// "a JSON string" / "an integer" / ... for messages.
std::string TypeName(const json& value);

// Levenshtein distance; the closest candidate within max(2, word.size() / 3), else the first
// candidate that starts with a word of 4+ characters ("" if none).
size_t EditDistance(const std::string& a, const std::string& b);
std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates);

// A github-releases source for discover_source: {"type","repo","tag_pattern"} plus "api_base" and
// "token_env" when not empty (the engine then uses $MIRRORGRAPH_GITHUB_API / GITHUB_TOKEN).
json GithubReleases(const std::string& repo, const std::string& tag_pattern, const std::string& api_base,
                    const std::string& token_env);

// The source of an app whose upstream is one GitHub repository's releases: its table may set
// api_base and token_env; any other key is a problem added to *check.
json GithubReleasesSourceOf(ConfigChecker* check, const std::string& repo, const std::string& tag_pattern);

// discover for such an app: the source configure returned (rebuilt from the config when the input
// has none) run through the host. Returns the plugin's discover answer as JSON text.
std::string DiscoverGithubReleasesApp(mirrorgraph::Host& host, const std::string& in_json, const std::string& repo,
                                      const std::string& tag_pattern);

// Runs `source` through the host's discover_source and checks the answer has a "candidates" array
// (and an "excluded" array, [] when absent). Throws mirrorgraph::Error otherwise.
json DiscoverThroughHost(mirrorgraph::Host& host, const json& source);

// Dotted-number version order ("10.5.1" < "10.10.0"); non-numeric parts compare as text.
bool VersionLess(const std::string& a, const std::string& b);

// "linux/arm64" -> "arm64" (the part after the last '/'; the whole text when there is none).
std::string ArchOf(const std::string& platform);

// Replaces {version}, {tag}, {platform}, {arch}, {registry}, {namespace}, {app} and {image} in
// `text` with the values from a recipe call's input; other braces stay as written.
std::string Substitute(const std::string& text, const json& recipe_in);

// The recipe output's common part: {"source":{"type":"git","url","ref"},"context","dockerfile",
// "build_args":{},"edits":[],"depends_on_images":[]}.
json RecipeSkeleton(const std::string& git_url, const std::string& ref, const std::string& context,
                    const std::string& dockerfile);

}  // namespace seed
