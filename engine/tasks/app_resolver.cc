#include "tasks/app_resolver.h"

#include <optional>

#include "tasks/engine_host.h"
#include "util/secret_env.h"
#include "util/semver.h"

namespace mg {

TargetRegistry TargetOf(const Config& config) { return {config.registry.host, config.registry.namespace_}; }

namespace {

// A plugin that is not there (or a malformed name) is a config error; true when it was one.
bool ReportUnknownPlugin(const AppConfig& app, const Status& status, Diagnostics* diags) {
  if (status.code() != Status::Code::kNotFound && status.code() != Status::Code::kInvalidArgument) return false;
  diags->Add(app.PositionOf("plugin"), "apps." + app.name + ".plugin: " + status.message());
  return true;
}

}  // namespace

bool ApplyConfigureAnswer(const AppConfig& app, const Json& c, AppModel* model, Diagnostics* diags) {
  // The answer comes from plugin code: a field of an unexpected type is reported, never thrown.
  const std::string where = "apps." + app.name;
  auto malformed = [&](const std::string& what, const Json& value) {
    diags->Add(app.pos, where + ": the plugin's configure answer is malformed: " + what + " (" +
                            CanonicalJson(value).substr(0, 200) + ")");
    return false;
  };
  // The string at `key` of `obj` (`fallback` when absent); nullopt when present but not a string.
  auto text = [](const Json& obj, const char* key, const std::string& fallback) -> std::optional<std::string> {
    auto it = obj.find(key);
    if (it == obj.end()) return fallback;
    if (!it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  bool bad = false;
  if (c.contains("errors") && c["errors"].is_array()) {
    for (const Json& e : c["errors"]) {
      if (!e.is_object()) return malformed("an \"errors\" entry is not an object", e);
      std::optional<std::string> path = text(e, "path", "");
      std::optional<std::string> message = text(e, "message", "invalid");
      if (!path || !message) return malformed("an error's \"path\" or \"message\" is not a string", e);
      diags->Add(app.PositionOf(*path), where + (path->empty() ? "" : "." + *path) + ": " + *message);
      bad = true;
    }
  }
  if (bad) return false;
  if (c.contains("images") && c["images"].is_array() && !c["images"].empty()) {
    model->images.clear();
    for (const Json& img : c["images"]) {
      if (!img.is_object()) return malformed("an \"images\" entry is not an object", img);
      std::optional<std::string> name = text(img, "name", app.name);
      if (!name) return malformed("an image's \"name\" is not a string", img);
      ImageSpec spec{*name, {}};
      if (img.contains("depends_on") && img["depends_on"].is_array()) {
        for (const Json& d : img["depends_on"]) {
          if (d.is_string()) spec.depends_on.push_back(d.get<std::string>());
        }
      }
      model->images.push_back(std::move(spec));
    }
  }
  model->source = c.value("source", Json::object());
  // The window: the app's (or [defaults]') `window`, else the plugin's "window", else "newest".
  model->window = app.window;
  if (model->window.empty()) {
    std::optional<std::string> suggested = text(c, "window", "newest");
    if (!suggested || !ParseWindow(*suggested)) {
      return malformed("\"window\" must be \"newest\" or \"published\"", c.value("window", Json()));
    }
    model->window = *suggested;
  }
  return true;
}

void CheckPluginNames(const Config& config, PluginRegistry& plugins, Diagnostics* diags) {
  for (const AppConfig& app : config.apps) {
    if (!app.enabled || app.plugin.empty()) continue;
    auto plugin = plugins.Load(app.plugin);
    if (!plugin.ok()) ReportUnknownPlugin(app, plugin.status(), diags);
  }
}

std::vector<ResolvedApp> ResolveApps(const Config& config, PluginRegistry& plugins, Diagnostics* diags) {
  std::vector<ResolvedApp> out;
  std::vector<std::string> template_dirs = DefaultTemplateDirs(config.engine.graph_path);
  for (const AppConfig& app : config.apps) {
    if (!app.enabled) continue;
    ResolvedApp r;
    r.config = app.table;
    r.model.app = app.name;
    r.model.platforms = app.platforms;
    r.model.max_versions = app.max_versions;
    r.model.window = app.window.empty() ? "newest" : app.window;
    r.model.builder = app.builder;
    r.model.emulation = app.emulation;
    r.model.images = {ImageSpec{app.name, {}}};
    auto tmpl = FindTemplate(app.template_name, template_dirs, diags, app.PositionOf("template"));
    if (!tmpl) continue;
    r.model.tmpl = std::move(*tmpl);
    std::vector<std::string> off;
    if (!config.attestations.sbom) off.push_back("sbom");
    if (!config.attestations.sign) off.push_back("sign");
    if (!config.attestations.provenance) off.push_back("provenance");
    RemoveNodesOfTypes(&r.model.tmpl, off);

    auto plugin = plugins.Load(app.plugin);
    if (!plugin.ok()) {
      if (ReportUnknownPlugin(app, plugin.status(), diags)) continue;
      r.error = plugin.status().message();
      r.model.plugin = {{"name", app.plugin}, {"version", ""}};
      out.push_back(std::move(r));
      continue;
    }
    r.plugin = plugin.value();
    r.model.plugin = r.plugin->Identity();

    EngineHost host(nullptr, nullptr, nullptr);
    Json defaults = {{"max_versions", app.max_versions}, {"platforms", app.platforms}, {"builder", app.builder}};
    if (!app.window.empty()) defaults["window"] = app.window;
    auto conf = r.plugin->Configure(host, Json{{"app", app.name}, {"config", app.table}, {"defaults", defaults}});
    if (!conf.ok()) {
      r.error = conf.status().message();
      out.push_back(std::move(r));
      continue;
    }
    if (!ApplyConfigureAnswer(app, conf.value(), &r.model, diags)) continue;
    out.push_back(std::move(r));
  }
  return out;
}

namespace {

void AddTokenEnvNames(const Json& source) {
  if (source.is_array()) {
    for (const Json& item : source) AddTokenEnvNames(item);
    return;
  }
  if (!source.is_object()) return;
  for (const auto& [key, value] : source.items()) {
    if (key == "token_env" && value.is_string()) AddSecretEnvName(value.get<std::string>(), SecretEnvKind::kForgeToken);
    AddTokenEnvNames(value);
  }
}

}  // namespace

void AddConfiguredSecretEnvNames(const Config& config, const std::vector<ResolvedApp>& apps) {
  for (const ResolvedApp& app : apps) AddTokenEnvNames(app.model.source);
  const std::string& identity = config.attestations.identity_token;
  if (identity.rfind("env:", 0) == 0) AddSecretEnvName(identity.substr(4), SecretEnvKind::kOther);
}

}  // namespace mg
