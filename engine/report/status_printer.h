// StatusPrinter: what a person sees while a run goes.
//
// On a terminal: one live line, rewritten in place ("[12/40] 3 running: build:hello@1.2.0/... | 1
// failed"), with failures printed above it as they happen. The line is rewritten at most every
// kRedrawMillis as tasks start and finish (and on every tick, and at once after a line printed
// above it): a 100,000-task no-op would otherwise write it 100,000 times. Elsewhere (CI, pipes): plain timestamped
// lines, one per task that starts or finishes work (cached and unneeded tasks are only counted, so
// a 100,000-task no-op prints a summary, not 100,000 lines; a remote cache hit, which was started
// to ask the remote, gets a `cached` line, and the live line counts them). Called on the
// coordinator thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <set>
#include <string>

#include "exec/executor.h"

namespace mg {

class StatusPrinter : public ExecObserver {
 public:
  // `out` must outlive the printer. `smart` = live line (a terminal); `verbose` prints cached tasks too.
  StatusPrinter(FILE* out, bool smart, bool verbose, Clock* clock);
  ~StatusPrinter() override;

  void OnTaskStarted(const TaskGraph& graph, TaskGraph::Index i, const TaskRunState& state) override;
  void OnTaskFinished(const TaskGraph& graph, TaskGraph::Index i, const TaskRunState& state) override;
  void OnTick(const TaskGraph& graph, const RunStates& states) override;
  // Clears the live line (before printing a final summary).
  void Finish();

  static constexpr int64_t kRedrawMillis = 50;

 private:
  void Line(const std::string& text);
  void Redraw(const TaskGraph& graph);
  // Redraw unless the live line is shown and was drawn less than kRedrawMillis ago.
  void MaybeRedraw(const TaskGraph& graph);

  FILE* out_;
  bool smart_;
  bool verbose_;
  Clock* clock_;
  std::set<std::string> running_;
  size_t finished_ = 0;
  size_t failed_ = 0;
  size_t remote_hits_ = 0;  // cached tasks whose entry came from the remote cache tier
  bool live_shown_ = false;
  int64_t last_redraw_ms_ = 0;
};

// True when `f` is a terminal that understands "\r" and ANSI clear-line (TERM not "dumb").
bool IsSmartTerminal(FILE* f);

}  // namespace mg
