// TaskLog: the per-task log file, <state-dir>/logs/<TaskFileStem(id)>.log.
//
// Thread-safety: Write() may be called from any thread at once (the task's worker, a plugin's own
// threads through host->log, a subprocess's output callback); each call appends its line and a
// '\n' whole, under a mutex, so lines never interleave or tear. The file is opened on the first
// Write(), so a task that logs nothing leaves the file as it was. Write errors (a full disk) are
// not reported: a log line is never worth failing a task for; the first one is remembered and
// shown by error(). A TaskLog with an empty path discards everything.
//
// Rewrite::kAlways truncates the file on the first Write() and writes every line through at once:
// the log of a task that hangs or is killed is complete up to there.
// Rewrite::kWhenChanged (observations: re-run every run, short logs that mostly repeat) leaves the
// file untouched while the lines written so far are the start of what it holds; at the first line
// that differs it cuts the file there and writes through from then on, and when the task's log
// ends short of the old one it cuts the rest (at destruction). A run whose observations say what
// they said last time writes no log file. Until its log differs, the file still shows the last
// run's whole log, as a task that has not logged yet does under kAlways. A file over 64 KiB is
// rewritten as under kAlways.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

namespace mg {

class TaskLog {
 public:
  enum class Rewrite { kAlways, kWhenChanged };

  explicit TaskLog(std::string path, Rewrite rewrite = Rewrite::kAlways) : path_(std::move(path)), rewrite_(rewrite) {}
  ~TaskLog();
  TaskLog(const TaskLog&) = delete;
  TaskLog& operator=(const TaskLog&) = delete;

  void Write(std::string_view line);
  // The first write error ("" when none).
  std::string error() const;

 private:
  void Open();                                    // REQUIRES: mu_ held, fd_ < 0
  void Diverge();                                 // REQUIRES: mu_ held: cut at matched_, write from there
  void Fail(const char* what, int error_number);  // REQUIRES: mu_ held: remembers the first error

  const std::string path_;
  const Rewrite rewrite_;
  mutable std::mutex mu_;
  int fd_ = -1;               // GUARDED_BY(mu_)
  bool open_failed_ = false;  // GUARDED_BY(mu_)
  // kWhenChanged, until the log differs: the file's bytes as opened, and how many of them the
  // lines written so far repeat. Cleared once it differs (`matching_` false).
  bool matching_ = false;     // GUARDED_BY(mu_)
  std::string previous_;      // GUARDED_BY(mu_)
  size_t matched_ = 0;        // GUARDED_BY(mu_)
  std::string error_;         // GUARDED_BY(mu_)
};

}  // namespace mg
