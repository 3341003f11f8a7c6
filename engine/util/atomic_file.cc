#include "util/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>

namespace mg {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(msg);
  if (err == EACCES || err == EPERM) return Status::PermissionDenied(msg);
  return Status::IOError(msg);
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("writing", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("opening directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  // Some filesystems refuse fsync on directories; the data itself is already synced.
  if (rc != 0 && err != EINVAL && err != ENOTSUP) return ErrnoStatus("syncing directory", dir, err);
  return Status::OK();
}

}  // namespace

Status WriteFileAtomic(const std::string& path, std::string_view data, int mode) {
  static std::atomic<uint64_t> counter{0};
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." +
                          std::to_string(counter.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("creating", tmp, errno);
  Status st = WriteAll(fd, data, tmp);
  if (st.ok() && ::fchmod(fd, static_cast<mode_t>(mode)) != 0) st = ErrnoStatus("chmod", tmp, errno);
  if (st.ok() && ::fsync(fd) != 0) st = ErrnoStatus("syncing", tmp, errno);
  if (::close(fd) != 0 && st.ok()) st = ErrnoStatus("closing", tmp, errno);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    st = ErrnoStatus("renaming " + tmp + " to", path, errno);
  }
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return SyncDir(DirName(path));
}

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("opening", path, errno);
  auto out = ReadOpenFile(fd, path);
  ::close(fd);
  return out;
}

Result<std::string> ReadOpenFile(int fd, const std::string& path) {
  // Sized from fstat and read in place: a large file (the action cache) is not copied through
  // doubling reallocations. One spare byte lets the final read() see end-of-file without growing.
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) out.resize(static_cast<size_t>(st.st_size) + 1);
  size_t len = 0;
  while (true) {
    if (len == out.size()) out.resize(std::max<size_t>(2 * out.size(), 65536));
    ssize_t n = ::read(fd, out.data() + len, out.size() - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("reading", path, errno);
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
  }
  out.resize(len);
  return out;
}

Status AppendFileDurable(int fd, std::string_view data) {
  const std::string what = "fd " + std::to_string(fd);
  MG_RETURN_IF_ERROR(WriteAll(fd, data, what));
  if (::fdatasync(fd) != 0) return ErrnoStatus("syncing", what, errno);
  return Status::OK();
}

Status AppendFileDurable(const std::string& path, std::string_view data) {
  bool created = false;
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    created = fd >= 0;
  }
  if (fd < 0) return ErrnoStatus("opening", path, errno);
  Status st = WriteAll(fd, data, path);
  if (st.ok() && ::fsync(fd) != 0) st = ErrnoStatus("syncing", path, errno);
  ::close(fd);
  if (st.ok() && created) st = SyncDir(DirName(path));
  return st;
}

Status MakeDirs(const std::string& path, int mode) {
  if (path.empty()) return Status::InvalidArgument("MakeDirs: empty path");
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    std::string prefix = path.substr(0, pos);
    if (prefix.empty() || prefix == "/") continue;
    if (::mkdir(prefix.c_str(), static_cast<mode_t>(mode)) == 0) continue;
    int err = errno;
    if (err != EEXIST) return ErrnoStatus("creating directory", prefix, err);
    struct stat st;
    if (::stat(prefix.c_str(), &st) != 0) return ErrnoStatus("stat", prefix, errno);
    if (!S_ISDIR(st.st_mode)) {
      return Status::FailedPrecondition(prefix + " exists and is not a directory");
    }
  }
  return Status::OK();
}

}  // namespace mg
