// Registry credentials from a docker config file (config.json).
#pragma once

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

  // The credentials for `registry` (any form NormalizeRegistryKey accepts), or nullopt. Returns a
  // Result because credential helpers (credHelpers/credsStore, a later addition) can fail.
  Result<std::optional<Credentials>> Lookup(std::string_view registry) const;

  // The file this config came from (for "check credentials in <path>" hints).
  const std::string& path() const { return path_; }
  bool file_exists() const { return file_exists_; }

 private:
  std::string path_;
  bool file_exists_ = false;
  std::map<std::string, Credentials> auths_;  // NormalizeRegistryKey(server) -> credentials
};

}  // namespace mg
