// TaskLog: the per-task log file, <state-dir>/logs/<TaskFileStem(id)>.log.
//
// Thread-safety: Write() may be called from any thread at once (the task's worker, a plugin's own
// threads through host->log, a subprocess's output callback); each call appends its line and a
// '\n' whole, under a mutex, so lines never interleave or tear. The file is created (truncated)
// on the first Write(), so a task that logs nothing leaves no file. Write errors (a full disk) are
// not reported: a log line is never worth failing a task for; the first one is remembered and
// shown by error(). A TaskLog with an empty path discards everything.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

namespace mg {

class TaskLog {
 public:
  explicit TaskLog(std::string path) : path_(std::move(path)) {}
  ~TaskLog();
  TaskLog(const TaskLog&) = delete;
  TaskLog& operator=(const TaskLog&) = delete;

  void Write(std::string_view line);
  // The first write error ("" when none).
  std::string error() const;

 private:
  const std::string path_;
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;  // GUARDED_BY(mu_)
  bool open_failed_ = false;   // GUARDED_BY(mu_)
  std::string error_;          // GUARDED_BY(mu_)
};

}  // namespace mg
