// ActionCache: task key -> result, persisted in <state-dir>/cache.log (a RecordLog).
//
// Each record holds the key, the task id, the SHA-256 of the canonical result, and an entry JSON
// {"type","params","identity","inputs","result","finished_at","duration_ms"}. The latest record for
// a key wins; LatestFor(id) gives the last record written for a task id (what explain compares
// against). Entry JSON is parsed lazily, so opening a cache of 100,000 records costs one read and a
// CRC per record: records are views into the file's bytes, kept in memory, so loading allocates
// per record only its index entries. A damaged record is dropped (recomputed later), a foreign or older-format file is
// set aside as cache.log.unreadable and the cache starts empty: never a crash.
//
// Not thread-safe: the executor's coordinator thread owns it.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/record_log.h"
#include "util/flat_hash_index.h"
#include "util/json.h"

namespace mg {

class ActionCache {
 public:
  static constexpr int kFormatVersion = 1;

  // Views into storage the cache owns: valid as long as the cache.
  struct Record {
    std::string_view key;
    std::string_view id;
    std::string_view result_hash;
    std::string_view entry_text;  // canonical JSON of the entry
    // The parsed entry; a null Json when entry_text is not valid JSON.
    const Json& entry() const;
    // The entry's "result" and "finished_at" members, read without parsing the rest of the entry
    // (an observation trusted from the cache needs only these); null / 0 when absent.
    Json result() const;
    int64_t finished_at() const;

   private:
    mutable std::optional<Json> parsed_;
  };

  // Opens or creates <dir>/cache.log. REQUIRES: `dir` exists and the caller holds the state lock.
  static Result<std::unique_ptr<ActionCache>> Open(const std::string& dir);
  // Reads <dir>/cache.log without changing anything (plan, graph, explain); absent: empty.
  // Put() on a read-only cache returns FailedPrecondition.
  static Result<std::unique_ptr<ActionCache>> OpenReadOnly(const std::string& dir);

  const Record* Get(std::string_view key) const;
  const Record* LatestFor(std::string_view id) const;

  // Records a finished task. `entry` must hold "result". Survives the process being killed.
  Status Put(const std::string& key, const std::string& id, const Json& entry);
  Status Sync() { return log_ ? log_->Sync() : Status::OK(); }

  size_t size() const { return by_key_.size(); }
  size_t dropped_records() const { return dropped_; }
  bool set_aside() const { return set_aside_; }

  // Hash of a result as dependents see it: SHA-256 of its canonical JSON.
  static std::string ResultHash(const Json& result);

 private:
  ActionCache() = default;
  void Index(Record record);
  static Result<std::unique_ptr<ActionCache>> Load(const std::string& dir, bool read_only);

  std::string path_;
  std::optional<RecordLog> log_;
  std::string data_;                  // the file as loaded; loaded records point into it
  std::deque<std::string> appended_;  // payloads Put() since; their records point into them
  std::deque<Record> records_;        // in file order; a deque keeps their addresses stable
  FlatHashIndex by_key_;              // key -> index into records_ (the latest record wins)
  FlatHashIndex by_id_;               // task id -> index into records_ (the latest record wins)
  size_t dropped_ = 0;
  bool set_aside_ = false;
};

}  // namespace mg
