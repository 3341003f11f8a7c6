// An exclusive, advisory, inter-process lock on a file (flock(2)), used so that two runs never
// share one state directory.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace mg {

// Holds flock(LOCK_EX) on a lock file for its lifetime. Move-only; releasing happens on
// destruction (or when the process dies: the kernel drops flock locks with the last descriptor,
// so a lock file left behind by a dead process never blocks a later run).
//
// The lock is per open file description: two FileLock objects on one path exclude each other
// even inside one process. The descriptor is close-on-exec, so subprocesses never inherit it.
// Not thread-safe per object; Acquire() itself may be called from any thread.
class FileLock {
 public:
  // Creates `path` if needed and takes the lock without waiting. On success the file holds
  // "<pid>\n<holder_info>\n" (e.g. holder_info = "started 2024-05-06T07:08:09.000Z").
  // When another holder has it: FailedPrecondition, "another mirrorgraph run (pid 1234, started
  // ...) holds /x/.mirrorgraph/lock; wait for it or use another --state-dir".
  // IOError/PermissionDenied/NotFound when the file cannot be opened (e.g. missing directory).
  static Result<FileLock> Acquire(const std::string& path, std::string_view holder_info);
  // Whether some process holds the lock on `path` now (false when the file does not exist).
  // Creates nothing and takes the lock for no longer than the check.
  static bool IsHeld(const std::string& path);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  const std::string& path() const { return path_; }
  bool held() const { return fd_ >= 0; }

  // Releases now (idempotent). The lock file stays on disk, emptied.
  void Release();

 private:
  FileLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

}  // namespace mg
