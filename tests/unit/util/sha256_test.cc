#include "util/sha256.h"

#include <boost/test/unit_test.hpp>
#include <string>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(sha256_test)

// FIPS 180-2 / NIST test vectors.
BOOST_AUTO_TEST_CASE(known_vectors) {
  BOOST_TEST(mg::Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(mg::Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  BOOST_TEST(mg::Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  BOOST_TEST(mg::Sha256Hex(std::string(1000000, 'a')) ==
             "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

BOOST_AUTO_TEST_CASE(digest_form) {
  BOOST_TEST(mg::Sha256Digest("abc") ==
             "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(binary_input_with_nul_bytes) {
  std::string with_nul("a\0b", 3);
  BOOST_TEST(mg::Sha256Hex(with_nul) != mg::Sha256Hex("a"));
  BOOST_TEST(mg::Sha256Hex(with_nul).size() == 64u);
}

BOOST_AUTO_TEST_CASE(incremental_matches_one_shot) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += std::to_string(i) + ",";
  mg::Sha256 h;
  for (size_t pos = 0; pos < text.size(); pos += 97) h.Update(std::string_view(text).substr(pos, 97));
  BOOST_TEST(h.FinishHex() == mg::Sha256Hex(text));
}

BOOST_AUTO_TEST_CASE(raw_is_the_hex_decoded) {
  mg::Sha256 h;
  h.Update("abc");
  std::string raw = h.FinishRaw();
  BOOST_TEST(raw.size() == 32u);
  BOOST_TEST(mg::HexEncode(raw) == mg::Sha256Hex("abc"));
}

BOOST_AUTO_TEST_CASE(finish_resets_for_reuse) {
  mg::Sha256 h;
  h.Update("first message");
  (void)h.FinishHex();
  h.Update("abc");
  BOOST_TEST(h.FinishHex() == mg::Sha256Hex("abc"));
  BOOST_TEST(h.FinishHex() == mg::Sha256Hex(""));
}

BOOST_AUTO_TEST_CASE(move_keeps_state) {
  mg::Sha256 a;
  a.Update("ab");
  mg::Sha256 b = std::move(a);
  b.Update("c");
  BOOST_TEST(b.FinishHex() == mg::Sha256Hex("abc"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
