// hello-extra: a minimal third-party plugin. Its app table is
//   [apps.hello]
//   plugin = "hello-extra"
//   repo = "https://example.org/hello.git"
// It discovers the repository's vX.Y.Z tags through the engine's git-tags source, keeps only even
// minor versions (an example of a plugin-side filter), and builds the Dockerfile at the repo root.
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "mirrorgraph/plugin.hpp"

namespace {

using json = nlohmann::json;

const char kEngineKeys[][16] = {"plugin", "enabled", "max_versions", "platforms", "builder", "template",
                                "emulation"};

bool IsEngineKey(const std::string& key) {
  for (const auto* k : kEngineKeys) {
    if (key == k) return true;
  }
  return false;
}

json SourceOf(const json& config) {
  return {{"type", "git-tags"}, {"url", config.value("repo", "")}, {"tag_pattern", "^v(\\d+\\.\\d+\\.\\d+)$"}};
}

class HelloExtra : public mirrorgraph::Plugin {
 public:
  std::string Configure(mirrorgraph::Host&, const std::string& in_json) override {
    json in = json::parse(in_json);  // a parse error throws; the SDK turns it into an error value
    const json config = in.value("config", json::object());
    json errors = json::array();
    for (const auto& [key, value] : config.items()) {
      if (key != "repo" && !IsEngineKey(key)) errors.push_back({{"path", key}, {"message", "unknown key '" + key + "'"}});
    }
    if (!config.contains("repo") || !config["repo"].is_string()) {
      errors.push_back({{"path", "repo"}, {"message", "missing: the git repository to mirror"}});
    }
    json out = {{"errors", errors},
                {"images", json::array({{{"name", in.value("app", "hello")}, {"depends_on", json::array()}}})},
                {"source", SourceOf(config)}};
    return out.dump();
  }

  std::string Discover(mirrorgraph::Host& host, const std::string& in_json) override {
    json in = json::parse(in_json);
    json found = json::parse(host.DiscoverSource(SourceOf(in.value("config", json::object())).dump()));
    json out = {{"candidates", json::array()}, {"excluded", json::array()}};
    for (const auto& c : found.at("candidates")) {
      const std::string version = c.value("version", "");
      const auto dot = version.find('.');
      const int minor = dot == std::string::npos ? 1 : std::atoi(version.c_str() + dot + 1);
      if (minor % 2 == 0) {
        out["candidates"].push_back(c);
      } else {
        out["excluded"].push_back({{"version", version}, {"reason", "odd minor versions are development releases"}});
      }
    }
    host.Log(MG_LOG_INFO, "hello-extra kept " + std::to_string(out["candidates"].size()) + " versions");
    return out.dump();
  }

  std::string Recipe(mirrorgraph::Host&, const std::string& in_json) override {
    json in = json::parse(in_json);
    json out = {{"source", {{"type", "git"}, {"url", in["config"].value("repo", "")}, {"ref", in.value("tag", "")}}},
                {"context", "."},
                {"dockerfile", "Dockerfile"},
                {"build_args", {{"VERSION", in.value("version", "")}}},
                {"edits", json::array()},
                {"depends_on_images", json::array()}};
    return out.dump();
  }
};

}  // namespace

MIRRORGRAPH_PLUGIN(HelloExtra, "hello-extra", "1.0.0")
