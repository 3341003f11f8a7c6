// FileBytes: the whole content of a file, held either as a private read-only mapping of it or as a
// heap copy; views into the bytes stay valid for the object's lifetime (and across a move, except
// for a copy short enough to sit inside the string object).
//
// Why a mapping: the action cache of a 100,000-task graph is ~33 MB that a no-op reads whole and
// points into. read(2) into the heap costs fresh anonymous pages (zeroed by the kernel, then
// copied into); a mapping shares the page cache's pages, which hold the file already
// (docs/benchmarks.md §1, seventh round).
//
// Contract of a mapping (FileBytes::Load::kMap): use it only for files whose writers only append
// or replace by rename (RecordLog, WriteFileAtomic) and are kept out by a lock the caller holds
// (the state directory's). Appends after the mapping are not seen; a rename over the path leaves
// the mapped (old) file intact. A file that shrinks anyway (another program truncating it, which
// no lock of ours stops) makes a read of a page past its new end raise SIGBUS: the process then
// stops at once with exit code kShrunkExitCode and a message naming the file, never a crash: a
// SIGBUS handler, (re)installed at every new mapping, knows every live mapping; a SIGBUS about
// anything else goes on to the action installed before it (the default: the process ends by
// SIGBUS as it would have). That stop is abrupt, like a kill: no report, the journal's buffered
// lines lost; the rerun resumes from what was written through. A file rewritten in place without
// shrinking (cp, rsync --inplace) is not detected: the records then read changed bytes whose CRCs
// were checked at load. Neither is a lock's business; the state directory is mirrorgraph's.
//
// Thread-safety: const access from any thread; move-only.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/status.h"

namespace mg {

class FileBytes {
 public:
  enum class Load : uint8_t {
    kCopy,  // read(2) into the heap: any file, any writer
    kMap,   // mmap when the file is a regular file of at least kMapThreshold bytes; else a copy
  };
  // Smaller files are copied whatever the mode: a mapping costs a VMA and at least a page.
  static constexpr size_t kMapThreshold = 64 * 1024;
  // The exit code when a mapped file shrank under the process: the CLI's "state directory
  // unusable" (docs/cli.md, exit codes; a static_assert in engine/cli/options.cc checks they agree).
  static constexpr int kShrunkExitCode = 3;
  // At most this many mappings are live at once (the cache and its material log use two); a
  // further file is copied instead.
  static constexpr int kMaxMappings = 16;

  FileBytes() = default;
  explicit FileBytes(std::string copy) : copy_(std::move(copy)) {}
  FileBytes(FileBytes&& other) noexcept;
  FileBytes& operator=(FileBytes&& other) noexcept;
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes();

  // The content of `path`. NotFound when it does not exist; IOError otherwise (the path and the
  // reason in the message). A mapping that fails (a file system without mmap) falls back to a copy.
  static Result<FileBytes> Read(const std::string& path, Load load);

  std::string_view view() const { return map_ != nullptr ? std::string_view(map_, map_size_) : std::string_view(copy_); }
  bool empty() const { return view().empty(); }
  size_t size() const { return view().size(); }
  bool mapped() const { return map_ != nullptr; }

 private:
  void Release() noexcept;
  const char* map_ = nullptr;  // owned mapping of map_size_ bytes, or null
  int guard_slot_ = -1;        // its entry in the SIGBUS handler's table while mapped
  size_t map_size_ = 0;
  std::string copy_;
};

}  // namespace mg
