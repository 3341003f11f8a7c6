#include "report/status_printer.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace mg {

bool IsSmartTerminal(FILE* f) {
  if (!isatty(fileno(f))) return false;
  const char* term = std::getenv("TERM");
  return term != nullptr && std::strcmp(term, "dumb") != 0;
}

StatusPrinter::StatusPrinter(FILE* out, bool smart, bool verbose, Clock* clock)
    : out_(out), smart_(smart), verbose_(verbose), clock_(clock != nullptr ? clock : SystemClock::Default()) {}

StatusPrinter::~StatusPrinter() { Finish(); }

void StatusPrinter::Finish() {
  if (smart_ && live_shown_) {
    std::fputs("\r\033[K", out_);
    std::fflush(out_);
    live_shown_ = false;
  }
}

void StatusPrinter::Line(const std::string& text) {
  if (smart_) {
    Finish();
    std::fprintf(out_, "%s\n", text.c_str());
  } else {
    std::fprintf(out_, "%s %s\n", FormatRfc3339(clock_->NowMillis()).c_str(), text.c_str());
  }
  std::fflush(out_);
}

void StatusPrinter::OnTaskStarted(const TaskGraph& graph, TaskGraph::Index i, const TaskRunState& state) {
  running_.insert(graph.task(i).id);
  if (!smart_) Line("start  " + graph.task(i).id + "  (" + state.reason + ")");
  else MaybeRedraw(graph);
}

void StatusPrinter::OnTaskFinished(const TaskGraph& graph, TaskGraph::Index i, const TaskRunState& s) {
  running_.erase(graph.task(i).id);
  finished_++;
  const std::string& id = graph.task(i).id;
  switch (s.status) {
    case TaskStatus::kRan: {
      double secs = static_cast<double>(s.finished_at - s.started_at) / 1000.0;
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.1fs", secs);
      if (!smart_ || verbose_) Line("done   " + id + "  (" + buf + ")");
      break;
    }
    case TaskStatus::kFailed:
      failed_++;
      Line("FAILED " + id + ": " + s.error);
      break;
    case TaskStatus::kBlocked:
      if (verbose_) Line("blocked " + id + ": " + s.reason);
      break;
    default:
      if (s.status == TaskStatus::kCached && s.cache_tier == CacheTier::kRemote) {
        remote_hits_++;
        // It was started (the lookup is a worker's job): say how it ended.
        if (!smart_ || verbose_) Line("cached " + id + "  (" + s.reason + ")");
        break;
      }
      if (verbose_) Line(std::string(TaskStatusName(s.status)) + " " + id + "  (" + s.reason + ")");
      break;
  }
  if (smart_) MaybeRedraw(graph);
}

void StatusPrinter::OnTick(const TaskGraph& graph, const RunStates&) {
  if (smart_) Redraw(graph);
}

void StatusPrinter::MaybeRedraw(const TaskGraph& graph) {
  // The clock is wall time: after a step back, redraw at once instead of freezing until it catches up.
  const int64_t since = clock_->NowMillis() - last_redraw_ms_;
  if (live_shown_ && since >= 0 && since < kRedrawMillis) return;
  Redraw(graph);
}

void StatusPrinter::Redraw(const TaskGraph& graph) {
  last_redraw_ms_ = clock_->NowMillis();
  std::string line = "[" + std::to_string(finished_) + "/" + std::to_string(graph.size()) + "]";
  if (!running_.empty()) {
    line += " " + std::to_string(running_.size()) + " running: " + *running_.begin();
    if (running_.size() > 1) line += ", ...";
  }
  if (remote_hits_ > 0) line += " | " + std::to_string(remote_hits_) + " from the remote cache";
  if (failed_ > 0) line += " | " + std::to_string(failed_) + " failed";
  if (line.size() > 118) line = line.substr(0, 115) + "...";
  std::fprintf(out_, "\r\033[K%s", line.c_str());
  std::fflush(out_);
  live_shown_ = true;
}

}  // namespace mg
