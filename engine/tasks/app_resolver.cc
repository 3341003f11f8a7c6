#include "tasks/app_resolver.h"

#include "tasks/engine_host.h"

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
    auto conf = r.plugin->Configure(host, Json{{"app", app.name}, {"config", app.table}, {"defaults", defaults}});
    if (!conf.ok()) {
      r.error = conf.status().message();
      out.push_back(std::move(r));
      continue;
    }
    const Json& c = conf.value();
    bool bad = false;
    for (const Json& e : ArrayField(c, "errors")) {
      // A bare string is taken as the message; anything else without one says "invalid".
      std::string path = StringField(e, "path");
      diags->Add(app.PositionOf(path), "apps." + app.name + (path.empty() ? "" : "." + path) + ": " +
                                           StringField(e, "message", StringOr(e, "invalid")));
      bad = true;
    }
    if (bad) continue;
    if (const Json& images = ArrayField(c, "images"); !images.empty()) {
      r.model.images.clear();
      for (const Json& img : images) {
        r.model.images.push_back({StringField(img, "name", app.name), StringsField(img, "depends_on")});
      }
    }
    r.model.source = ObjectField(c, "source");
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace mg
