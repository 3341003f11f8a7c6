// RecordLog: an append-only file of checksummed one-line records, the framing shared by the action
// cache and the run journal.
//
// File format (docs/architecture.md): a header line "<magic> v<version>\n", then one record per line:
// "<crc32 as 8 hex digits>\t<payload>\n", where the CRC covers the payload and the payload never
// contains '\n'. A record whose CRC does not match, or a torn last line, is dropped on read.
// Not thread-safe: one owner at a time (the state-dir lock keeps other processes out).
//
// Disk trouble: an append that fails part-way (ENOSPC, EIO, a short write) is undone by truncating
// the file back to the end of the last whole record, so the next record never glues onto a torn
// one. If even that truncation fails, the log refuses every further append (FailedPrecondition
// naming the file); what was written before stays readable either way.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/file_bytes.h"
#include "util/status.h"

namespace mg {

class RecordLog {
 public:
  struct Contents {
    FileBytes data;                       // the whole file; payloads point into it
    std::vector<std::string_view> records;
    size_t dropped = 0;                   // damaged or torn records skipped
    bool header_ok = false;               // false: missing, foreign or a version not accepted
    int version = 0;                      // the header's version when header_ok
  };

  // Reads `path` (absent file: header_ok=false, no records), accepting the header of `version` or
  // of any version from `oldest_version` up (older formats a reader still understands; -1: only
  // `version`). Never fails on damaged content. FileBytes::Load::kMap maps the file instead of
  // copying it: only for a caller that holds the state directory's lock (util/file_bytes.h).
  static Result<Contents> Read(const std::string& path, std::string_view magic, int version,
                               int oldest_version = -1, FileBytes::Load load = FileBytes::Load::kCopy);

  // Opens `path` for appending, writing the header first when the file is new or `truncate`. A
  // torn last record (no LF: a writer killed mid-record) is cut off first, so the next record
  // starts a line of its own instead of being glued to it and dropped with it.
  static Result<RecordLog> OpenForAppend(const std::string& path, std::string_view magic, int version,
                                         bool truncate);
  // Writes the whole of `records` to a temporary file and renames it over `path` (atomic).
  static Status Rewrite(const std::string& path, std::string_view magic, int version,
                        const std::vector<std::string_view>& records);

  RecordLog(RecordLog&& other) noexcept;
  RecordLog& operator=(RecordLog&& other) noexcept;
  RecordLog(const RecordLog&) = delete;
  RecordLog& operator=(const RecordLog&) = delete;
  ~RecordLog();

  // Appends one record with write(2): it survives the process being killed. REQUIRES: no '\n'.
  // Buffered appends collect in memory until the buffer passes 64 KiB, an unbuffered Append, a
  // Flush() or destruction: for records whose loss on a crash costs nothing but a report line.
  Status Append(std::string_view payload);
  Status AppendBuffered(std::string_view payload);
  Status Flush();
  // fdatasync: survives a power loss too.
  Status Sync();

  // The write(2) appends go through; tests inject short writes and ENOSPC.
  using WriteFunction = std::function<ssize_t(int fd, const void* data, size_t size)>;
  void SetWriteFunctionForTesting(WriteFunction write) { write_ = std::move(write); }
  const std::string& path() const { return path_; }

  static std::string Frame(std::string_view payload);
  // Appends Frame(payload) to `out`.
  static void AppendFrame(std::string* out, std::string_view payload);

 private:
  RecordLog(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  Status WriteAll(std::string_view data);
  int fd_ = -1;
  std::string path_;
  std::string buffer_;
  off_t good_size_ = 0;  // the file's size after the last whole record (or the header)
  std::string broken_;   // non-empty: a torn record could not be removed; appends are refused
  WriteFunction write_;  // empty: ::write
};

}  // namespace mg
