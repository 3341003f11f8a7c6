#include "cli/session.h"

#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <thread>
#include <tuple>

#include "graph/expander.h"
#include "oci/docker_config.h"
#include "util/subprocess.h"

namespace mg {

std::unique_ptr<Session> Session::Open(const CliOptions& options, int* exit_code) {
  std::unique_ptr<Session> s(new Session());
  s->options_ = options;
  Diagnostics diags;
  Config partial;
  auto config = LoadConfig(options.config, &diags, &partial);
  if (!config) {
    // Unknown plugins too, so the user fixes the file once.
    if (!partial.path.empty()) {
      PluginRegistry plugins(partial.engine.plugin_path);
      CheckPluginNames(partial, plugins, &diags);
      std::vector<Diagnostic> items = diags.items();
      std::stable_sort(items.begin(), items.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
      });
      diags = Diagnostics();
      for (Diagnostic& d : items) diags.Add(std::move(d.pos), std::move(d.message));
    }
    std::cerr << diags.ToString() << "mirrorgraph: " << diags.size() << " problem(s) in the config; nothing was run\n";
    *exit_code = kExitUsage;
    return nullptr;
  }
  s->config_ = std::move(*config);
  s->plugins_ = std::make_unique<PluginRegistry>(s->config_.engine.plugin_path);
  s->apps_ = ResolveApps(s->config_, *s->plugins_, &diags);
  if (!diags.empty()) {
    std::cerr << diags.ToString() << "mirrorgraph: " << diags.size() << " problem(s) in the config; nothing was run\n";
    *exit_code = kExitUsage;
    return nullptr;
  }
  s->target_ = TargetOf(s->config_);
  AddConfiguredSecretEnvNames(s->config_, s->apps_);
  SetSubprocessStopGrace(std::chrono::seconds(s->config_.engine.stop_grace));
  if (!options.state_dir.empty()) {
    s->state_dir_ = std::filesystem::absolute(options.state_dir).lexically_normal().string();
  } else if (!s->config_.engine.state_dir.empty()) {
    s->state_dir_ = s->config_.engine.state_dir;
  } else {
    s->state_dir_ = (std::filesystem::path(s->config_.dir) / ".mirrorgraph").string();
  }
  *exit_code = kExitOk;
  return s;
}

bool Session::ConnectRegistry() {
  CurlTransportOptions transport_options;
  transport_options.cancel = &cancel_;
  // Room for every request that can be in flight: one per job slot and per pooled observation.
  size_t in_flight = static_cast<size_t>(jobs());
  for (const auto& [pool, capacity] : config_.engine.pools) in_flight += static_cast<size_t>(std::max(0, capacity));
  transport_options.max_connections = std::max(transport_options.max_connections, 2 * in_flight);
  transport_ = std::make_unique<CurlTransport>(transport_options);
  counting_ = std::make_unique<CountingTransport>(*transport_);
  CountRoles();
  HttpClientOptions http_options;
  http_options.cancel = &cancel_;
  http_options.max_retry_after = std::chrono::seconds(config_.engine.max_retry_wait);
  http_ = std::make_unique<HttpClient>(*counting_, http_options);
  if (config_.attestations.signer == "keyless") {
    const AttestationConfig& a = config_.attestations;
    keyless_ = std::make_shared<SharedKeyless>(*http_, a.fulcio_url, a.rekor_url, a.identity_token);
  }
  // Environment overrides, then the docker config (credHelpers, credsStore, auths): see
  // ResolveRegistryCredentials and docs/registry.md.
  auto creds = ResolveRegistryCredentials(config_.registry.host, config_.registry.auth_file);
  if (!creds.ok()) {
    std::cerr << "mirrorgraph: " << creds.status().message() << "\n";
    return false;
  }
  credentials_ = creds->credentials;
  registry_ = std::make_unique<RegistryClient>(*http_, config_.registry.host, config_.registry.plain_http,
                                               std::move(creds->credentials), creds->source);
  return ConnectRemoteCache();
}

void Session::CountRoles() {
  auto scheme = [](bool plain_http) { return std::string(plain_http ? "http://" : "https://"); };
  // Later calls win: the target registry's role is kept when the cache or a signing service
  // shares its host.
  if (config_.attestations.signer == "keyless") {
    counting_->SetRole(config_.attestations.fulcio_url, "sigstore");
    counting_->SetRole(config_.attestations.rekor_url, "sigstore");
  }
  if (!config_.cache.remote.empty()) {
    counting_->SetRole(scheme(config_.cache.remote_plain_http) + config_.cache.remote_host, "cache");
  }
  counting_->SetRole(scheme(config_.registry.plain_http) + config_.registry.host, "registry");
}

bool Session::ConnectRemoteCache() {
  const CacheConfig& c = config_.cache;
  if (c.remote.empty()) return true;
  RegistryClient* client = registry_.get();
  if (c.remote_host != config_.registry.host || c.remote_plain_http != config_.registry.plain_http) {
    // Another registry: the docker config's entry for that host (the same file and rules as for
    // images); MIRRORGRAPH_REGISTRY_USERNAME/_PASSWORD are the target registry's and are only
    // used when the cache is on that same host.
    const bool same_host = c.remote_host == config_.registry.host;
    EnvGetter env = [same_host](const std::string& name) -> std::optional<std::string> {
      if (!same_host && (name == "MIRRORGRAPH_REGISTRY_USERNAME" || name == "MIRRORGRAPH_REGISTRY_PASSWORD")) {
        return std::nullopt;
      }
      return GetProcessEnv(name);
    };
    auto creds = ResolveRegistryCredentials(c.remote_host, config_.registry.auth_file, nullptr, env);
    if (!creds.ok()) {
      std::cerr << "mirrorgraph: [cache] remote " << c.remote << ": " << creds.status().message() << "\n";
      return false;
    }
    cache_registry_ = std::make_unique<RegistryClient>(*http_, c.remote_host, c.remote_plain_http,
                                                       std::move(creds->credentials), creds->source);
    client = cache_registry_.get();
  }
  remote_cache_ = std::make_unique<OciRemoteCache>(*client, c.remote_repository);
  return true;
}

AttestSettings Session::attest_settings() const {
  AttestSettings s;
  s.key = config_.attestations.key;
  if (const char* f = std::getenv("MIRRORGRAPH_KEY_PASSPHRASE_FILE"); f != nullptr) s.passphrase_file = f;
  s.builder_id = config_.attestations.builder_id;
  s.state_dir = state_dir_;
  s.keyless = keyless_;
  return s;
}

BuildSettings Session::build_settings() const {
  BuildSettings s;
  s.state_dir = state_dir_;
  s.target = target_;
  s.plain_http = config_.registry.plain_http;
  s.credentials = credentials_;
  s.build_timeout = std::chrono::seconds(config_.builders.timeout_seconds);
  s.builder.buildah_storage_driver = config_.builders.buildah_storage_driver;
  s.builder.buildah_isolation = config_.builders.buildah_isolation;
  s.builder.buildx_builder = config_.builders.buildx_builder;
  return s;
}

TaskGraph Session::InitialGraph() const {
  TaskGraph g;
  for (const ResolvedApp& a : apps_) ExpandApp(g, a.model, target_);
  return g;
}

int Session::jobs() const {
  if (options_.jobs > 0) return options_.jobs;
  if (config_.engine.jobs > 0) return config_.engine.jobs;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) + 2;
}

}  // namespace mg
