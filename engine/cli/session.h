// Session: one command's view of the world — the config, plugins, resolved apps, the state
// directory, and (when asked) the HTTP and registry clients. Owns all of them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/options.h"
#include "config/config.h"
#include "graph/task_graph.h"
#include "http/counting_transport.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/registry_client.h"
#include "remote/oci_remote_cache.h"
#include "tasks/attest_settings.h"
#include "tasks/build_settings.h"
#include "plugin/plugin_registry.h"
#include "tasks/app_resolver.h"

namespace mg {

class Session {
 public:
  // Loads and validates the config and resolves its apps. On failure prints every diagnostic to
  // stderr and returns nullptr with *exit_code set (kExitUsage).
  static std::unique_ptr<Session> Open(const CliOptions& options, int* exit_code);

  // Creates the HTTP and registry clients (reads the docker config for credentials). On failure
  // prints why and returns false.
  bool ConnectRegistry();

  // A graph holding each app's app-scoped tasks (discover).
  TaskGraph InitialGraph() const;

  const CliOptions& options() const { return options_; }
  const Config& config() const { return config_; }
  const std::vector<ResolvedApp>& apps() const { return apps_; }
  const TargetRegistry& target() const { return target_; }
  const std::string& state_dir() const { return state_dir_; }
  int jobs() const;
  HttpClient* http() { return http_.get(); }
  // What the HTTP client's requests got so far (docs/metrics.md); null before ConnectRegistry().
  const CountingTransport* http_counts() const { return counting_.get(); }
  RegistryClient* registry() { return registry_.get(); }
  // The remote cache tier ([cache] remote, docs/cache.md), or null when none is configured.
  // Valid after ConnectRegistry().
  RemoteCache* remote_cache() { return remote_cache_.get(); }
  // Cancelling it stops the HTTP client's retry waits and aborts its transfers (a run cancels it
  // when it is interrupted or stopped by --fail-fast). Lives as long as the session.
  CancelToken* http_cancel() { return &cancel_; }
  // What build and merge tasks need (state dir, target registry, credentials, builder settings).
  // Valid after ConnectRegistry().
  BuildSettings build_settings() const;
  // What the sign, sbom and provenance tasks need ([attestations], the state dir); run_id unset.
  AttestSettings attest_settings() const;

 private:
  Session() = default;
  // Creates remote_cache_ from [cache] remote (after registry_). False, after printing why, when
  // its credentials cannot be read.
  bool ConnectRemoteCache();
  // Names the roles of the hosts the config names (registry, cache, sigstore) for counting_.
  void CountRoles();
  CliOptions options_;
  Config config_;
  std::unique_ptr<PluginRegistry> plugins_;
  std::vector<ResolvedApp> apps_;
  TargetRegistry target_;
  std::string state_dir_;
  CancelToken cancel_;  // declared before the clients that point at it
  std::unique_ptr<CurlTransport> transport_;
  std::unique_ptr<CountingTransport> counting_;  // wraps transport_; http_ sends through it
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<RegistryClient> registry_;
  std::optional<Credentials> credentials_;  // the target registry's, also handed to builders
  // The remote cache's registry client when it is another registry than the target's.
  std::unique_ptr<RegistryClient> cache_registry_;
  std::unique_ptr<OciRemoteCache> remote_cache_;  // declared after the clients it points at
  // The keyless signer of [attestations] signer = "keyless" (null otherwise); after http_, which it
  // points at. Shared with the tasks through attest_settings().
  std::shared_ptr<SharedKeyless> keyless_;
};

}  // namespace mg
