#include "sbom/layer_scanner.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <tuple>

#include "sbom/entry_path.h"
#include "sbom/go_buildinfo.h"
#include "sbom/npm_package.h"
#include "sbom/os_release.h"
#include "sbom/package_db.h"
#include "sbom/purl.h"
#include "util/strings.h"

namespace mg {
namespace {

constexpr int kMaxSymlinkHops = 40;

bool IsOsReleasePath(std::string_view p) { return p == "etc/os-release" || p == "usr/lib/os-release"; }

bool IsDpkgPath(std::string_view p) {
  if (p == "var/lib/dpkg/status") return true;
  if (ParentPath(p) != "var/lib/dpkg/status.d") return false;
  std::string_view base = BaseName(p);
  return !base.empty() && base.front() != '.' && !EndsWith(base, ".md5sums");
}

// usr/share/doc/<package>/copyright.
bool IsCopyrightPath(std::string_view p) {
  return BaseName(p) == "copyright" && ParentPath(ParentPath(p)) == "usr/share/doc";
}

// usr/share/doc/<package>: a symlink there is followed to find the copyright file.
bool IsDocDirPath(std::string_view p) { return ParentPath(p) == "usr/share/doc" && !BaseName(p).empty(); }

bool IsApkPath(std::string_view p) { return p == "lib/apk/db/installed" || p == "usr/lib/apk/db/installed"; }

// ".../node_modules/<name>/package.json" or ".../node_modules/@scope/<name>/package.json".
bool IsNodeModulesManifest(std::string_view p) {
  std::string_view dir = ParentPath(p);  // .../node_modules/[@scope/]name
  std::string_view name = BaseName(dir);
  if (name.empty() || name.front() == '.' || name.front() == '@') return false;
  std::string_view up = ParentPath(dir);
  std::string_view up_name = BaseName(up);
  if (up_name == "node_modules") return true;
  if (up_name.size() > 1 && up_name.front() == '@') return BaseName(ParentPath(up)) == "node_modules";
  return false;
}

std::string Mib(size_t bytes) {
  if (bytes % (1 << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes % (1 << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

struct LayerScanner::ReadContext {
  ByteReader* reader = nullptr;
  Status error;

  static la_ssize_t Read(struct archive* a, void* client, const void** buffer) {
    auto* ctx = static_cast<ReadContext*>(client);
    Result<std::string_view> piece = ctx->reader->Read();
    if (!piece.ok()) {
      ctx->error = piece.status();
      archive_set_error(a, EIO, "reading the layer failed");
      return -1;
    }
    *buffer = piece->data();
    return static_cast<la_ssize_t>(piece->size());
  }
};

LayerScanner::LayerScanner(ScanOptions options) : options_(std::move(options)) {}
LayerScanner::~LayerScanner() = default;

void LayerScanner::Warn(std::string message) {
  if (result_.warnings.size() < options_.max_warnings) {
    result_.warnings.push_back(std::move(message));
  } else {
    ++result_.warnings_dropped;
  }
}

bool LayerScanner::IsAppRoot(std::string_view dir) const {
  std::vector<std::string> segs = Split(dir, '/');
  for (const std::string& root : options_.app_roots) {
    std::vector<std::string> pat = Split(root, '/');
    if (pat.size() != segs.size()) continue;
    bool match = true;
    for (size_t i = 0; i < pat.size() && match; ++i) match = !segs[i].empty() && GlobMatch(pat[i], segs[i]);
    if (match) return true;
  }
  return false;
}

// Removes what lower layers (and earlier entries) recorded at `path` and below it.
void LayerScanner::EraseLower(const std::string& path, bool subtree_only_lower) {
  records_.erase(path);
  const std::string prefix = path + "/";
  for (auto it = records_.lower_bound(prefix); it != records_.end() && StartsWith(it->first, prefix);) {
    if (!subtree_only_lower || it->second.layer < layer_) {
      it = records_.erase(it);
    } else {
      ++it;
    }
  }
}

// ".wh..wh..opq" in `dir`: the directory's content from lower layers is gone.
void LayerScanner::EraseDirectoryContent(const std::string& dir) {
  const std::string prefix = dir.empty() ? "" : dir + "/";
  for (auto it = records_.lower_bound(prefix); it != records_.end() && StartsWith(it->first, prefix);) {
    if (it->second.layer < layer_) {
      it = records_.erase(it);
    } else {
      ++it;
    }
  }
}

Status LayerScanner::ReadCapped(archive* a, size_t cap, std::string* out, bool* over_cap, const std::string& where) {
  out->clear();
  *over_cap = false;
  for (;;) {
    const void* buf = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int r = archive_read_data_block(a, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      const char* msg = archive_error_string(a);
      return Status::Corruption(where + ": reading the file failed: " + (msg ? msg : "unknown error"));
    }
    if (offset < 0 || static_cast<uint64_t>(offset) + size > cap) {
      *over_cap = true;
      out->clear();
      return Status::OK();
    }
    out->resize(static_cast<size_t>(offset));  // a sparse hole reads as zeros
    out->append(static_cast<const char*>(buf), size);
  }
  result_.bytes_parsed += out->size();
  return Status::OK();
}

Status LayerScanner::ScanGoBinary(archive* a, const std::string& path, const std::string& where) {
  GoBinaryScanner scanner(options_.max_go_buildinfo_bytes);
  for (;;) {
    const void* buf = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int r = archive_read_data_block(a, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      const char* msg = archive_error_string(a);
      return Status::Corruption(where + ": reading the file failed: " + (msg ? msg : "unknown error"));
    }
    result_.bytes_parsed += size;
    if (!scanner.Feed(static_cast<uint64_t>(std::max<la_int64_t>(offset, 0)),
                      std::string_view(static_cast<const char*>(buf), size))) {
      break;
    }
  }
  Result<GoBuildInfo> info = scanner.Finish();
  if (!info.ok()) {
    if (info.status().code() != Status::Code::kNotFound) Warn(where + ": " + info.status().message());
    return Status::OK();
  }
  Record rec;
  rec.layer = layer_;
  rec.kind = Kind::kGo;
  rec.packages = GoPackagesFromBuildInfo(*info, "/" + path);
  records_[path] = std::move(rec);
  return Status::OK();
}

Status LayerScanner::HandleEntry(archive* a, void* entry_ptr, const std::string& layer_where) {
  auto* entry = static_cast<archive_entry*>(entry_ptr);
  const char* raw = archive_entry_pathname(entry);
  if (raw == nullptr) raw = archive_entry_pathname_utf8(entry);
  if (raw == nullptr) {
    return Status::Corruption(layer_where + ": an entry has no usable name");
  }
  Result<std::string> normalized = NormalizeEntryPath(raw);
  if (!normalized.ok()) return Status::Corruption(layer_where + ": " + normalized.status().message());
  const std::string& path = *normalized;
  if (path.empty()) return Status::OK();  // the root directory itself
  const std::string where = layer_where + ": /" + path;

  const std::string_view base = BaseName(path);
  if (StartsWith(base, ".wh.")) {
    const std::string dir(ParentPath(path));
    if (base == ".wh..wh..opq") {
      EraseDirectoryContent(dir);
    } else if (!StartsWith(base, ".wh..wh.")) {
      std::string victim = (dir.empty() ? "" : dir + "/") + std::string(base.substr(4));
      if (!victim.empty()) EraseLower(victim, /*subtree_only_lower=*/true);
    }
    return Status::OK();
  }

  const mode_t type = archive_entry_filetype(entry);
  if (type == AE_IFDIR) {
    records_.erase(path);  // a file replaced by a directory; the directory's content merges
    return Status::OK();
  }
  EraseLower(path, /*subtree_only_lower=*/false);  // a non-directory replaces whatever was there

  if (const char* link = archive_entry_hardlink(entry); link != nullptr) {
    Result<std::string> target = NormalizeEntryPath(link);
    if (!target.ok()) return Status::Corruption(where + ": hard link target: " + target.status().message());
    auto it = records_.find(*target);
    if (it != records_.end() && it->second.kind != Kind::kSymlink) {
      Record copy = it->second;
      copy.layer = layer_;
      for (Package& p : copy.packages) p.source_path = "/" + path;
      if (copy.kind == Kind::kOsRelease) {
        auto os = std::make_shared<OsInfo>(*copy.os);
        os->source_path = "/" + path;
        copy.os = std::move(os);
      }
      records_[path] = std::move(copy);
    }
    return Status::OK();
  }
  if (type == AE_IFLNK) {
    if (IsOsReleasePath(path) || IsCopyrightPath(path) || IsDocDirPath(path)) {
      const char* target = archive_entry_symlink(entry);
      Record rec;
      rec.layer = layer_;
      rec.kind = Kind::kSymlink;
      rec.link_target = target == nullptr ? "" : target;
      records_[path] = std::move(rec);
    }
    return Status::OK();
  }
  if (type != AE_IFREG) return Status::OK();

  const la_int64_t declared = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : -1;
  auto read = [&](size_t cap, std::string* text, bool* over) -> Status {
    if (declared >= 0 && static_cast<uint64_t>(declared) > cap) {
      *over = true;
      return Status::OK();
    }
    return ReadCapped(a, cap, text, over, where);
  };
  std::string text;
  bool over = false;
  Record rec;
  rec.layer = layer_;

  if (IsOsReleasePath(path)) {
    MG_RETURN_IF_ERROR(read(options_.max_os_release_bytes, &text, &over));
    if (over) {
      Warn(where + ": larger than " + Mib(options_.max_os_release_bytes) + "; ignored");
      return Status::OK();
    }
    rec.kind = Kind::kOsRelease;
    auto os = std::make_shared<OsInfo>(ParseOsRelease(text));
    os->source_path = "/" + path;
    rec.os = std::move(os);
  } else if (IsCopyrightPath(path)) {
    MG_RETURN_IF_ERROR(read(options_.max_copyright_bytes, &text, &over));
    if (over) {
      Warn(where + ": larger than " + Mib(options_.max_copyright_bytes) + "; its package's license is NOASSERTION");
      return Status::OK();
    }
    rec.kind = Kind::kCopyright;
    rec.license = std::make_shared<DeclaredLicense>(DebianCopyrightLicense(text, "/" + path));
  } else if (IsDpkgPath(path) || IsApkPath(path)) {
    MG_RETURN_IF_ERROR(read(options_.max_database_bytes, &text, &over));
    if (over) {
      return Status::FailedPrecondition(where + ": the package database is larger than the " +
                                        Mib(options_.max_database_bytes) +
                                        " limit (ScanOptions::max_database_bytes); no SBOM is better than a partial one");
    }
    rec.kind = IsApkPath(path) ? Kind::kApk : Kind::kDpkg;
    rec.packages = rec.kind == Kind::kApk ? ParseApkInstalled(text, "/" + path) : ParseDpkgStatus(text, "/" + path);
  } else if (base == "package.json" && (IsNodeModulesManifest(path) || IsAppRoot(ParentPath(path)))) {
    const bool app = !IsNodeModulesManifest(path);
    MG_RETURN_IF_ERROR(read(options_.max_package_json_bytes, &text, &over));
    if (over) {
      Warn(where + ": larger than " + Mib(options_.max_package_json_bytes) + "; skipped");
      return Status::OK();
    }
    Result<Package> pkg = ParseNpmPackageJson(text, "/" + path, /*require_version=*/!app);
    if (!pkg.ok()) {
      Warn(layer_where + ": " + pkg.status().message() + "; skipped");
      return Status::OK();
    }
    pkg->is_application = app;
    rec.kind = Kind::kNpm;
    rec.packages.push_back(std::move(pkg).value());
  } else if (options_.go_binaries && (archive_entry_perm(entry) & 0111) != 0 && declared != 0) {
    return ScanGoBinary(a, path, where);
  } else {
    return Status::OK();
  }
  records_[path] = std::move(rec);
  return Status::OK();
}

Status LayerScanner::ScanArchive(archive* a, ReadContext& ctx, const std::string& where) {
  uint64_t entries = 0;
  std::string last;  // the last entry's name, for messages
  auto fail = [&]() -> Status {
    if (!ctx.error.ok()) return ctx.error.WithContext(where);
    const char* msg = archive_error_string(a);
    std::string what = archive_format(a) == 0 ? "not readable as a tar archive (uncompressed, gzip or zstd)"
                       : entries == 0         ? "at the first entry"
                                              : "after entry #" + std::to_string(entries) + " (" + last + ")";
    return Status::Corruption(where + ": " + what + ": " + (msg ? msg : "unknown error"));
  };
  if (archive_read_open(a, &ctx, nullptr, &ReadContext::Read, nullptr) != ARCHIVE_OK) return fail();
  for (;;) {
    archive_entry* entry = nullptr;
    int r = archive_read_next_header(a, &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return fail();
    if (r == ARCHIVE_WARN) {
      const char* msg = archive_error_string(a);
      Warn(where + ": " + (msg ? msg : "libarchive warning"));
    }
    ++entries;
    ++result_.entries;
    const char* name = archive_entry_pathname(entry);
    last = name == nullptr ? "?" : std::string(name).substr(0, 256);
    Status s = HandleEntry(a, entry, where);
    if (!s.ok()) {
      if (!ctx.error.ok()) return ctx.error.WithContext(where);
      return s;
    }
  }
  return Status::OK();
}

Status LayerScanner::AddLayer(ByteReader& layer, std::string_view label) {
  if (failed_ || finished_) {
    return Status::FailedPrecondition(failed_ ? "the SBOM scanner already failed on an earlier layer"
                                              : "the SBOM scanner was already finished");
  }
  ++layer_;
  ++result_.layers;
  std::string where = "layer " + std::to_string(layer_);
  if (!label.empty()) where += " (" + std::string(label) + ")";

  archive* a = archive_read_new();
  if (a == nullptr) return Status::Internal(where + ": archive_read_new failed");
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_zstd(a);
  archive_read_support_filter_none(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_empty(a);
  ReadContext ctx;
  ctx.reader = &layer;
  Status s = ScanArchive(a, ctx, where);
  archive_read_free(a);
  if (!s.ok()) failed_ = true;
  return s;
}

Result<OsInfo> LayerScanner::ResolveOs() const {
  for (const char* start : {"etc/os-release", "usr/lib/os-release"}) {
    std::string path = start;
    std::string chain = "/" + path;
    for (int hops = 0;; ++hops) {
      auto it = records_.find(path);
      if (it == records_.end()) break;
      if (it->second.kind == Kind::kOsRelease) return *it->second.os;
      if (it->second.kind != Kind::kSymlink) break;
      if (hops >= kMaxSymlinkHops) {
        return Status::Corruption("/" + std::string(start) + ": more than " + std::to_string(kMaxSymlinkHops) +
                                  " symbolic links to follow (a loop: " + chain + ")");
      }
      path = ResolveLinkTarget(path, it->second.link_target);
      if (hops < 4) chain += " -> /" + path;
    }
  }
  return OsInfo{};
}

// The license in usr/share/doc/<package>/copyright, following symlinks at the file or at the
// package's doc directory; null when there is none (or a loop).
const DeclaredLicense* LayerScanner::CopyrightOf(const std::string& package) const {
  if (package.empty() || package.find('/') != std::string::npos || package == "." || package == "..") return nullptr;
  std::string path = "usr/share/doc/" + package + "/copyright";
  for (int hops = 0; hops < kMaxSymlinkHops; ++hops) {
    auto it = records_.find(path);
    if (it != records_.end()) {
      if (it->second.kind == Kind::kCopyright) return it->second.license.get();
      if (it->second.kind != Kind::kSymlink) return nullptr;
      path = ResolveLinkTarget(path, it->second.link_target);
      continue;
    }
    const std::string dir(ParentPath(path));
    auto d = records_.find(dir);
    if (dir.empty() || d == records_.end() || d->second.kind != Kind::kSymlink) return nullptr;
    path = ResolveLinkTarget(dir, d->second.link_target) + "/copyright";
  }
  return nullptr;
}

Result<ScanResult> LayerScanner::Finish() {
  if (failed_) return Status::FailedPrecondition("the SBOM scanner failed on an earlier layer");
  if (finished_) return Status::FailedPrecondition("the SBOM scanner was already finished");
  finished_ = true;
  Result<OsInfo> os = ResolveOs();
  if (!os.ok()) return os.status();
  ScanResult out = std::move(result_);
  out.os = *os;
  for (auto& [path, rec] : records_) {
    for (Package& p : rec.packages) {
      p.purl = PurlFor(p, out.os);
      if (p.type == "deb") {
        if (const DeclaredLicense* l = CopyrightOf(p.name); l != nullptr) p.copyright_license = *l;
      }
      out.packages.push_back(std::move(p));
    }
  }
  records_.clear();
  auto key = [](const Package& p) {
    return std::tie(p.type, p.name, p.version, p.source_path, p.arch, p.purl, p.license);
  };
  std::sort(out.packages.begin(), out.packages.end(), [&](const Package& x, const Package& y) { return key(x) < key(y); });
  out.packages.erase(std::unique(out.packages.begin(), out.packages.end(),
                                 [&](const Package& x, const Package& y) { return key(x) == key(y); }),
                     out.packages.end());
  return out;
}

}  // namespace mg
