// ActionCache: task key -> result, persisted in <state-dir>/cache.log (a RecordLog).
//
// Format v2. Each cache.log record holds the key, the task id, the SHA-256 of the canonical result,
// and the entry JSON without its key material: {"type","result","finished_at","duration_ms","v"}.
// The key material ({"identity","inputs","params"}, two thirds of an entry, needed only to explain
// a miss) is a record "key \t material-json" of its own in <state-dir>/cache-material.log, written
// through before the cache record, and read only when an entry is asked for whole (entry()): a
// no-op run never reads it. A key is the SHA-256 of its material (exec/task_key.h), so the
// material of a key the cache already holds is not written again (an observation re-recorded
// every run appends one cache record, no material) unless the material log was missing, empty or
// started afresh at this open, or the key's record in it was found damaged once it was loaded. The latest record for a key wins; LatestFor(id) gives the last record
// written for a task id (what explain compares against). Entry JSON is parsed lazily, so opening a
// cache of 100,000 records costs one read (a mapping when writable: util/file_bytes.h) and a CRC
// per record: records are views into the file's bytes, kept for the cache's lifetime. A damaged
// record is dropped (recomputed later); a damaged or lost material record only leaves explain
// without the previous material (DescribeKeyChanges says so).
//
// Migration: a v1 cache.log (every record with its whole entry) is read as it is; Open() rewrites
// it as v2 plus cache-material.log (each atomically, the material first), so an old state
// directory keeps every result. A foreign or newer-format file is set aside as cache.log.unreadable
// and the cache starts empty: never a crash.
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
#include "util/file_bytes.h"
#include "util/flat_hash_index.h"
#include "util/json.h"

namespace mg {

class ActionCache {
 public:
  static constexpr int kFormatVersion = 2;
  static constexpr int kMaterialFormatVersion = 1;
  // The entry member that says who wrote a result: "local" (computed by a run with this state
  // directory), "remote" (copied from the remote tier, or derived from such a copy).
  static constexpr std::string_view kOriginMember = "origin";
  static constexpr std::string_view kLocalOrigin = "local";
  static constexpr std::string_view kRemoteOrigin = "remote";

  // Views into storage the cache owns: valid as long as the cache. 64 bytes: one per cache entry
  // is held for the whole run.
  struct Record {
    std::string_view key;  // 64 hex digits; in storage, "\t" and the result hash follow it
    std::string_view id;
    // The SHA-256 (hex) of the canonical result: the 64 bytes after the key and its tab (the
    // record's layout, "key \t result_hash \t id \t entry", in the file and in what Put stores).
    std::string_view result_hash() const { return std::string_view(key.data() + key.size() + 1, 64); }
    // Canonical JSON of the entry without its key material (v2), or the whole entry (a v1 file
    // opened read-only).
    std::string_view entry_text;
    // The whole entry, key material included (read from cache-material.log on first use; absent
    // members when that record is lost); a null Json when entry_text is not valid JSON.
    const Json& entry() const;
    // The entry's "result" and "finished_at" members, read without parsing the rest of the entry
    // (an observation trusted from the cache needs only these); null / 0 when absent.
    Json result() const;
    int64_t finished_at() const;
    // Whether the result may come from the remote tier: true unless its "origin" member is
    // "local" (kLocalOrigin). Fail-safe: an entry written before the member existed may be a copy
    // of a remote entry, and is treated as one (TaskContext::cached_result_remote).
    bool from_remote() const;

   private:
    friend class ActionCache;
    const ActionCache* owner_ = nullptr;  // for the material; null: entry_text is whole (v1)
    mutable std::unique_ptr<Json> parsed_;  // entry(), once asked for (rarely: explain, a miss)
  };

  // Opens or creates <dir>/cache.log. REQUIRES: `dir` exists and the caller holds the state lock.
  static Result<std::unique_ptr<ActionCache>> Open(const std::string& dir);
  // Reads <dir>/cache.log without changing anything (plan, graph, explain); absent: empty.
  // Put() on a read-only cache returns FailedPrecondition.
  static Result<std::unique_ptr<ActionCache>> OpenReadOnly(const std::string& dir);

  const Record* Get(std::string_view key) const;
  // The first call indexes every record by task id (a pass over the records).
  const Record* LatestFor(std::string_view id) const;

  // Records a finished task. `entry` must hold "result". Survives the process being killed.
  Status Put(const std::string& key, const std::string& id, const Json& entry);
  Status Sync();

  size_t size() const { return by_key_.size(); }
  size_t dropped_records() const { return dropped_; }
  bool set_aside() const { return set_aside_; }

  // Hash of a result as dependents see it: SHA-256 of its canonical JSON.
  static std::string ResultHash(const Json& result);

  // The members of an entry kept in cache-material.log, in canonical order.
  static bool IsMaterialMember(std::string_view name);

 private:
  ActionCache() = default;
  void Index(Record record);
  static Result<std::unique_ptr<ActionCache>> Load(const std::string& dir, bool read_only);
  // Rewrites a v1 file's records (whole entries) as v2 + material; the records then point at the
  // rewritten text.
  Status Migrate();
  Status Compact();
  // The key material recorded for `key` (canonical JSON), or nullopt. Loads cache-material.log on
  // first use.
  std::optional<std::string_view> MaterialFor(std::string_view key) const;
  void LoadMaterial() const;
  // How its files are read: mapped when this cache may write (the caller holds the state
  // directory's lock), copied when read-only (another process may be writing them).
  FileBytes::Load FileLoad() const { return read_only_ ? FileBytes::Load::kCopy : FileBytes::Load::kMap; }

  std::string path_;
  std::string material_path_;
  bool read_only_ = false;
  std::optional<RecordLog> log_;
  std::optional<RecordLog> material_log_;  // opened on the first Put()
  // The material log was missing, empty or started afresh at this open while cache.log kept records:
  // some keys this cache holds may have no material, so Put() writes every key's (see Put()).
  bool material_gaps_ = false;
  // cache-material.log as loaded (on demand), and its index: key -> material text.
  mutable bool material_loaded_ = false;
  mutable FileBytes material_data_;
  mutable std::vector<std::pair<std::string_view, std::string_view>> materials_;
  mutable FlatHashIndex material_by_key_;
  mutable std::deque<std::string> material_appended_;  // material Put() since it was loaded
  // The file as loaded; loaded records point into it. Mapped unless read-only: a writable cache
  // holds the state directory's lock, so its files only grow or are replaced by rename.
  FileBytes data_;
  std::deque<std::string> appended_;  // payloads Put() since; their records point into them
  std::deque<Record> records_;        // in file order; a deque keeps their addresses stable
  FlatHashIndex by_key_;              // key -> index into records_ (the latest record wins)
  // task id -> index into records_ (the latest record wins): built on the first LatestFor(), which
  // a run whose tasks all hit the cache (an --offline no-op) never makes; kept current after.
  mutable FlatHashIndex by_id_;
  mutable bool by_id_built_ = false;
  void IndexId(uint32_t index) const;
  size_t dropped_ = 0;
  bool set_aside_ = false;
};

}  // namespace mg
