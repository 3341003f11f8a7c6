// LayerScanner: lists what is installed in a container image by streaming its layers once.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sbom/byte_reader.h"
#include "sbom/package.h"
#include "util/status.h"

struct archive;

namespace mg {

struct ScanOptions {
  // Directories holding the application's own package.json, relative to the image root; '*'
  // matches exactly one path segment ("opt/*" covers /opt/foo/package.json, not /opt/a/b/...).
  std::vector<std::string> app_roots = {"app", "usr/src/app", "opt/*", "srv/*", "home/*/app", "workspace"};
  size_t max_database_bytes = size_t{16} << 20;    // dpkg status, each status.d entry, apk installed
  size_t max_package_json_bytes = size_t{1} << 20;  // each package.json
  size_t max_os_release_bytes = size_t{64} << 10;
  size_t max_copyright_bytes = size_t{1} << 20;     // each usr/share/doc/<package>/copyright
  size_t max_go_buildinfo_bytes = size_t{1} << 20;  // GoBinaryScanner's max_capture
  bool go_binaries = true;                          // look into executable ELF files
  size_t max_warnings = 100;
};

// Feed the layers of one image in order, base layer first, then Finish(). The scanner keeps a
// view of the final filesystem restricted to the files it parses, so a later layer's whiteout
// (".wh.<name>": <name> and everything under it is gone; ".wh..wh..opq": the directory's content
// from lower layers is gone) or replacement of a file or directory removes what lower layers
// declared. Other ".wh..wh.*" entries (aufs metadata) are ignored. A deb package's license comes
// from usr/share/doc/<name>/copyright in the final filesystem (sbom/license.h).
//
// Safety: nothing is written anywhere. Entry names are normalised; an absolute name or one that
// climbs above the root with ".." makes the layer an error (Corruption) rather than being
// reinterpreted. Symbolic links are never followed, except etc/os-release -> usr/lib/os-release
// style links between the os-release files, resolved inside the image with a hop limit (a loop is
// an error), and links at usr/share/doc/<name> or usr/share/doc/<name>/copyright (a -dev
// package's doc directory pointing at its library's), resolved the same way (a loop: no license). Hard links to a parsed file count as another copy at the link's path. Only the files
// listed in docs/sbom.md are read, each up to its cap (ScanOptions); executables are streamed
// through GoBinaryScanner, never held. Everything else is skipped (still decompressed: gzip cannot
// seek). A database over its cap is an error (a silently partial SBOM would mislead); a
// package.json over its cap or unparsable is a warning in the result.
//
// Errors (the scanner is unusable afterwards; later calls return FailedPrecondition):
//  * Corruption: not a tar (after gzip/zstd/no compression, detected), bad compressed data, a
//    truncated archive, a hostile entry name, a symlink loop between the os-release files; the
//    message names the layer (index and label) and the entry.
//  * FailedPrecondition: a package database over max_database_bytes (the message says which).
//  * whatever the ByteReader returns (its message kept).
// Not thread-safe; one scanner per image.
class LayerScanner {
 public:
  explicit LayerScanner(ScanOptions options = {});
  ~LayerScanner();
  LayerScanner(const LayerScanner&) = delete;
  LayerScanner& operator=(const LayerScanner&) = delete;

  // Reads one layer blob (a tar, optionally gzip- or zstd-compressed) to its end-of-archive
  // marker. `label` names the layer in messages (its digest).
  Status AddLayer(ByteReader& layer, std::string_view label = "");

  // The packages in the final filesystem, with purls computed for the OS found.
  Result<ScanResult> Finish();

 private:
  enum class Kind { kOsRelease, kDpkg, kApk, kNpm, kGo, kCopyright, kSymlink };
  // What was parsed at one path. Kept small: there is one per package.json in the image.
  struct Record {
    int layer = 0;
    Kind kind = Kind::kSymlink;
    std::vector<Package> packages;
    std::shared_ptr<const OsInfo> os;  // kOsRelease (shared by hard-link copies)
    std::shared_ptr<const DeclaredLicense> license;  // kCopyright (likewise)
    std::string link_target;           // kSymlink
  };
  struct ReadContext;

  Status ScanArchive(archive* a, ReadContext& ctx, const std::string& where);
  Status HandleEntry(archive* a, void* entry, const std::string& where);
  Status ReadCapped(archive* a, size_t cap, std::string* out, bool* over_cap, const std::string& where);
  Status ScanGoBinary(archive* a, const std::string& path, const std::string& where);
  void EraseLower(const std::string& path, bool subtree_only_lower);
  void EraseDirectoryContent(const std::string& dir);
  void Warn(std::string message);
  bool IsAppRoot(std::string_view dir) const;
  Result<OsInfo> ResolveOs() const;
  const DeclaredLicense* CopyrightOf(const std::string& package) const;

  ScanOptions options_;
  std::map<std::string, Record> records_;  // normalised path -> what was parsed there
  ScanResult result_;
  int layer_ = 0;
  bool failed_ = false;
  bool finished_ = false;
};

}  // namespace mg
