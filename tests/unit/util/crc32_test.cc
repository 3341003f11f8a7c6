#include "util/crc32.h"

#include <zlib.h>

#include <boost/test/unit_test.hpp>
#include <random>
#include <string>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(crc32_test)

BOOST_AUTO_TEST_CASE(known_vectors) {
  BOOST_TEST(mg::Crc32("") == 0u);
  BOOST_TEST(mg::Crc32("123456789") == 0xCBF43926u);
  BOOST_TEST(mg::Crc32("The quick brown fox jumps over the lazy dog") == 0x414FA339u);
}

BOOST_AUTO_TEST_CASE(detects_a_single_bit_flip) {
  std::string data(4096, 'x');
  uint32_t before = mg::Crc32(data);
  data[1234] ^= 0x01;
  BOOST_TEST(mg::Crc32(data) != before);
}

// Values the project's own slicing-by-8 implementation (before zlib's crc32_z replaced it) computed
// for these inputs, and which existing record logs carry: they must not change.
BOOST_AUTO_TEST_CASE(values_written_by_the_earlier_implementation_still_match) {
  std::string all_bytes;
  for (int c = 0; c < 256; ++c) all_bytes.push_back(static_cast<char>(c));
  std::string pattern;
  for (int i = 0; i < 100000; ++i) pattern.push_back(static_cast<char>((i * 131 + 7) & 0xff));
  const std::string record =
      R"({"event":"task","id":"build:hello@1.2.0/linux/arm64","reason":"cached","status":"done","type":"build"})";
  BOOST_TEST(mg::Crc32("a") == 0xe8b7be43u);
  BOOST_TEST(mg::Crc32(all_bytes) == 0x29058c73u);
  BOOST_TEST(mg::Crc32(pattern) == 0xedad9ce2u);
  BOOST_TEST(mg::Crc32(std::string_view(pattern).substr(7, 1023)) == 0xe93a921eu);
  BOOST_TEST(mg::Crc32(record) == 0xd4c35505u);
}

// zlib's table-driven loops must agree with the bytewise definition at every length and alignment.
BOOST_AUTO_TEST_CASE(matches_the_bytewise_definition) {
  auto reference = [](std::string_view s) {
    uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : s) {
      c ^= b;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
  };
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>((i * 131 + 7) & 0xff));
  for (size_t off = 0; off < 8; ++off) {
    for (size_t len = 0; off + len <= data.size(); len += 13) {
      std::string_view s(data.data() + off, len);
      BOOST_TEST(mg::Crc32(s) == reference(s), "offset " << off << " length " << len);
    }
  }
}

// The carry-less-multiplication path (x86-64 with PCLMULQDQ, inputs of 64 bytes and more) must
// give zlib's value at every length around its thresholds (64, the 64-byte blocks, the 16-byte
// tail) and at every alignment.
BOOST_AUTO_TEST_CASE(the_folded_path_matches_zlib_at_every_length_and_alignment) {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("pclmul")) BOOST_TEST(mg::Crc32UsesPclmul());
#endif
  BOOST_TEST_MESSAGE("PCLMULQDQ path: " << (mg::Crc32UsesPclmul() ? "yes" : "no (zlib only)"));
  std::mt19937 rng(20261207);
  std::string data(70000, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  auto zlib = [](std::string_view s) {
    return static_cast<uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(s.data()), s.size()));
  };
  int mismatches = 0;
  for (size_t off = 0; off < 16; ++off) {
    for (size_t len = 0; len <= 1100; ++len) {
      std::string_view s(data.data() + off, len);
      if (mg::Crc32(s) != zlib(s) && ++mismatches <= 5) {
        BOOST_ERROR("offset " << off << " length " << len << ": " << mg::Crc32(s) << " != zlib's " << zlib(s));
      }
    }
  }
  for (size_t len : {4095, 4096, 4097, 65535, 65536, 69999}) {
    std::string_view s(data.data() + 1, len);
    BOOST_TEST(mg::Crc32(s) == zlib(s), "length " << len);
  }
  BOOST_TEST(mismatches == 0);
  // All ones and all zeros: the register's edge values.
  for (char fill : {'\0', '\xff'}) {
    std::string same(1000, fill);
    BOOST_TEST(mg::Crc32(same) == zlib(same), "1000 bytes of " << static_cast<int>(fill));
  }
}

BOOST_AUTO_TEST_CASE(extend_chains_like_zlib) {
  std::string data;
  for (int i = 0; i < 5000; ++i) data.push_back(static_cast<char>((i * 197 + 3) & 0xff));
  const std::string_view all(data);
  for (size_t cut : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{300}, size_t{4999}, size_t{5000}}) {
    BOOST_TEST(mg::Crc32Extend(mg::Crc32(all.substr(0, cut)), all.substr(cut)) == mg::Crc32(all), "cut at " << cut);
  }
  BOOST_TEST(mg::Crc32Extend(0, all) == mg::Crc32(all));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
