#include "util/crc32.h"

#include <boost/test/unit_test.hpp>
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

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
