// Loading every supported private key format, and the rejections. Keys are generated at test
// time (OpenSSL API and the openssl CLI) in a temporary directory.
#include "sign/keys.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/test/unit_test.hpp>

#include "http/base64.h"
#include "sign/cosign_key.h"
#include "sign/pem.h"
#include "sign/signer.h"
#include "unit/sign/sign_test_util.h"
#include "util/json.h"
#include "unit/util/temp_dir.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::testing::MustRun;
using mg::testing::ReadText;
using mg::testing::TempDir;

// The test key's PEM encodings made with the openssl CLI, all of one key.
struct OpensslKeys {
  TempDir dir;
  std::string sec1;           // EC PRIVATE KEY
  std::string pkcs8;          // PRIVATE KEY
  std::string pkcs8_enc;      // ENCRYPTED PRIVATE KEY (PBES2, AES-256-CBC)
  std::string pkcs8_scrypt;   // ENCRYPTED PRIVATE KEY (PBES2 with scrypt)
  std::string sec1_legacy;    // EC PRIVATE KEY with Proc-Type: 4,ENCRYPTED
  std::string pub;            // PUBLIC KEY

  OpensslKeys() {
    const std::string k = dir / "ec.pem";
    MustRun({"openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", k});
    sec1 = ReadText(k);
    pkcs8 = MustRun({"openssl", "pkcs8", "-topk8", "-nocrypt", "-in", k}).stdout_text;
    pkcs8_enc = MustRun({"openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", k, "-passout", "pass:hunter2"}).stdout_text;
    pkcs8_scrypt = MustRun({"openssl", "pkcs8", "-topk8", "-scrypt", "-in", k, "-passout", "pass:hunter2"}).stdout_text;
    sec1_legacy = MustRun({"openssl", "ec", "-in", k, "-aes256", "-passout", "pass:hunter2"}).stdout_text;
    pub = MustRun({"openssl", "ec", "-in", k, "-pubout"}).stdout_text;
  }
};

OpensslKeys& Keys() {
  static OpensslKeys keys;
  return keys;
}

std::string PemOf(const char* algorithm, const char* param = nullptr) {
  EVP_PKEY* pkey = param ? EVP_PKEY_Q_keygen(nullptr, nullptr, algorithm, param)
                         : EVP_PKEY_Q_keygen(nullptr, nullptr, algorithm, size_t{2048});
  BOOST_REQUIRE(pkey != nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  BOOST_REQUIRE(PEM_write_bio_PKCS8PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(pkey);
  return out;
}

// The body of the first PEM block, base64 as written (for "no key bytes in messages" checks).
std::string Base64BodyLine(const std::string& pem) {
  size_t start = pem.find('\n') + 1;
  return pem.substr(start, 20);
}

void CheckSameKey(const mg::PrivateKey& key, const std::string& pub_pem) {
  mg::Result<mg::PublicKey> pub = mg::LoadPublicKeyPem(pub_pem);
  BOOST_REQUIRE_MESSAGE(pub.ok(), pub.status().ToString());
  BOOST_CHECK(key.public_key() == *pub);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(keys_test)

BOOST_AUTO_TEST_CASE(loads_every_openssl_format_of_one_key) {
  OpensslKeys& k = Keys();
  for (const auto& [name, pem] : std::vector<std::pair<std::string, std::string>>{
           {"sec1", k.sec1}, {"pkcs8", k.pkcs8}, {"pkcs8 aes", k.pkcs8_enc},
           {"pkcs8 scrypt", k.pkcs8_scrypt}, {"sec1 legacy", k.sec1_legacy}}) {
    BOOST_TEST_CONTEXT(name) {
      mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyPem(pem, "hunter2", name);
      BOOST_REQUIRE_MESSAGE(key.ok(), key.status().ToString());
      CheckSameKey(*key, k.pub);
    }
  }
}

BOOST_AUTO_TEST_CASE(plain_keys_ignore_the_passphrase) {
  mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyPem(Keys().pkcs8, "anything", "k");
  BOOST_CHECK(key.ok());
}

BOOST_AUTO_TEST_CASE(wrong_passphrase_is_permission_denied_for_every_encrypted_format) {
  OpensslKeys& k = Keys();
  mg::Result<mg::PrivateKey> generated = mg::PrivateKey::Generate();
  BOOST_REQUIRE(generated.ok());
  mg::Result<std::string> cosign = mg::EncryptCosignPrivateKey(*generated, "hunter2");
  BOOST_REQUIRE(cosign.ok());
  for (const std::string* pem : {&k.pkcs8_enc, &k.pkcs8_scrypt, &k.sec1_legacy, &cosign.value()}) {
    for (std::string_view wrong : {"hunter3", ""}) {
      mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyPem(*pem, wrong, "keys/cosign.key");
      BOOST_REQUIRE(!key.ok());
      BOOST_CHECK(key.status().code() == mg::Status::Code::kPermissionDenied);
      BOOST_CHECK_EQUAL(key.status().message(), "wrong passphrase for keys/cosign.key");
    }
  }
}

BOOST_AUTO_TEST_CASE(cosign_format_round_trips_under_both_labels) {
  mg::Result<mg::PrivateKey> generated = mg::PrivateKey::Generate();
  BOOST_REQUIRE(generated.ok());
  mg::Result<std::string> pem = mg::EncryptCosignPrivateKey(*generated, "pw", mg::ScryptParams{1024, 8, 1});
  BOOST_REQUIRE(pem.ok());
  BOOST_CHECK(mg::StartsWith(*pem, "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));

  // The JSON inside names scrypt and nacl/secretbox with cosign's field names.
  mg::Result<std::vector<mg::PemBlock>> blocks = mg::ParsePem(*pem, "t");
  BOOST_REQUIRE(blocks.ok() && blocks->size() == 1);
  mg::Json doc = mg::ParseJson((*blocks)[0].der);
  BOOST_CHECK_EQUAL(doc["kdf"]["name"], "scrypt");
  BOOST_CHECK_EQUAL(doc["kdf"]["params"]["N"], 1024);
  BOOST_CHECK_EQUAL(mg::Base64Decode(doc["kdf"]["salt"].get<std::string>())->size(), 32u);
  BOOST_CHECK_EQUAL(doc["cipher"]["name"], "nacl/secretbox");
  BOOST_CHECK_EQUAL(mg::Base64Decode(doc["cipher"]["nonce"].get<std::string>())->size(), 24u);
  BOOST_CHECK(doc["ciphertext"].is_string());

  mg::Result<mg::PrivateKey> loaded = mg::LoadPrivateKeyPem(*pem, "pw", "k");
  BOOST_REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
  BOOST_CHECK(loaded->public_key() == generated->public_key());

  std::string old_label = *pem;
  for (size_t at; (at = old_label.find("SIGSTORE")) != std::string::npos;) old_label.replace(at, 8, "COSIGN");
  BOOST_REQUIRE(mg::StartsWith(old_label, "-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"));
  mg::Result<mg::PrivateKey> old = mg::LoadPrivateKeyPem(old_label, "pw", "k");
  BOOST_REQUIRE_MESSAGE(old.ok(), old.status().ToString());
  BOOST_CHECK(old->public_key() == generated->public_key());
}

BOOST_AUTO_TEST_CASE(empty_passphrase_cosign_keys_load) {
  mg::Result<mg::PrivateKey> generated = mg::PrivateKey::Generate();
  BOOST_REQUIRE(generated.ok());
  mg::Result<std::string> pem = mg::EncryptCosignPrivateKey(*generated, "", mg::ScryptParams{1024, 8, 1});
  BOOST_REQUIRE(pem.ok());
  BOOST_CHECK(mg::LoadPrivateKeyPem(*pem, "", "k").ok());
}

BOOST_AUTO_TEST_CASE(hostile_scrypt_parameters_are_refused_before_deriving) {
  mg::Result<mg::PrivateKey> generated = mg::PrivateKey::Generate();
  BOOST_REQUIRE(generated.ok());
  mg::Result<std::string> pem = mg::EncryptCosignPrivateKey(*generated, "pw", mg::ScryptParams{1024, 8, 1});
  BOOST_REQUIRE(pem.ok());
  mg::Result<std::vector<mg::PemBlock>> blocks = mg::ParsePem(*pem, "t");
  BOOST_REQUIRE(blocks.ok());
  mg::Json doc = mg::ParseJson((*blocks)[0].der);
  doc["kdf"]["params"]["N"] = uint64_t{1} << 40;
  std::string hostile = mg::EncodePem(mg::kSigstorePrivateKeyPemLabel, doc.dump());
  mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyPem(hostile, "pw", "evil.key");
  BOOST_REQUIRE(!key.ok());
  BOOST_CHECK(key.status().code() == mg::Status::Code::kInvalidArgument);
  BOOST_CHECK_NE(key.status().message().find("evil.key"), std::string::npos);

  doc["kdf"]["params"]["N"] = 1024;
  doc["kdf"]["name"] = "argon2";
  key = mg::LoadPrivateKeyPem(mg::EncodePem(mg::kSigstorePrivateKeyPemLabel, doc.dump()), "pw", "k");
  BOOST_REQUIRE(!key.ok());
  BOOST_CHECK_NE(key.status().message().find("scrypt"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(other_key_types_and_curves_are_invalid_argument) {
  struct Case {
    std::string pem;
    std::string says;
  };
  for (const Case& c : {Case{PemOf("RSA"), "RSA"}, Case{PemOf("EC", "P-384"), "secp384r1"},
                        Case{PemOf("ED25519", ""), "ED25519"}}) {
    mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyPem(c.pem, "", "other.key");
    BOOST_REQUIRE(!key.ok());
    BOOST_CHECK(key.status().code() == mg::Status::Code::kInvalidArgument);
    BOOST_TEST_CONTEXT(key.status().message()) {
      BOOST_CHECK_NE(key.status().message().find(c.says), std::string::npos);
      BOOST_CHECK_NE(key.status().message().find("P-256"), std::string::npos);
      BOOST_CHECK_NE(key.status().message().find("other.key"), std::string::npos);
      BOOST_CHECK_EQUAL(key.status().message().find(Base64BodyLine(c.pem)), std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(no_key_block_or_unsupported_block_says_what_was_found) {
  mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyPem(Keys().pub, "", "cosign.pub");
  BOOST_REQUIRE(!key.ok());
  BOOST_CHECK(key.status().code() == mg::Status::Code::kInvalidArgument);
  BOOST_CHECK_NE(key.status().message().find("found 'PUBLIC KEY'"), std::string::npos);

  key = mg::LoadPrivateKeyPem("just text", "", "x");
  BOOST_REQUIRE(!key.ok());
  BOOST_CHECK_NE(key.status().message().find("no PEM block"), std::string::npos);

  key = mg::LoadPrivateKeyPem("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n", "", "id");
  BOOST_REQUIRE(!key.ok());
  BOOST_CHECK_NE(key.status().message().find("unsupported key block 'OPENSSH PRIVATE KEY'"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(truncated_and_corrupt_pem_is_invalid_argument_without_key_bytes) {
  const std::string& pem = Keys().pkcs8;
  std::string truncated = pem.substr(0, pem.size() / 2);
  mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyPem(truncated, "", "t.key");
  BOOST_REQUIRE(!key.ok());
  BOOST_CHECK(key.status().code() == mg::Status::Code::kInvalidArgument);
  BOOST_CHECK_NE(key.status().message().find("no END line"), std::string::npos);
  BOOST_CHECK_EQUAL(key.status().message().find(Base64BodyLine(pem)), std::string::npos);

  // Valid base64, wrong structure.
  std::string corrupt = mg::EncodePem("PRIVATE KEY", "not a DER structure at all");
  key = mg::LoadPrivateKeyPem(corrupt, "", "c.key");
  BOOST_REQUIRE(!key.ok());
  BOOST_CHECK(key.status().code() == mg::Status::Code::kInvalidArgument);
  BOOST_CHECK_NE(key.status().message().find("malformed 'PRIVATE KEY'"), std::string::npos);

  // A cosign key whose body is not JSON.
  key = mg::LoadPrivateKeyPem(mg::EncodePem(mg::kSigstorePrivateKeyPemLabel, "{nope"), "pw", "c.key");
  BOOST_REQUIRE(!key.ok());
  BOOST_CHECK(key.status().code() == mg::Status::Code::kInvalidArgument);
}

BOOST_AUTO_TEST_CASE(the_first_private_key_block_is_used_after_other_text) {
  std::string text = "# a comment\n" + Keys().pub + "\n" + Keys().pkcs8;
  mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyPem(text, "", "k");
  BOOST_REQUIRE_MESSAGE(key.ok(), key.status().ToString());
  CheckSameKey(*key, Keys().pub);
}

BOOST_AUTO_TEST_CASE(public_keys_load_and_round_trip_through_pem) {
  mg::Result<mg::PublicKey> pub = mg::LoadPublicKeyPem(Keys().pub);
  BOOST_REQUIRE_MESSAGE(pub.ok(), pub.status().ToString());
  BOOST_CHECK_EQUAL(pub->Pem(), Keys().pub);  // the same PEM as openssl writes
  BOOST_CHECK(mg::StartsWith(pub->Fingerprint(), "sha256:"));
  BOOST_CHECK_EQUAL(pub->Fingerprint().size(), 7u + 64u);

  mg::PublicKey copy = *pub;  // copies share the key
  BOOST_CHECK(copy == *pub);

  mg::Result<mg::PublicKey> none = mg::LoadPublicKeyPem(Keys().pkcs8, "k.pem");
  BOOST_REQUIRE(!none.ok());
  BOOST_CHECK_NE(none.status().message().find("no \"PUBLIC KEY\""), std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_p384_public_key_is_refused) {
  TempDir dir;
  MustRun({"openssl", "ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", dir / "k"});
  std::string pub = MustRun({"openssl", "ec", "-in", dir / "k", "-pubout"}).stdout_text;
  mg::Result<mg::PublicKey> key = mg::LoadPublicKeyPem(pub, "p384.pub");
  BOOST_REQUIRE(!key.ok());
  BOOST_CHECK(key.status().code() == mg::Status::Code::kInvalidArgument);
  BOOST_CHECK_NE(key.status().message().find("secp384r1"), std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
