// RunJournal: what one run did, task by task, in <state-dir>/runs/<run-id>.log (a RecordLog).
//
// Events are JSON objects: {"event":"start","run_id","argv","started_at"}, then one
// {"event":"task","id","type","status","reason","key","started_at","finished_at","duration_ms",
// "error"} per finished task, then {"event":"end","finished_at","exit_code"}. A run killed mid-way
// leaves a journal without "end"; its records up to the kill are intact (torn tails are dropped).
// <state-dir>/runs/last names the newest run. Not thread-safe: the coordinator owns it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cache/record_log.h"
#include "util/json.h"

namespace mg {

class RunJournal {
 public:
  // Creates runs/<run_id>.log under `state_dir` and points runs/last at it.
  static Result<RunJournal> Create(const std::string& state_dir, const std::string& run_id);

  // `durable_now`: write through at once (task results); otherwise buffered (cached/unneeded
  // lines, whose loss on a crash costs only a report line). Sync() flushes and fdatasyncs.
  Status Append(const Json& event, bool durable_now = true);
  Status Sync() { return log_.Sync(); }
  const std::string& run_id() const { return run_id_; }

  // Reads a run's events (damaged records dropped). NotFound when there is no such run.
  static Result<std::vector<Json>> Read(const std::string& state_dir, const std::string& run_id);
  // The newest run's id, if any.
  static std::optional<std::string> LastRunId(const std::string& state_dir);
  // A new run id: UTC time plus pid, sortable ("20261126T181907Z-4242").
  static std::string NewRunId(int64_t now_millis);

 private:
  RunJournal(RecordLog log, std::string run_id) : log_(std::move(log)), run_id_(std::move(run_id)) {}
  RecordLog log_;
  std::string run_id_;
};

}  // namespace mg
