// Registry credentials from a docker config file (config.json).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace mg {

struct Credentials {
  std::string username;
  std::string password;
  std::string identity_token;  // an OAuth2 refresh token ("identitytoken"), used instead of a password

  bool has_basic() const { return !username.empty() || !password.empty(); }
  bool empty() const { return !has_basic() && identity_token.empty(); }
};

class CredentialHelperRunner;  // oci/credential_helper.h

// Credentials found for a registry, and where they were found or looked for.
struct CredentialLookup {
  std::optional<Credentials> credentials;
  // For hints such as "check the credentials for <registry> in <source>": a config path, a helper
  // with the config naming it, or the environment variables. Never holds a secret.
  std::string source;
};

// "$DOCKER_CONFIG/config.json" when DOCKER_CONFIG is set, else "$HOME/.docker/config.json".
std::string DefaultDockerConfigPath();

// The key a registry is matched by: scheme and path removed, lower-cased; Docker Hub's aliases
// ("https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io") all map to "docker.io".
// "https://registry.local:5000/v2/" -> "registry.local:5000".
std::string NormalizeRegistryKey(std::string_view server);

// A parsed docker config. Immutable after loading; thread-safe for concurrent Lookup().
class DockerConfig {
 public:
  DockerConfig() = default;

  // Reads `path` (empty: DefaultDockerConfigPath()). A missing file is an empty config (no
  // credentials, not an error). Errors: InvalidArgument naming the path when the file is not
  // valid JSON or an entry is malformed; IOError/PermissionDenied when it cannot be read.
  static Result<DockerConfig> Load(const std::string& path = "");
  // Parses `text` as the content of the file at `path` (used in messages only).
  static Result<DockerConfig> Parse(std::string_view text, std::string path);

  // The credentials for `registry` (any form NormalizeRegistryKey accepts), in Docker's order
  // (docker/cli configfile GetCredentialsStore):
  //   1. credHelpers[registry] (keys matched after NormalizeRegistryKey) -> that helper;
  //   2. else credsStore -> that helper;
  //   3. else auths[registry].
  // When a helper applies, its answer is final: "not found" is nullopt, auths is not consulted.
  // A credHelpers entry with an empty name selects auths (not credsStore), as in Docker.
  // Helpers run through `runner` (nullptr: DefaultCredentialHelperRunner()); see
  // oci/credential_helper.h for their errors.
  Result<CredentialLookup> Find(std::string_view registry, CredentialHelperRunner* runner = nullptr) const;
  // Find(), credentials only.
  Result<std::optional<Credentials>> Lookup(std::string_view registry, CredentialHelperRunner* runner = nullptr) const;

  // credHelpers (normalized key -> helper name) and credsStore ("" when unset).
  const std::map<std::string, std::string>& cred_helpers() const { return cred_helpers_; }
  const std::string& creds_store() const { return creds_store_; }

  // The file this config came from (for "check credentials in <path>" hints).
  const std::string& path() const { return path_; }
  bool file_exists() const { return file_exists_; }

 private:
  std::string path_;
  bool file_exists_ = false;
  std::map<std::string, Credentials> auths_;  // NormalizeRegistryKey(server) -> credentials
  std::map<std::string, std::string> cred_helpers_;  // NormalizeRegistryKey(server) -> helper name
  std::string creds_store_;
};

// Environment variables that override the docker config (see docs/config.md).
inline constexpr char kEnvRegistryUsername[] = "MIRRORGRAPH_REGISTRY_USERNAME";
inline constexpr char kEnvRegistryPassword[] = "MIRRORGRAPH_REGISTRY_PASSWORD";
inline constexpr char kEnvRegistryAuthFile[] = "MIRRORGRAPH_REGISTRY_AUTH_FILE";

// Reads an environment variable; nullopt when unset. Must be thread-safe if called concurrently.
using EnvGetter = std::function<std::optional<std::string>(const std::string& name)>;
// std::getenv.
std::optional<std::string> GetProcessEnv(const std::string& name);

// The credentials for the target `registry`, in this order:
//   1. MIRRORGRAPH_REGISTRY_USERNAME and MIRRORGRAPH_REGISTRY_PASSWORD, both non-empty: used as
//      they are; no docker config is read. Only one of them set is InvalidArgument.
//   2. The docker config (DockerConfig::Find) at MIRRORGRAPH_REGISTRY_AUTH_FILE when non-empty,
//      else `auth_file` (the config's registry.auth_file) when non-empty, else
//      DefaultDockerConfigPath().
// An empty `env` means GetProcessEnv. Errors: as DockerConfig::Load and Find.
Result<CredentialLookup> ResolveRegistryCredentials(std::string_view registry, const std::string& auth_file,
                                                    CredentialHelperRunner* runner = nullptr,
                                                    const EnvGetter& env = {});

}  // namespace mg
