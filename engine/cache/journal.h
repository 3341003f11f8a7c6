// RunJournal: what one run did, task by task, in <state-dir>/runs/<run-id>.log (a RecordLog).
//
// Events are JSON objects: {"event":"start","run_id","argv","started_at"}, then
// {"event":"started","id","type","started_at"} when a task starts running (written through, so a
// kill leaves it), one {"event":"task","id","type","status","reason","key","started_at",
// "finished_at","duration_ms","error"} per finished task, then {"event":"end","finished_at",
// "exit_code"}. A run killed mid-way leaves a journal without "end"; its records up to the kill are
// intact (torn tails are dropped), and its tasks "started" but never finished were in flight.
// <state-dir>/runs/last names the newest run. Not thread-safe: the coordinator owns it.
//
// Format v2 (v1 files are still read): a task that finished without running and without anything
// to say beyond its status — cached or unneeded, no error, no details, not written through — is
// not a line of its own but an id in a batch {"event":"tasks","ids":[...],"status":"cached"|
// "unneeded"} of up to kBatchSize ids, written (buffered) when full, before any record written
// through, and by Sync(). Read() expands a batch back into
// {"event":"task","id","status","type"} events (the type is the id's prefix), so readers see one
// "task" event per task either way; a batched task's reason and key are not kept (explain
// recomputes them). A kill loses what was batched since the last record written through, as v1
// lost the buffered lines since then.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/record_log.h"
#include "util/json.h"

namespace mg {

// A finished task's event, the journal line written for every task of a run. Views: they must
// outlive the AppendTask() call only.
struct TaskEvent {
  std::string_view id;
  std::string_view type;
  std::string_view status;
  std::string_view reason;
  std::string_view key;    // omitted when empty
  std::string_view error;  // omitted when empty
  int64_t started_at = 0;  // 0: the task did not run; timings omitted
  int64_t finished_at = 0;
  const std::vector<std::string>* details = nullptr;  // omitted when null or empty
};

// What a run's journal says, for `mirrorgraph status`.
struct RunJournalSummary {
  Json start = Json::object();  // the "start" event ({} when the run was killed before it)
  Json end = Json::object();    // the "end" event ({} when the run did not end)
  bool ended = false;
  // Finished tasks by status, plus "interrupted": started and never finished.
  std::map<std::string, int> counts;
  std::vector<std::string> failures;     // "id: error" of the failed tasks, in journal order
  std::vector<std::string> interrupted;  // ids of the tasks in flight when the run stopped, by start
};
RunJournalSummary SummarizeRun(const std::vector<Json>& events);

class RunJournal {
 public:
  static constexpr int kFormatVersion = 2;
  static constexpr size_t kBatchSize = 1024;

  // Creates runs/<run_id>.log under `state_dir` and points runs/last at it.
  static Result<RunJournal> Create(const std::string& state_dir, const std::string& run_id);

  // `durable_now`: write through at once (task results); otherwise buffered (cached/unneeded
  // lines, whose loss on a crash costs only a report line). Sync() flushes and fdatasyncs.
  Status Append(const Json& event, bool durable_now = true);
  // The {"event":"task",...} line of `event`, written as canonical JSON without building a Json
  // (the same text Append() would write for the equivalent object), or the task's id added to its
  // status's batch (see above). One per task of a run.
  Status AppendTask(const TaskEvent& event, bool durable_now);
  // The {"event":"started",...} line of a task that starts running: written through at once.
  Status AppendTaskStarted(std::string_view id, std::string_view type, int64_t started_at);
  // Writes the pending batches, flushes and fdatasyncs.
  Status Sync();
  const std::string& run_id() const { return run_id_; }

  // Reads a run's events (damaged records dropped). NotFound when there is no such run.
  static Result<std::vector<Json>> Read(const std::string& state_dir, const std::string& run_id);
  // The newest run's id, if any.
  static std::optional<std::string> LastRunId(const std::string& state_dir);
  // A new run id: UTC time plus pid, sortable ("20261126T181907Z-4242").
  static std::string NewRunId(int64_t now_millis);

 private:
  RunJournal(RecordLog log, std::string run_id) : log_(std::move(log)), run_id_(std::move(run_id)) {}
  // A batch of ids for one status: `text` is the record up to the last id ("" when empty).
  struct Batch {
    std::string_view status;
    std::string text;
    size_t count = 0;
  };
  Status AddToBatch(Batch& batch, std::string_view id);
  Status WriteBatch(Batch& batch);
  Status WriteBatches();

  RecordLog log_;
  std::string run_id_;
  std::string line_;  // AppendTask()'s buffer, reused
  Batch cached_{"cached", {}, 0};
  Batch unneeded_{"unneeded", {}, 0};
};

}  // namespace mg
