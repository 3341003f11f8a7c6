#include "exec/task_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mg {
namespace {

// Above it, a log is rewritten without comparing (no observation logs that much).
constexpr off_t kCompareLimit = 64 * 1024;

// Writes all of `data`; false with errno set on failure.
bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads the whole file from offset 0 into *out; false with errno set on failure.
bool ReadAll(int fd, size_t size, std::string* out) {
  out->resize(size);
  size_t got = 0;
  while (got < size) {
    const ssize_t n = ::pread(fd, out->data() + got, size - got, static_cast<off_t>(got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) break;  // shorter than fstat said: compare what is there
    got += static_cast<size_t>(n);
  }
  out->resize(got);
  return true;
}

}  // namespace

TaskLog::~TaskLog() {
  if (fd_ < 0) return;
  // The log ended where the old one went on: cut the old rest.
  if (matching_ && matched_ < previous_.size() && ::ftruncate(fd_, static_cast<off_t>(matched_)) != 0) {
    Fail("cannot cut", errno);
  }
  ::close(fd_);
}

void TaskLog::Fail(const char* what, int error_number) {
  if (error_.empty()) error_ = std::string(what) + " " + path_ + ": " + std::strerror(error_number);
}

void TaskLog::Open() {
  // O_APPEND: every line lands at the end, also after the file was cut.
  const int flags = rewrite_ == Rewrite::kAlways ? O_WRONLY | O_TRUNC : O_RDWR;
  fd_ = ::open(path_.c_str(), flags | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    open_failed_ = true;
    Fail("cannot open", errno);
    return;
  }
  if (rewrite_ == Rewrite::kAlways) return;
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && st.st_size <= kCompareLimit && ReadAll(fd_, static_cast<size_t>(st.st_size), &previous_)) {
    matching_ = !previous_.empty();  // a new or empty file: nothing to compare with
    matched_ = 0;
    return;
  }
  // Too big to compare, or unreadable: rewritten from the start.
  if (::ftruncate(fd_, 0) != 0) Fail("cannot truncate", errno);
}

void TaskLog::Diverge() {
  matching_ = false;
  if (::ftruncate(fd_, static_cast<off_t>(matched_)) != 0) Fail("cannot cut", errno);
  previous_ = std::string();
}

void TaskLog::Write(std::string_view line) {
  if (path_.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) {
    if (open_failed_) return;
    Open();
    if (fd_ < 0) return;
  }
  if (matching_) {
    const size_t end = matched_ + line.size();
    if (end < previous_.size() && previous_.compare(matched_, line.size(), line) == 0 && previous_[end] == '\n') {
      matched_ = end + 1;  // the file already says it
      return;
    }
    Diverge();
  }
  // Written through at once: the log of a task that hangs or is killed is complete up to there.
  std::string text;
  text.reserve(line.size() + 1);
  text.append(line).push_back('\n');
  if (!WriteAll(fd_, text)) Fail("cannot write", errno);
}

std::string TaskLog::error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

}  // namespace mg
