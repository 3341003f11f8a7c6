// Resolving apps: mirror.toml's app tables + their plugins + their templates -> AppModels.
//
// Each app's plugin is loaded and asked to configure the app. Problems in the config (unknown
// plugin, unknown template, a key the plugin rejects) are Diagnostics at the offending
// file:line:column — a config error, nothing runs. A plugin that exists but cannot be used (ABI
// mismatch, missing entry point, a failing configure call) is not a config error: the app is kept
// with `error` set, its discover task fails with that message, and the other apps go on.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "graph/app_model.h"
#include "plugin/plugin_registry.h"

namespace mg {

struct ResolvedApp {
  AppModel model;
  std::shared_ptr<Plugin> plugin;  // null when `error` is set
  std::string error;               // why the app cannot run (names the plugin file)
  Json config;                     // the app's table as JSON, handed to the plugin
};

// Resolves every enabled app. Returns apps sorted by name; problems go to `diags`.
std::vector<ResolvedApp> ResolveApps(const Config& config, PluginRegistry& plugins, Diagnostics* diags);

// For a config that did not load (LoadConfig's `partial`): reports each enabled app whose plugin
// does not exist or is misnamed, at its `plugin` key, exactly as ResolveApps would — so one run
// shows every problem in the file. Loads the plugins it finds; configures nothing.
void CheckPluginNames(const Config& config, PluginRegistry& plugins, Diagnostics* diags);

// Applies a plugin's configure answer ({"errors":[{"path","message"}], "images":[{"name",
// "depends_on"}], "source":{...}, "window":"newest"|"published"}, every field optional) to
// `model`. The answer's "window" is the plugin's default, used when the config sets none
// (app.window empty); without either the window is "newest". Returns false, with one diagnostic
// per error at the position of its path in the app table, when the answer reports errors.
bool ApplyConfigureAnswer(const AppConfig& app, const Json& answer, AppModel* model, Diagnostics* diags);

TargetRegistry TargetOf(const Config& config);

// Adds the secret variables the configuration names to util/secret_env.h's list: every string
// "token_env" at any depth of an app's source (forge tokens), and the NAME of [attestations]
// identity_token = "env:NAME". Call once the apps are resolved, before any subprocess starts.
void AddConfiguredSecretEnvNames(const Config& config, const std::vector<ResolvedApp>& apps);

}  // namespace mg
