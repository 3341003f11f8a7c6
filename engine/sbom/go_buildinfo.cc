#include "sbom/go_buildinfo.h"

#include <algorithm>
#include <cstring>

#include "util/strings.h"

namespace mg {
namespace {

constexpr std::string_view kMagic("\xff Go buildinf:", 14);
constexpr std::string_view kGoPrefix("go1.", 4);
// cmd/go's module info framing (modload.infoStart / infoEnd).
constexpr std::string_view kInfoStart("0w\xaf\x0c\x92t\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6", 16);
constexpr std::string_view kInfoEnd("\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2", 16);
constexpr size_t kTail = 15;          // longest needle - 1
constexpr size_t kHeadBytes = 64 << 10;
constexpr size_t kHeaderSize = 32;
constexpr int kMaxMagic = 4, kMaxCandidates = 256, kMaxModinfo = 4;
constexpr size_t kCandidateBytes = 64;
constexpr uint32_t kPtLoad = 1, kPfX = 1, kPfW = 2;

// Decodes a uvarint at data[*pos]; false when incomplete or longer than 10 bytes.
bool Uvarint(std::string_view data, size_t* pos, uint64_t* value) {
  uint64_t v = 0;
  for (int shift = 0, i = 0; i < 10; ++i, shift += 7) {
    if (*pos >= data.size()) return false;
    unsigned char b = static_cast<unsigned char>(data[(*pos)++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *value = v;
      return true;
    }
  }
  return false;
}

template <typename Fn>
void FindAll(std::string_view hay, std::string_view needle, Fn fn) {
  const char* base = hay.data();
  size_t left = hay.size();
  const char* p = base;
  while (left >= needle.size()) {
    const void* hit = memmem(p, left, needle.data(), needle.size());
    if (hit == nullptr) return;
    const char* h = static_cast<const char*>(hit);
    fn(static_cast<size_t>(h - base));
    left -= static_cast<size_t>(h + 1 - p);
    p = h + 1;
  }
}

std::string StripFraming(std::string mod) {
  if (mod.size() >= 33 && mod[mod.size() - 17] == '\n') return mod.substr(16, mod.size() - 32);
  return "";
}

}  // namespace

GoBinaryScanner::GoBinaryScanner(size_t max_capture) : max_capture_(std::max<size_t>(max_capture, 64)) {}

void GoBinaryScanner::Register(Kind kind, uint64_t start, size_t want, int owner, int which) {
  Capture c;
  c.kind = kind;
  c.start = start;
  c.want = want;
  c.owner = owner;
  c.which = which;
  const uint64_t tail_start = pos_ - tail_.size();
  if (start < pos_) {
    if (start < tail_start) {
      c.done = true;  // already streamed past: unreachable
    } else {
      c.data = tail_.substr(static_cast<size_t>(start - tail_start), want);
      if (c.data.size() >= want) c.done = true;
    }
  }
  captures_.push_back(std::move(c));
}

void GoBinaryScanner::OnMatch(Kind kind, uint64_t offset) {
  switch (kind) {
    case Kind::kMagic:
      if (offset % 16 != 0 || magic_count_ >= kMaxMagic) return;
      ++magic_count_;
      Register(kind, offset, max_capture_);
      return;
    case Kind::kVersionCandidate:
      if (candidate_count_ >= kMaxCandidates) return;
      ++candidate_count_;
      Register(kind, offset, kCandidateBytes);
      return;
    case Kind::kModinfoCandidate:
      if (modinfo_count_ >= kMaxModinfo) return;
      ++modinfo_count_;
      Register(kind, offset, max_capture_);
      return;
    default:
      return;
  }
}

void GoBinaryScanner::Fill(Capture& c, uint64_t offset, std::string_view data) {
  const uint64_t need = c.start + c.data.size();
  const uint64_t end = offset + data.size();
  if (need < offset) {
    c.done = true;  // bytes missing (a sparse hole): leave it incomplete
    return;
  }
  if (need >= end) return;
  size_t from = static_cast<size_t>(need - offset);
  size_t n = std::min<size_t>(data.size() - from, c.want - c.data.size());
  c.data.append(data.substr(from, n));
  if (c.data.size() >= c.want) c.done = true;
}

uint64_t GoBinaryScanner::ReadWord(std::string_view b, size_t size, bool big_endian) const {
  uint64_t v = 0;
  for (size_t i = 0; i < size && i < b.size(); ++i) {
    size_t k = big_endian ? i : size - 1 - i;
    v = (v << 8) | static_cast<unsigned char>(b[k]);
  }
  return v;
}

void GoBinaryScanner::ParseHead() {
  if (segments_known_ || captures_.empty()) return;
  const std::string& h = captures_[0].data;
  if (h.size() < 52 || elf_ != Elf::kYes) return;
  is64_ = h[4] == 2;
  big_endian_ = h[5] == 2;
  if ((h[4] != 1 && h[4] != 2) || (h[5] != 1 && h[5] != 2)) return;
  std::string_view v(h);
  uint64_t phoff = is64_ ? ReadWord(v.substr(32), 8, big_endian_) : ReadWord(v.substr(28), 4, big_endian_);
  uint64_t entsize = ReadWord(v.substr(is64_ ? 54 : 42), 2, big_endian_);
  uint64_t count = ReadWord(v.substr(is64_ ? 56 : 44), 2, big_endian_);
  if (h.size() < 64 && is64_) return;
  const uint64_t min_entsize = is64_ ? 56 : 32;
  if (entsize < min_entsize || count == 0 || phoff > kHeadBytes || count * entsize > kHeadBytes - phoff) return;
  if (phoff + count * entsize > h.size()) return;  // not all here (yet)
  segments_.clear();
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view p = v.substr(static_cast<size_t>(phoff + i * entsize), static_cast<size_t>(entsize));
    uint32_t type = static_cast<uint32_t>(ReadWord(p, 4, big_endian_));
    if (type != kPtLoad) continue;
    Segment s;
    if (is64_) {
      s.flags = static_cast<uint32_t>(ReadWord(p.substr(4), 4, big_endian_));
      s.offset = ReadWord(p.substr(8), 8, big_endian_);
      s.vaddr = ReadWord(p.substr(16), 8, big_endian_);
      s.filesz = ReadWord(p.substr(32), 8, big_endian_);
    } else {
      s.offset = ReadWord(p.substr(4), 4, big_endian_);
      s.vaddr = ReadWord(p.substr(8), 4, big_endian_);
      s.filesz = ReadWord(p.substr(16), 4, big_endian_);
      s.flags = static_cast<uint32_t>(ReadWord(p.substr(24), 4, big_endian_));
    }
    segments_.push_back(s);
  }
  segments_known_ = true;
}

bool GoBinaryScanner::InWritableSegment(uint64_t offset) const {
  for (const Segment& s : segments_) {
    if ((s.flags & (kPfX | kPfW)) == kPfW && offset >= s.offset && offset - s.offset < s.filesz) return true;
  }
  return false;
}

bool GoBinaryScanner::VaddrToOffset(uint64_t vaddr, uint64_t* offset) const {
  for (const Segment& s : segments_) {
    if (vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz) {
      *offset = s.offset + (vaddr - s.vaddr);
      return true;
    }
  }
  return false;
}

bool GoBinaryScanner::InlineComplete(const Capture& c, bool* malformed) const {
  *malformed = false;
  std::string_view d(c.data);
  size_t pos = kHeaderSize;
  for (int i = 0; i < 2; ++i) {
    uint64_t len = 0;
    size_t before = pos;
    if (!Uvarint(d, &pos, &len)) {
      if (d.size() - std::min(d.size(), before) >= 10) *malformed = true;
      return false;
    }
    if (len > max_capture_) {
      *malformed = true;
      return false;
    }
    if (d.size() - pos < len) return false;
    pos += static_cast<size_t>(len);
  }
  return true;
}

void GoBinaryScanner::AfterFill(size_t index) {
  Capture& c = captures_[index];
  switch (c.kind) {
    case Kind::kHead:
      if (elf_ == Elf::kUnknown && c.data.size() >= 4) elf_ = c.data.compare(0, 4, "\x7f" "ELF") == 0 ? Elf::kYes : Elf::kNo;
      if (c.done) ParseHead();
      return;
    case Kind::kMagic: {
      if (c.data.size() < kHeaderSize || c.followed) return;
      const unsigned char ptr_size = static_cast<unsigned char>(c.data[14]);
      const unsigned char flags = static_cast<unsigned char>(c.data[15]);
      if (ptr_size != 4 && ptr_size != 8) {
        c.done = true;
        return;
      }
      if (flags & 2) {
        bool malformed = false;
        if (InlineComplete(c, &malformed)) {
          c.done = true;
          ParseHead();
          if (!segments_known_ || InWritableSegment(c.start)) complete_ = true;
        } else if (malformed) {
          c.done = true;
        }
        return;
      }
      // Pointer format: the header is all; follow the two pointers to the string headers.
      c.done = true;
      c.followed = true;
      c.data.resize(kHeaderSize);
      const bool big = (flags & 1) != 0;
      const uint64_t targets[2] = {ReadWord(std::string_view(c.data).substr(16, ptr_size), ptr_size, big),
                                   ReadWord(std::string_view(c.data).substr(16 + ptr_size, ptr_size), ptr_size, big)};
      ParseHead();
      if (!segments_known_) return;
      for (int which = 0; which < 2; ++which) {
        uint64_t off = 0;
        if (VaddrToOffset(targets[which], &off)) {
          Register(Kind::kPointee, off, 2u * ptr_size, static_cast<int>(index), which);  // invalidates c
        }
      }
      return;
    }
    case Kind::kModinfoCandidate: {
      if (c.done) return;
      size_t from = std::max<size_t>(16, c.scanned >= kTail ? c.scanned - kTail : 0);
      size_t end = c.data.find(kInfoEnd, from);
      c.scanned = c.data.size();
      if (end != std::string::npos) {
        c.data.resize(end + kInfoEnd.size());
        c.done = true;
      }
      return;
    }
    default:
      return;
  }
}

bool GoBinaryScanner::Feed(uint64_t offset, std::string_view data) {
  if (elf_ == Elf::kNo || complete_) return false;
  if (data.empty()) return true;
  if (offset < pos_) {
    uint64_t skip = pos_ - offset;
    if (skip >= data.size()) return true;
    data.remove_prefix(static_cast<size_t>(skip));
    offset = pos_;
  }
  if (offset > pos_) {
    if (pos_ == 0) {
      elf_ = Elf::kNo;  // starts with a hole: not an executable
      return false;
    }
    tail_.clear();
    pos_ = offset;
  }
  if (captures_.empty()) Register(Kind::kHead, 0, kHeadBytes);
  if (elf_ == Elf::kUnknown) {
    Fill(captures_[0], offset, data);
    AfterFill(0);
    if (elf_ == Elf::kNo) return false;
  }

  const std::pair<std::string_view, Kind> needles[] = {
      {kMagic, Kind::kMagic}, {kGoPrefix, Kind::kVersionCandidate}, {kInfoStart, Kind::kModinfoCandidate}};
  if (!tail_.empty()) {
    std::string junction = tail_;
    junction.append(data.substr(0, std::min(kTail, data.size())));
    const uint64_t base = pos_ - tail_.size();
    for (const auto& [needle, kind] : needles) {
      FindAll(junction, needle, [&, kind = kind, n = needle.size()](size_t at) {
        if (at < tail_.size() && at + n > tail_.size()) OnMatch(kind, base + at);
      });
    }
  }
  for (const auto& [needle, kind] : needles) {
    FindAll(data, needle, [&, kind = kind](size_t at) { OnMatch(kind, offset + at); });
  }
  for (size_t i = 0; i < captures_.size(); ++i) {
    if (captures_[i].done) continue;
    Fill(captures_[i], offset, data);
    AfterFill(i);
  }

  if (data.size() >= kTail) {
    tail_.assign(data.substr(data.size() - kTail));
  } else {
    tail_.append(data);
    if (tail_.size() > kTail) tail_.erase(0, tail_.size() - kTail);
  }
  pos_ = offset + data.size();
  return !complete_;
}

Result<GoBuildInfo> GoBinaryScanner::Decode(size_t mi) {
  const Capture& m = captures_[mi];
  const std::string where = "Go build info at offset " + std::to_string(m.start);
  const unsigned char ptr_size = static_cast<unsigned char>(m.data[14]);
  const unsigned char flags = static_cast<unsigned char>(m.data[15]);
  GoBuildInfo info;
  std::string mod;
  if (flags & 2) {
    bool malformed = false;
    if (!InlineComplete(m, &malformed)) {
      return Status::Corruption(where + (malformed ? " is malformed" : " is cut short or larger than " +
                                                                            std::to_string(max_capture_) + " bytes"));
    }
    std::string_view d(m.data);
    size_t pos = kHeaderSize;
    uint64_t len = 0;
    Uvarint(d, &pos, &len);
    info.go_version = std::string(d.substr(pos, static_cast<size_t>(len)));
    pos += static_cast<size_t>(len);
    Uvarint(d, &pos, &len);
    mod = std::string(d.substr(pos, static_cast<size_t>(len)));
  } else {
    if ((flags & ~1u) != 0) return Status::Corruption(where + " has unknown flags " + std::to_string(flags));
    const bool big = (flags & 1) != 0;
    bool have_mod = false;
    for (const Capture& p : captures_) {
      if (p.kind != Kind::kPointee || p.owner != static_cast<int>(mi) || p.data.size() != 2u * ptr_size) continue;
      const uint64_t str = ReadWord(p.data, ptr_size, big);
      const uint64_t len = ReadWord(std::string_view(p.data).substr(ptr_size), ptr_size, big);
      uint64_t off = 0;
      if (len == 0 || !VaddrToOffset(str, &off)) continue;
      const Kind want = p.which == 0 ? Kind::kVersionCandidate : Kind::kModinfoCandidate;
      for (const Capture& s : captures_) {
        if (s.kind == want && s.start == off && s.data.size() >= len) {
          (p.which == 0 ? info.go_version : mod) = s.data.substr(0, static_cast<size_t>(len));
          if (p.which == 1) have_mod = true;
          break;
        }
      }
    }
    if (!have_mod) {
      // The string header was out of reach: the framing sentinels make the module info
      // unambiguous when exactly one complete framed block went past.
      const Capture* only = nullptr;
      int complete = 0;
      for (const Capture& s : captures_) {
        if (s.kind == Kind::kModinfoCandidate && EndsWith(s.data, kInfoEnd) && s.data.size() >= 32) {
          ++complete;
          only = &s;
        }
      }
      if (complete == 1) mod = only->data;
    }
    if (info.go_version.empty() && mod.empty()) return Status::NotFound(where + ": its strings could not be followed");
  }
  if ((flags & 2) != 0 && info.go_version.empty()) return Status::NotFound(where + ": no Go version");
  info.modinfo = StripFraming(std::move(mod));
  return info;
}

Result<GoBuildInfo> GoBinaryScanner::Finish() {
  if (elf_ != Elf::kYes) return Status::NotFound("not an ELF file");
  ParseHead();
  Status first_error;
  for (size_t i = 0; i < captures_.size(); ++i) {
    const Capture& c = captures_[i];
    if (c.kind != Kind::kMagic || c.data.size() < kHeaderSize) continue;
    const unsigned char ptr_size = static_cast<unsigned char>(c.data[14]);
    if (ptr_size != 4 && ptr_size != 8) continue;
    if (segments_known_ && !InWritableSegment(c.start)) continue;
    Result<GoBuildInfo> info = Decode(i);
    if (info.ok()) return info;
    if (first_error.ok() && info.status().code() == Status::Code::kCorruption) first_error = info.status();
  }
  if (!first_error.ok()) return first_error;
  return Status::NotFound("no Go build info");
}

std::vector<Package> GoPackagesFromBuildInfo(const GoBuildInfo& info, std::string_view source_path) {
  std::vector<Package> out;
  auto make = [&](std::string name, std::string version) {
    Package p;
    p.type = "golang";
    p.name = std::move(name);
    p.version = std::move(version);
    p.source_path = std::string(source_path);
    return p;
  };
  bool replaceable = false;  // the previous line was "mod" or "dep"
  bool has_mod = false;
  std::string main_path;
  for (const std::string& line : Split(info.modinfo, '\n')) {
    std::vector<std::string> f = Split(line, '\t');
    if (f.size() < 2 || f[1].empty()) {
      replaceable = false;
      continue;
    }
    if (f[0] == "path") main_path = f[1];
    if (f[0] == "mod" || f[0] == "dep") {
      out.push_back(make(f[1], f.size() > 2 ? f[2] : ""));
      out.back().is_application = f[0] == "mod";
      has_mod = has_mod || f[0] == "mod";
      replaceable = true;
    } else if (f[0] == "=>" && replaceable) {
      // The replacement is what was compiled in. A local directory replacement has no version.
      out.back().name = f[1];
      out.back().version = f.size() > 2 ? f[2] : "";
      replaceable = false;
    } else {
      replaceable = false;
    }
  }
  if (!has_mod && !main_path.empty()) {
    // Built outside module mode (GOPATH, as distributions often do): only the main package's
    // import path is known, without a version.
    out.push_back(make(main_path, ""));
    out.back().is_application = true;
  }
  if (!info.go_version.empty()) out.push_back(make("stdlib", info.go_version));
  return out;
}

}  // namespace mg
