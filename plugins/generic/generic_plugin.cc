// The `generic` plugin: an app fully described by its TOML table (docs/plugins.md, "The generic
// plugin"). Stateless, so its methods are safe to call concurrently.
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "generic_config.h"
#include "generic_recipe.h"
#include "mirrorgraph/plugin.hpp"

namespace generic {
namespace {

json Parse(const std::string& text, const char* what) {
  json in = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (in.is_discarded() || !in.is_object()) throw mirrorgraph::Error(std::string(what) + ": input is not a JSON object");
  return in;
}

std::string AppName(const json& in) { return in.contains("app") && in["app"].is_string() ? in["app"].get<std::string>() : ""; }

// The app's spec; a config problem fails the call (configure reports them as values first).
AppSpec ParseOrThrow(const json& in) {
  std::vector<ConfigError> errors;
  AppSpec spec = ParseApp(AppName(in), in.value("config", json::object()), &errors);
  if (!errors.empty()) {
    const ConfigError& e = errors.front();
    throw mirrorgraph::Error("invalid app config: " + (e.path.empty() ? std::string() : e.path + ": ") + e.message);
  }
  return spec;
}

class GenericPlugin : public mirrorgraph::Plugin {
 public:
  std::string Configure(mirrorgraph::Host&, const std::string& in_json) override {
    json in = Parse(in_json, "configure");
    std::vector<ConfigError> errors;
    AppSpec spec = ParseApp(AppName(in), in.value("config", json::object()), &errors);
    json out = json::object();
    out["errors"] = json::array();
    for (const auto& e : errors) out["errors"].push_back({{"path", e.path}, {"message", e.message}});
    out["images"] = json::array();
    for (const auto& img : spec.images) out["images"].push_back({{"name", img.name}, {"depends_on", img.depends_on}});
    out["source"] = spec.source;
    return out.dump();
  }

  std::string Discover(mirrorgraph::Host& host, const std::string& in_json) override {
    json in = Parse(in_json, "discover");
    json source = in.value("source", json());
    if (!source.is_object() || source.empty()) source = ParseOrThrow(in).source;
    std::string response = host.DiscoverSource(source.dump());
    json found = json::parse(response, nullptr, false);
    if (found.is_discarded() || !found.is_object() || !found.contains("candidates") || !found["candidates"].is_array()) {
      throw mirrorgraph::Error("the engine's " + source.value("type", std::string("?")) +
                               " source returned no candidates array");
    }
    json out = json::object();
    out["candidates"] = found["candidates"];
    out["excluded"] = found.value("excluded", json::array());
    return out.dump();
  }

  std::string Recipe(mirrorgraph::Host&, const std::string& in_json) override {
    json in = Parse(in_json, "recipe");
    AppSpec spec = ParseOrThrow(in);
    std::string image = in.value("image", std::string());
    if (image.empty() && spec.images.size() == 1) image = spec.images.front().name;
    return BuildRecipe(spec, image, RecipeVars(in, image)).dump();
  }
};

}  // namespace
}  // namespace generic

MIRRORGRAPH_PLUGIN(generic::GenericPlugin, "generic", "1.1.0")
