#include "util/crc32.h"

#include <zlib.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace mg {
namespace {

// zlib's crc32_z: the portable path, the short inputs and the tails of the folded ones.
uint32_t ZlibCrc32(uint32_t crc, const char* data, size_t n) {
  return static_cast<uint32_t>(crc32_z(crc, reinterpret_cast<const Bytef*>(data), n));
}

#if defined(__x86_64__)
// CRC-32 by carry-less multiplication (Intel's "Fast CRC Computation for Generic Polynomials Using
// PCLMULQDQ", the bit-reflected form): four 128-bit lanes folded 64 bytes at a time, folded into one,
// then 128 -> 64 -> 32 bits and a Barrett reduction. The constants are the published ones for the
// reflected polynomial 0xEDB88320: x^(k) mod P(x), bit-reflected and shifted left by one.
constexpr uint64_t kFold512Lo = 0x154442bd4;  // 4 lanes ahead: x^(4*128+32) mod P
constexpr uint64_t kFold512Hi = 0x1c6e41596;  // x^(4*128-32) mod P
constexpr uint64_t kFold128Lo = 0x1751997d0;  // 1 lane ahead: x^(128+32) mod P
constexpr uint64_t kFold128Hi = 0x0ccaa009e;  // x^(128-32) mod P
constexpr uint64_t kFold64 = 0x163cd6124;     // x^64 mod P
constexpr uint64_t kPoly = 0x1db710641;       // P(x), reflected
constexpr uint64_t kMu = 0x1f7011641;         // floor(x^64 / P(x)), reflected

#define MG_CRC_TARGET __attribute__((target("pclmul,sse2")))

MG_CRC_TARGET inline __m128i Load(const char* at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at)); }

// x's low half times k's low half plus x's high half times k's high half, plus `next`: x moved
// forward over the distance k's constants stand for, and the data found there added.
MG_CRC_TARGET inline __m128i Fold(__m128i x, __m128i k, __m128i next) {
  return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), next);
}

// `state` is the running register (zlib's value inverted). REQUIRES: n >= 64, n % 16 == 0.
MG_CRC_TARGET uint32_t FoldPclmul(uint32_t state, const char* p, size_t n) {
  __m128i x0 = _mm_xor_si128(Load(p), _mm_cvtsi32_si128(static_cast<int>(state)));
  __m128i x1 = Load(p + 16);
  __m128i x2 = Load(p + 32);
  __m128i x3 = Load(p + 48);
  p += 64;
  n -= 64;
  const __m128i k512 = _mm_set_epi64x(static_cast<long long>(kFold512Hi), static_cast<long long>(kFold512Lo));
  while (n >= 64) {
    x0 = Fold(x0, k512, Load(p));
    x1 = Fold(x1, k512, Load(p + 16));
    x2 = Fold(x2, k512, Load(p + 32));
    x3 = Fold(x3, k512, Load(p + 48));
    p += 64;
    n -= 64;
  }
  const __m128i k128 = _mm_set_epi64x(static_cast<long long>(kFold128Hi), static_cast<long long>(kFold128Lo));
  __m128i x = Fold(x0, k128, x1);
  x = Fold(x, k128, x2);
  x = Fold(x, k128, x3);
  while (n >= 16) {
    x = Fold(x, k128, Load(p));
    p += 16;
    n -= 16;
  }
  // 128 -> 64 bits: the low half times x^(128-32), added to the high half.
  x = _mm_xor_si128(_mm_srli_si128(x, 8), _mm_clmulepi64_si128(x, k128, 0x10));
  // 64 -> 32 bits.
  const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
  const __m128i k64 = _mm_set_epi64x(0, static_cast<long long>(kFold64));
  x = _mm_xor_si128(_mm_srli_si128(x, 4), _mm_clmulepi64_si128(_mm_and_si128(x, mask32), k64, 0x00));
  // Barrett reduction to the 32-bit remainder.
  const __m128i kpm = _mm_set_epi64x(static_cast<long long>(kMu), static_cast<long long>(kPoly));
  __m128i t = _mm_clmulepi64_si128(_mm_and_si128(x, mask32), kpm, 0x10);
  t = _mm_clmulepi64_si128(_mm_and_si128(t, mask32), kpm, 0x00);
  x = _mm_xor_si128(x, t);
  return static_cast<uint32_t>(_mm_cvtsi128_si32(_mm_srli_si128(x, 4)));
}
#undef MG_CRC_TARGET

bool HavePclmul() {
  static const bool have = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse2");
  return have;
}
#endif

}  // namespace

uint32_t Crc32(std::string_view data) { return Crc32Extend(0, data); }

uint32_t Crc32Extend(uint32_t crc, std::string_view data) {
  const char* p = data.data();
  size_t n = data.size();
#if defined(__x86_64__)
  // From one 64-byte block up (the folding's minimum) it beats zlib's tables: a cache record of
  // ~320 bytes takes a quarter of zlib's time.
  if (n >= 64 && HavePclmul()) {
    const size_t folded = n & ~size_t{15};
    crc = ~FoldPclmul(~crc, p, folded);
    p += folded;
    n -= folded;
  }
#endif
  return ZlibCrc32(crc, p, n);
}

bool Crc32UsesPclmul() {
#if defined(__x86_64__)
  return HavePclmul();
#else
  return false;
#endif
}

}  // namespace mg
