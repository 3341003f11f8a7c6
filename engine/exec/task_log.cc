#include "exec/task_log.h"

#include <cerrno>
#include <cstring>

namespace mg {

TaskLog::~TaskLog() {
  if (file_ != nullptr) std::fclose(file_);
}

void TaskLog::Write(std::string_view line) {
  if (path_.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ == nullptr) {
    if (open_failed_) return;
    file_ = std::fopen(path_.c_str(), "we");
    if (file_ == nullptr) {
      open_failed_ = true;
      error_ = "cannot open " + path_ + ": " + std::strerror(errno);
      return;
    }
  }
  // Written through at once: the log of a task that hangs or is killed is complete up to there.
  bool ok = std::fwrite(line.data(), 1, line.size(), file_) == line.size() && std::fputc('\n', file_) != EOF &&
            std::fflush(file_) == 0;
  if (!ok && error_.empty()) error_ = "cannot write " + path_ + ": " + std::strerror(errno);
}

std::string TaskLog::error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

}  // namespace mg
