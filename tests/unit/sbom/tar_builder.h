// Test helpers: layer tarballs built in memory with libarchive's writer, and raw tar headers for
// archives libarchive's writer refuses to produce.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "util/subprocess.h"

namespace mg::testing {

class TarBuilder {
 public:
  enum class Compression { kNone, kGzip, kZstd };

  // zstd goes through the zstd program: libarchive 3.6.2's zstd writer emits frames that neither
  // zstd(1) nor its own reader accept.
  explicit TarBuilder(Compression c = Compression::kGzip) : zstd_(c == Compression::kZstd) {
    a_ = archive_write_new();
    archive_write_set_format_pax_restricted(a_);
    if (c == Compression::kGzip) archive_write_add_filter_gzip(a_);
    archive_write_open(a_, this, nullptr, &TarBuilder::Write, nullptr);
  }
  ~TarBuilder() {
    if (a_ != nullptr) archive_write_free(a_);
  }
  TarBuilder(const TarBuilder&) = delete;
  TarBuilder& operator=(const TarBuilder&) = delete;

  TarBuilder& File(const std::string& path, const std::string& content, int mode = 0644) {
    return Entry(path, AE_IFREG, mode, content, "", "");
  }
  TarBuilder& Dir(const std::string& path) { return Entry(path, AE_IFDIR, 0755, "", "", ""); }
  TarBuilder& Symlink(const std::string& path, const std::string& target) {
    return Entry(path, AE_IFLNK, 0777, "", target, "");
  }
  TarBuilder& Hardlink(const std::string& path, const std::string& target) {
    return Entry(path, AE_IFREG, 0644, "", "", target);
  }
  // A whiteout marker deleting `name` in `dir` ("" for the root).
  TarBuilder& Whiteout(const std::string& dir, const std::string& name) {
    return File((dir.empty() ? "" : dir + "/") + ".wh." + name, "");
  }
  TarBuilder& Opaque(const std::string& dir) { return File(dir + "/.wh..wh..opq", ""); }

  std::string Finish() {
    archive_write_close(a_);
    archive_write_free(a_);
    a_ = nullptr;
    if (!zstd_) return out_;
    mg::SubprocessOptions o;
    o.argv = {"zstd", "-q", "-c", "-3"};
    o.stdin_data = out_;
    auto r = mg::RunSubprocess(o);
    if (!r.ok() || r->exit_code != 0) throw std::runtime_error("zstd failed: " + (r.ok() ? r->stderr_text : r.status().ToString()));
    return r->stdout_text;
  }

 private:
  static la_ssize_t Write(struct archive*, void* client, const void* buf, size_t n) {
    static_cast<TarBuilder*>(client)->out_.append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  }
  TarBuilder& Entry(const std::string& path, unsigned type, int mode, const std::string& content,
                    const std::string& symlink, const std::string& hardlink) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, path.c_str());
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, static_cast<mode_t>(mode));
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    archive_entry_set_mtime(e, 1700000000, 0);
    if (!symlink.empty()) archive_entry_set_symlink(e, symlink.c_str());
    if (!hardlink.empty()) archive_entry_set_hardlink(e, hardlink.c_str());
    archive_write_header(a_, e);
    if (!content.empty()) archive_write_data(a_, content.data(), content.size());
    archive_entry_free(e);
    return *this;
  }

  archive* a_ = nullptr;
  bool zstd_ = false;
  std::string out_;
};

// One 512-byte ustar header block (checksum filled in). `size` is written in octal (11 digits).
inline std::string RawTarHeader(const std::string& name, unsigned long long size, char type) {
  std::string h(512, '\0');
  std::memcpy(h.data(), name.data(), std::min<size_t>(name.size(), 100));
  std::snprintf(h.data() + 100, 8, "%07o", 0644);
  std::snprintf(h.data() + 108, 8, "%07o", 0);
  std::snprintf(h.data() + 116, 8, "%07o", 0);
  std::snprintf(h.data() + 124, 12, "%011llo", size);
  std::snprintf(h.data() + 136, 12, "%011o", 0);
  h[156] = type;
  std::memcpy(h.data() + 257, "ustar", 6);
  std::memcpy(h.data() + 263, "00", 2);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  h[155] = ' ';
  return h;
}

}  // namespace mg::testing
