#include "build/registry_auth_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "http/base64.h"
#include "util/json.h"

namespace mg {

Result<RegistryAuthFile> RegistryAuthFile::Create(const std::string& path, const std::string& registry,
                                                  const Credentials& credentials) {
  Json entry = Json::object();
  if (credentials.has_basic()) entry["auth"] = Base64Encode(credentials.username + ":" + credentials.password);
  if (!credentials.identity_token.empty()) entry["identitytoken"] = credentials.identity_token;
  std::string text = CanonicalJson(Json{{"auths", {{registry, entry}}}});
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create the registry auth file " + path + ": " + std::strerror(errno));
  RegistryAuthFile file(path);  // removes it on every error path below
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return Status::IOError("cannot write the registry auth file " + path + ": " + std::strerror(err));
    }
    off += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Status::IOError("cannot write the registry auth file " + path + ": " + std::strerror(errno));
  return file;
}

RegistryAuthFile::RegistryAuthFile(RegistryAuthFile&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

RegistryAuthFile& RegistryAuthFile::operator=(RegistryAuthFile&& other) noexcept {
  if (this != &other) {
    if (!path_.empty()) ::unlink(path_.c_str());
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

RegistryAuthFile::~RegistryAuthFile() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

}  // namespace mg
