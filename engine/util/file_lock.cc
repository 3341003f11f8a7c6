#include "util/file_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>

#include "util/strings.h"

namespace mg {
namespace {

std::string ReadHolder(int fd) {
  std::string text;
  char buf[4096];
  off_t off = 0;
  while (text.size() < 16384) {
    ssize_t n = ::pread(fd, buf, sizeof(buf), off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    off += n;
  }
  return text;
}

// "pid 1234, started ..." from the lock file's "<pid>\n<info>\n"; tolerant of partial content
// (the holder may be writing it right now).
std::string DescribeHolder(const std::string& content) {
  std::vector<std::string> lines = Split(content, '\n');
  std::string pid = lines.empty() ? "" : std::string(Trim(lines[0]));
  std::string info = lines.size() > 1 ? std::string(Trim(lines[1])) : "";
  std::string out = pid.empty() ? "pid unknown" : "pid " + pid;
  if (!info.empty()) out += ", " + info;
  return out;
}

}  // namespace

Result<FileLock> FileLock::Acquire(const std::string& path, std::string_view holder_info) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    std::string msg = "opening lock file " + path + ": " + std::strerror(err);
    if (err == ENOENT) return Status::NotFound(msg);
    if (err == EACCES || err == EPERM) return Status::PermissionDenied(msg);
    return Status::IOError(msg);
  }
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (err == EINTR) continue;
    if (err == EWOULDBLOCK) {
      std::string holder = DescribeHolder(ReadHolder(fd));
      ::close(fd);
      return Status::FailedPrecondition("another mirrorgraph run (" + holder + ") holds " + path +
                                        "; wait for it or use another --state-dir");
    }
    ::close(fd);
    return Status::IOError("locking " + path + ": " + std::strerror(err));
  }
  // We hold the lock: whatever a dead holder left in the file is stale; overwrite it.
  std::string content = std::to_string(::getpid()) + "\n" + std::string(holder_info) + "\n";
  bool ok = ::ftruncate(fd, 0) == 0;
  size_t off = 0;
  while (ok && off < content.size()) {
    ssize_t n = ::pwrite(fd, content.data() + off, content.size() - off, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) off += static_cast<size_t>(n);
  }
  if (!ok) {
    int err = errno;
    ::close(fd);
    return Status::IOError("writing lock file " + path + ": " + std::strerror(err));
  }
  return FileLock(fd, path);
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

bool FileLock::IsHeld(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  int r;
  do {
    r = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (r != 0 && errno == EINTR);
  bool held = r != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // drops the lock if this check took it
  return held;
}

FileLock::~FileLock() { Release(); }

void FileLock::Release() {
  if (fd_ < 0) return;
  // Still holding the lock: emptying the file cannot race with a new holder's write.
  (void)::ftruncate(fd_, 0);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace mg
