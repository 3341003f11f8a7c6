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

bool ApplyConfigureAnswer(const AppConfig& app, const Json& c, AppModel* model, Diagnostics* diags) {
  bool bad = false;
  if (c.contains("errors") && c["errors"].is_array()) {
    for (const Json& e : c["errors"]) {
      std::string path = e.value("path", "");
      diags->Add(app.PositionOf(path),
                 "apps." + app.name + (path.empty() ? "" : "." + path) + ": " + e.value("message", "invalid"));
      bad = true;
    }
  }
  if (bad) return false;
  if (c.contains("images") && c["images"].is_array() && !c["images"].empty()) {
    model->images.clear();
    for (const Json& img : c["images"]) {
      ImageSpec spec{img.value("name", app.name), {}};
      if (img.contains("depends_on") && img["depends_on"].is_array()) {
        for (const Json& d : img["depends_on"]) {
          if (d.is_string()) spec.depends_on.push_back(d.get<std::string>());
        }
      }
      model->images.push_back(std::move(spec));
    }
  }
  model->source = c.value("source", Json::object());
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
    if (!ApplyConfigureAnswer(app, conf.value(), &r.model, diags)) continue;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace mg
