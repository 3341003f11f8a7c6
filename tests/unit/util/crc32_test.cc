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

BOOST_AUTO_TEST_SUITE_END()
