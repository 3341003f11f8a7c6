// A short-lived docker config file holding one registry's credentials, for builder subprocesses:
// they get its path, never the secrets on their command line or in their environment.
#pragma once

#include <string>

#include "oci/docker_config.h"
#include "util/status.h"

namespace mg {

// Owns the file at `path()`: created 0600 (O_EXCL: an existing file is an error, so a stale or
// planted file is never reused), removed by the destructor. Not copyable; movable.
class RegistryAuthFile {
 public:
  // Writes {"auths":{"<registry>":{"auth":base64(user:password)[,"identitytoken":...]}}} to `path`.
  // Errors: IOError naming the path (never the credentials).
  static Result<RegistryAuthFile> Create(const std::string& path, const std::string& registry,
                                         const Credentials& credentials);
  RegistryAuthFile(RegistryAuthFile&& other) noexcept;
  RegistryAuthFile& operator=(RegistryAuthFile&& other) noexcept;
  RegistryAuthFile(const RegistryAuthFile&) = delete;
  RegistryAuthFile& operator=(const RegistryAuthFile&) = delete;
  ~RegistryAuthFile();

  const std::string& path() const { return path_; }

 private:
  explicit RegistryAuthFile(std::string path) : path_(std::move(path)) {}
  std::string path_;  // empty once moved from
};

}  // namespace mg
