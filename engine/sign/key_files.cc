// Key files: the permission rule, passphrase sources, and writing a key pair.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "sign/cosign_key.h"
#include "sign/keys.h"
#include "sign/pem.h"
#include "util/atomic_file.h"

namespace mg {
namespace {

constexpr off_t kMaxKeyFileBytes = 1 << 20;

Status OpenError(const std::string& what, const std::string& path, int err) {
  std::string msg = "cannot open " + what + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(msg);
  if (err == EACCES || err == EPERM) return Status::PermissionDenied(msg);
  return Status::IOError(msg);
}

// Reads a file that holds a secret, enforcing the owner-only rule on the opened file (no window
// between the check and the read).
Result<std::string> ReadSecretFile(const std::string& path, const std::string& what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return OpenError(what, path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::IOError("stat " + path + ": " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(what + " " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::FailedPrecondition(what + " " + path + " is accessible by group or others (mode " + mode +
                                      "); it must be readable by its owner only: run chmod 600 " + path);
  }
  if (st.st_size > kMaxKeyFileBytes) {
    ::close(fd);
    return Status::InvalidArgument(what + " " + path + " is larger than 1 MiB: not a key file");
  }
  std::string out(static_cast<size_t>(st.st_size) + 1, '\0');
  size_t len = 0;
  while (len < out.size()) {
    ssize_t n = ::read(fd, out.data() + len, out.size() - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      WipeString(&out);
      return Status::IOError("reading " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
  }
  ::close(fd);
  if (len > static_cast<size_t>(kMaxKeyFileBytes)) {
    WipeString(&out);
    return Status::InvalidArgument(what + " " + path + " is larger than 1 MiB: not a key file");
  }
  out.resize(len);
  return out;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

KeyPassphrase::~KeyPassphrase() {
  if (value) WipeString(&*value);
}

Result<std::optional<std::string>> ResolvePassphrase(const KeyPassphrase& source) {
  if (source.value) return std::optional<std::string>(*source.value);
  if (!source.file.empty()) {
    Result<std::string> text = ReadSecretFile(source.file, "passphrase file");
    if (!text.ok()) return text.status();
    std::string pass = std::move(*text);
    if (!pass.empty() && pass.back() == '\n') pass.pop_back();
    if (!pass.empty() && pass.back() == '\r') pass.pop_back();
    return std::optional<std::string>(std::move(pass));
  }
  if (source.use_env) {
    if (const char* env = std::getenv("COSIGN_PASSWORD"); env != nullptr) {
      return std::optional<std::string>(std::string(env));
    }
  }
  return std::optional<std::string>();
}

Result<PrivateKey> LoadPrivateKeyFile(const std::string& path, const KeyPassphrase& passphrase) {
  Result<std::string> text = ReadSecretFile(path, "private key");
  if (!text.ok()) return text.status();
  Result<std::optional<std::string>> pass = ResolvePassphrase(passphrase);
  if (!pass.ok()) {
    WipeString(&text.value());
    return pass.status();
  }
  const bool given = pass->has_value();
  Result<PrivateKey> key = LoadPrivateKeyPem(*text, given ? **pass : std::string_view(), path);
  WipeString(&text.value());
  if (given) WipeString(&**pass);
  if (!key.ok() && !given && key.status().code() == Status::Code::kPermissionDenied) {
    return Status::PermissionDenied(path + " is encrypted and no passphrase was given: set COSIGN_PASSWORD "
                                    "or name a passphrase file");
  }
  return key;
}

Result<PublicKey> LoadPublicKeyFile(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return LoadPublicKeyPem(*text, path);
}

Status GenerateKeyPair(const std::string& key_path, const std::string& pub_path, std::string_view passphrase,
                       const KeyGenOptions& options) {
  if (key_path.empty() || pub_path.empty()) return Status::InvalidArgument("key pair paths must not be empty");
  if (key_path == pub_path) {
    return Status::InvalidArgument("the private and the public key would both be written to " + key_path);
  }
  if (!options.overwrite) {
    for (const std::string* path : {&key_path, &pub_path}) {
      if (Exists(*path)) {
        return Status::FailedPrecondition(*path + " already exists; remove it, choose another path, or "
                                          "ask for overwriting");
      }
    }
  }
  Result<PrivateKey> key = PrivateKey::Generate();
  if (!key.ok()) return key.status();
  Result<std::string> encrypted = EncryptCosignPrivateKey(*key, passphrase);
  if (!encrypted.ok()) return encrypted.status();
  Status st = WriteFileAtomic(key_path, *encrypted, 0600);
  WipeString(&encrypted.value());
  MG_RETURN_IF_ERROR(st);
  return WriteFileAtomic(pub_path, key->public_key().Pem(), 0644);
}

}  // namespace mg
