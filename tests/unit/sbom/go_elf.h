// Test helper: a minimal ELF64 little-endian executable carrying Go build information, laid out
// as Go's linker does (no Go toolchain on the test machines, so the bytes are crafted here):
//
//   [0, 0x40)          ELF header; program headers at 0x40: PT_LOAD R+X over [0, data_off),
//                      PT_LOAD R+W over [data_off, end)
//   0x1000             a decoy "\xff Go buildinf:" blob in the read-only segment (as in binaries
//                      that embed the magic as a string); it must be ignored
//   ...                pseudo-random filler, then (pointer format) the version string and the
//                      framed module info, as .rodata holds them
//   data_off           the build info blob: 32-byte header, then (Go 1.18+ inline format) the
//                      two uvarint-prefixed strings; (Go 1.13-1.17 pointer format) pointers to
//                      the Go string headers at data_off + 0x100 / + 0x110, which point back
//                      into the read-only segment
//   ...                more filler
#pragma once

#include <cstdint>
#include <string>

namespace mg::testing {

inline const std::string kGoInfoStart("0w\xaf\x0c\x92t\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6", 16);
inline const std::string kGoInfoEnd("\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2", 16);

inline void PutLe(std::string* s, size_t at, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) (*s)[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

inline std::string Uvarint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

inline std::string Filler(size_t n, uint32_t seed) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    out[i] = static_cast<char>(seed >> 24);
  }
  return out;
}

// `modinfo` is the module lines ("path\t..\nmod\t..\n"); it is framed with the sentinels here.
inline std::string MakeGoElf(bool inline_format, const std::string& go_version, const std::string& modinfo,
                             size_t filler = 150000) {
  const uint64_t kText = 0x400000;
  const std::string framed = kGoInfoStart + modinfo + kGoInfoEnd;
  std::string f(0x1000, '\0');
  // Decoy: a well-formed inline blob in the read-only segment.
  std::string decoy = std::string("\xff Go buildinf:", 14) + std::string("\x08\x02", 2) + std::string(16, '\0') +
                      Uvarint(9) + "go0.decoy" + Uvarint(0);
  f += decoy;
  f += Filler(filler, 7);
  const uint64_t version_off = f.size() + 3;  // deliberately unaligned, as .rodata strings are
  f += "xyz" + go_version;
  f += Filler(1000, 11);
  const uint64_t mod_off = f.size();
  f += framed;
  f += Filler(5000, 13);
  const uint64_t data_off = (f.size() + 0xfff) & ~uint64_t{0xfff};
  f.resize(data_off, '\0');
  const uint64_t kData = 0x800000 + data_off;

  std::string blob = std::string("\xff Go buildinf:", 14);
  blob.push_back('\x08');
  blob.push_back(inline_format ? '\x02' : '\x00');
  blob.resize(32, '\0');
  if (inline_format) {
    blob += Uvarint(go_version.size()) + go_version + Uvarint(framed.size()) + framed;
  } else {
    PutLe(&blob, 16, kData + 0x100, 8);
    PutLe(&blob, 24, kData + 0x110, 8);
    blob.resize(0x120, '\0');
    PutLe(&blob, 0x100, kText + version_off, 8);
    PutLe(&blob, 0x108, go_version.size(), 8);
    PutLe(&blob, 0x110, kText + mod_off, 8);
    PutLe(&blob, 0x118, framed.size(), 8);
  }
  f += blob;
  f += Filler(filler / 2, 17);

  // ELF header and program headers.
  std::string h(0x40 + 2 * 56, '\0');
  h[0] = '\x7f';
  h[1] = 'E';
  h[2] = 'L';
  h[3] = 'F';
  h[4] = 2;  // ELFCLASS64
  h[5] = 1;  // little-endian
  h[6] = 1;
  PutLe(&h, 16, 2, 2);     // ET_EXEC
  PutLe(&h, 18, 62, 2);    // x86-64
  PutLe(&h, 20, 1, 4);
  PutLe(&h, 24, kText + 0x1000, 8);
  PutLe(&h, 32, 0x40, 8);  // e_phoff
  PutLe(&h, 52, 64, 2);
  PutLe(&h, 54, 56, 2);    // e_phentsize
  PutLe(&h, 56, 2, 2);     // e_phnum
  auto phdr = [&](size_t at, uint32_t flags, uint64_t off, uint64_t vaddr, uint64_t size) {
    PutLe(&h, at, 1, 4);  // PT_LOAD
    PutLe(&h, at + 4, flags, 4);
    PutLe(&h, at + 8, off, 8);
    PutLe(&h, at + 16, vaddr, 8);
    PutLe(&h, at + 24, vaddr, 8);
    PutLe(&h, at + 32, size, 8);
    PutLe(&h, at + 40, size, 8);
    PutLe(&h, at + 48, 0x1000, 8);
  };
  phdr(0x40, 5, 0, kText, data_off);                     // R+X
  phdr(0x40 + 56, 6, data_off, kData, f.size() - data_off);  // R+W
  f.replace(0, h.size(), h);
  return f;
}

}  // namespace mg::testing
