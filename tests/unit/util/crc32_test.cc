#include "util/crc32.h"

#include <boost/test/unit_test.hpp>
#include <string>

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

// The word-at-a-time loop must agree with the bytewise definition at every length and alignment.
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
