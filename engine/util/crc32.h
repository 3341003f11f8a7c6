// CRC-32 (IEEE 802.3, the zlib/PNG polynomial 0xEDB88320 reflected) for framing on-disk records.
#pragma once

#include <cstdint>
#include <string_view>

namespace mg {

// CRC-32 of `data`; Crc32("123456789") == 0xCBF43926. The values zlib's crc32_z computes (and the
// project's earlier slicing-by-8 code wrote), so existing record logs stay readable
// (tests/unit/util/crc32_test.cc pins them). On x86-64 with PCLMULQDQ, inputs of 64 bytes and
// more are folded by carry-less multiplication (a 100,000-record cache, 32 MB checked record by
// record at every start: 3 ms instead of zlib's 15, docs/benchmarks.md §1); elsewhere, and for
// the last 0-15 bytes, zlib.
// Thread-safe.
uint32_t Crc32(std::string_view data);

// The CRC-32 of the bytes `crc` was computed over followed by `data` (zlib's crc32 chaining:
// Crc32Extend(Crc32(a), b) == Crc32(a + b); Crc32Extend(0, b) == Crc32(b)).
uint32_t Crc32Extend(uint32_t crc, std::string_view data);

// Whether this machine takes the PCLMULQDQ path (for tests and benchmarks to report).
bool Crc32UsesPclmul();

}  // namespace mg
