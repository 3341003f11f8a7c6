// ParsePem (OpenSSL's PEM reader underneath): good, damaged and wrong-type input. Key material is
// generated at test time; none is committed.
#include "sign/pem.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/test/unit_test.hpp>
#include <string>

#include "sign/keys.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

std::string Body(size_t n) {
  std::string der;
  for (size_t i = 0; i < n; ++i) der.push_back(static_cast<char>((i * 37 + 11) & 0xff));
  return der;
}

// A P-256 key written by OpenSSL as `kind` ("pkcs8", "public", "sec1-encrypted").
std::string OpensslPem(const std::string& kind) {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  BOOST_REQUIRE(pkey != nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  int ok = 0;
  if (kind == "pkcs8") ok = PEM_write_bio_PKCS8PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  if (kind == "public") ok = PEM_write_bio_PUBKEY(bio, pkey);
  if (kind == "sec1-encrypted") {
    static char pass[] = "pw";
    ok = PEM_write_bio_PrivateKey_traditional(bio, pkey, EVP_aes_128_cbc(), reinterpret_cast<unsigned char*>(pass),
                                              2, nullptr, nullptr);
  }
  BOOST_REQUIRE(ok == 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(pkey);
  return out;
}

mg::Result<std::vector<mg::PemBlock>> Parse(std::string_view text) { return mg::ParsePem(text, "keys/x.pem"); }

}  // namespace

BOOST_AUTO_TEST_SUITE(pem_test)

BOOST_AUTO_TEST_CASE(encode_then_parse_round_trips_every_length) {
  for (size_t n : {1u, 2u, 3u, 47u, 48u, 49u, 100u, 1000u}) {
    const std::string der = Body(n);
    const std::string pem = mg::EncodePem("TEST BLOCK", der);
    mg::Result<std::vector<mg::PemBlock>> blocks = Parse(pem);
    BOOST_REQUIRE_MESSAGE(blocks.ok(), blocks.status().ToString());
    BOOST_REQUIRE_EQUAL(blocks->size(), 1u);
    BOOST_TEST((*blocks)[0].label == "TEST BLOCK");
    BOOST_TEST((*blocks)[0].der == der, "length " << n);
    BOOST_TEST((*blocks)[0].headers.empty());
    BOOST_TEST((*blocks)[0].text == pem);
  }
}

BOOST_AUTO_TEST_CASE(blocks_come_in_order_and_other_text_is_skipped) {
  const std::string a = mg::EncodePem("PUBLIC KEY", Body(91));
  const std::string b = mg::EncodePem("PRIVATE KEY", Body(138));
  const std::string text = "# a comment line\nsome prose\n" + a + "\nbetween blocks\n" + b + "trailing text";
  mg::Result<std::vector<mg::PemBlock>> blocks = Parse(text);
  BOOST_REQUIRE_MESSAGE(blocks.ok(), blocks.status().ToString());
  BOOST_REQUIRE_EQUAL(blocks->size(), 2u);
  BOOST_TEST((*blocks)[0].label == "PUBLIC KEY");
  BOOST_TEST((*blocks)[0].der == Body(91));
  BOOST_TEST((*blocks)[0].text == a);  // BEGIN line to END line: no surrounding text
  BOOST_TEST((*blocks)[1].label == "PRIVATE KEY");
  BOOST_TEST((*blocks)[1].der == Body(138));
  BOOST_TEST((*blocks)[1].text == b);

  for (std::string_view none : {"", "just text\n", "-----BEGIN NOT A MARKER\n"}) {
    mg::Result<std::vector<mg::PemBlock>> empty = Parse(none);
    BOOST_REQUIRE(empty.ok());
    BOOST_TEST(empty->empty());
  }
}

BOOST_AUTO_TEST_CASE(crlf_line_ends_and_long_lines_are_read) {
  std::string crlf = mg::EncodePem("PRIVATE KEY", Body(200));
  for (size_t at = 0; (at = crlf.find('\n', at)) != std::string::npos; at += 2) crlf.insert(at, "\r");
  mg::Result<std::vector<mg::PemBlock>> blocks = Parse(crlf);
  BOOST_REQUIRE_MESSAGE(blocks.ok(), blocks.status().ToString());
  BOOST_REQUIRE_EQUAL(blocks->size(), 1u);
  BOOST_TEST((*blocks)[0].der == Body(200));

  // One 400-character base64 line (300 bytes), as some tools write.
  std::string one_line = mg::EncodePem("X", Body(300));
  std::string joined;
  for (char c : one_line.substr(one_line.find('\n') + 1, one_line.find("-----END") - one_line.find('\n') - 1)) {
    if (c != '\n') joined += c;
  }
  blocks = Parse("-----BEGIN X-----\n" + joined + "\n-----END X-----\n");
  BOOST_REQUIRE_MESSAGE(blocks.ok(), blocks.status().ToString());
  BOOST_TEST((*blocks)[0].der == Body(300));
}

BOOST_AUTO_TEST_CASE(rfc1421_headers_of_a_legacy_encrypted_key_are_parsed) {
  const std::string pem = OpensslPem("sec1-encrypted");
  mg::Result<std::vector<mg::PemBlock>> blocks = Parse(pem);
  BOOST_REQUIRE_MESSAGE(blocks.ok(), blocks.status().ToString());
  BOOST_REQUIRE_EQUAL(blocks->size(), 1u);
  const mg::PemBlock& b = (*blocks)[0];
  BOOST_TEST(b.label == "EC PRIVATE KEY");
  BOOST_TEST(b.headers.at("Proc-Type") == "4,ENCRYPTED");
  BOOST_TEST(b.headers.at("DEK-Info").rfind("AES-128-CBC,", 0) == 0u);
  BOOST_TEST(b.der.size() % 16 == 0u);  // the CBC ciphertext, not the headers
  BOOST_TEST(b.text == pem);
  mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyPem(pem, "pw", "legacy.key");
  BOOST_TEST(key.ok(), key.status().ToString());
}

BOOST_AUTO_TEST_CASE(a_truncated_block_says_so_and_names_file_and_label) {
  const std::string pem = mg::EncodePem("PRIVATE KEY", Body(138));
  for (size_t cut : {pem.find('\n') + 1, pem.size() / 2, pem.find("-----END")}) {
    mg::Result<std::vector<mg::PemBlock>> blocks = Parse(pem.substr(0, cut));
    BOOST_REQUIRE(!blocks.ok());
    BOOST_CHECK(blocks.status().code() == mg::Status::Code::kInvalidArgument);
    BOOST_TEST(blocks.status().message() == "keys/x.pem: PEM block 'PRIVATE KEY' has no END line (truncated file?)");
  }
}

BOOST_AUTO_TEST_CASE(a_mismatched_end_line_is_refused) {
  std::string pem = mg::EncodePem("PRIVATE KEY", Body(138));
  pem.replace(pem.find("-----END PRIVATE KEY"), 20, "-----END PUBLIC KEY");
  mg::Result<std::vector<mg::PemBlock>> blocks = Parse(pem);
  BOOST_REQUIRE(!blocks.ok());
  BOOST_CHECK(blocks.status().code() == mg::Status::Code::kInvalidArgument);
  BOOST_TEST(blocks.status().message() == "keys/x.pem: PEM block 'PRIVATE KEY' ends with a different END line");
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_base64_is_refused_without_quoting_it) {
  std::string pem = mg::EncodePem("PRIVATE KEY", Body(138));
  const size_t body = pem.find('\n') + 1;
  const std::string secret_line = pem.substr(body, 20);
  pem[body + 10] = '!';
  mg::Result<std::vector<mg::PemBlock>> blocks = Parse(pem);
  BOOST_REQUIRE(!blocks.ok());
  BOOST_CHECK(blocks.status().code() == mg::Status::Code::kInvalidArgument);
  BOOST_TEST(blocks.status().message() == "keys/x.pem: PEM block 'PRIVATE KEY' is not valid base64");
  BOOST_TEST(blocks.status().message().find(secret_line.substr(0, 10)) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_damaged_block_after_a_good_one_fails_the_whole_file) {
  const std::string good = mg::EncodePem("PUBLIC KEY", Body(91));
  std::string bad = mg::EncodePem("PRIVATE KEY", Body(138));
  mg::Result<std::vector<mg::PemBlock>> blocks = Parse(good + bad.substr(0, bad.size() - 10));
  BOOST_REQUIRE(!blocks.ok());
  BOOST_TEST(blocks.status().message().find("'PRIVATE KEY'") != std::string::npos);
}

// Well-formed PEM of the wrong kind: the key loaders say what they found and what they expected.
BOOST_AUTO_TEST_CASE(wrong_type_blocks_are_refused_by_the_key_loaders) {
  const std::string pub = OpensslPem("public");
  mg::Result<mg::PrivateKey> priv = mg::LoadPrivateKeyPem(pub, "", "cosign.pub");
  BOOST_REQUIRE(!priv.ok());
  BOOST_CHECK(priv.status().code() == mg::Status::Code::kInvalidArgument);
  BOOST_TEST(priv.status().message().find("found 'PUBLIC KEY'") != std::string::npos, priv.status().message());

  mg::Result<mg::PublicKey> from_private = mg::LoadPublicKeyPem(OpensslPem("pkcs8"), "cosign.key");
  BOOST_REQUIRE(!from_private.ok());
  BOOST_TEST(from_private.status().message().find("no \"PUBLIC KEY\" PEM block") != std::string::npos);

  // A "PUBLIC KEY" label over bytes that are not a SubjectPublicKeyInfo.
  mg::Result<mg::PublicKey> garbage = mg::LoadPublicKeyPem(mg::EncodePem("PUBLIC KEY", Body(91)), "k.pub");
  BOOST_REQUIRE(!garbage.ok());
  BOOST_TEST(garbage.status().message().find("k.pub: malformed 'PUBLIC KEY'") == 0u, garbage.status().message());

  mg::Result<mg::PrivateKey> cert = mg::LoadPrivateKeyPem(mg::EncodePem("CERTIFICATE", Body(300)), "", "c.pem");
  BOOST_REQUIRE(!cert.ok());
  BOOST_TEST(cert.status().message().find("found 'CERTIFICATE'") != std::string::npos, cert.status().message());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
