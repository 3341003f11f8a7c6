// Go build information embedded in executables (what `go version -m` prints), found by streaming
// the file once: no seeking, bounded memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sbom/package.h"
#include "util/status.h"

namespace mg {

struct GoBuildInfo {
  std::string go_version;  // "go1.22.1"; empty when the old format's pointer could not be followed
  std::string modinfo;     // the module lines ("path\t..", "mod\t..", "dep\t..", "=>\t.."), framing removed
};

// Finds the build info blob of a Go ELF executable as it streams past.
//
// The blob starts with "\xff Go buildinf:" at a 16-byte aligned offset inside a writable,
// non-executable PT_LOAD segment (read from the program headers, which must lie in the first
// 64 KiB). Byte 14 is the pointer size (4 or 8), byte 15 the flags:
//  * flags & 2 (Go 1.18+): the Go version and the module info follow the 32-byte header as two
//    uvarint-length-prefixed strings;
//  * otherwise (Go 1.13-1.17): two pointers (endianness per flags & 1) to the Go string headers
//    (pointer, length) of runtime.buildVersion and runtime.modinfo. The scanner follows them while
//    streaming: the string headers lie after the blob; their bytes usually lie before it (in
//    .rodata), so it keeps, as they pass, up to 256 short captures at each "go1." and up to 4 at
//    each module-info start sentinel, and matches them by file offset at the end.
// The module info is framed by 16-byte sentinels, which are removed.
//
// Memory: at most 4 blob captures and 4 module-info captures of `max_capture` bytes each, plus
// 64 KiB of headers and 16 KiB of version candidates. Not thread-safe.
class GoBinaryScanner {
 public:
  explicit GoBinaryScanner(size_t max_capture = size_t{1} << 20);

  // Feeds the file's bytes at `offset` (non-decreasing; a gap is a sparse hole). Returns false
  // when no more input is needed (not ELF, or the build info is complete).
  bool Feed(uint64_t offset, std::string_view data);

  // After the last Feed. NotFound: not an ELF file, or no Go build info. Corruption: a build
  // info blob that is cut short, longer than max_capture, or malformed.
  Result<GoBuildInfo> Finish();

 private:
  enum class Kind { kHead, kMagic, kVersionCandidate, kModinfoCandidate, kPointee };
  struct Capture {
    Kind kind;
    uint64_t start;
    size_t want;
    std::string data;
    bool done = false;
    int owner = -1;         // kPointee: index of its kMagic capture
    int which = 0;          // kPointee: 0 runtime.buildVersion, 1 runtime.modinfo
    bool followed = false;  // kMagic, pointer format: pointees registered
    size_t scanned = 16;    // kModinfoCandidate: searched for the end sentinel up to here
  };
  struct Segment {
    uint64_t vaddr, offset, filesz;
    uint32_t flags;
  };

  void OnMatch(Kind kind, uint64_t offset);
  void Register(Kind kind, uint64_t start, size_t want, int owner = -1, int which = 0);
  void Fill(Capture& c, uint64_t offset, std::string_view data);
  void AfterFill(size_t index);
  void ParseHead();
  bool InWritableSegment(uint64_t offset) const;
  bool VaddrToOffset(uint64_t vaddr, uint64_t* offset) const;
  uint64_t ReadWord(std::string_view bytes, size_t size, bool big_endian) const;
  Result<GoBuildInfo> Decode(size_t magic_index);
  bool InlineComplete(const Capture& c, bool* malformed) const;

  size_t max_capture_;
  enum class Elf { kUnknown, kYes, kNo } elf_ = Elf::kUnknown;
  bool head_parsed_ = false;
  bool segments_known_ = false;
  bool is64_ = true;
  bool big_endian_ = false;
  std::vector<Segment> segments_;
  std::vector<Capture> captures_;
  int magic_count_ = 0, candidate_count_ = 0, modinfo_count_ = 0;
  bool complete_ = false;
  uint64_t pos_ = 0;      // offset just past the last byte fed
  std::string tail_;      // the bytes just before pos_ (at most 15), for matches across pieces
};

// The packages a Go binary at `source_path` declares: the main module ("mod" line,
// is_application; without one, as in GOPATH builds, the main package's "path" without a
// version), each dependency ("dep", or its "=>" replacement when one follows), and the standard
// library ("stdlib", version = the Go version). type "golang", purl left empty.
std::vector<Package> GoPackagesFromBuildInfo(const GoBuildInfo& info, std::string_view source_path);

}  // namespace mg
