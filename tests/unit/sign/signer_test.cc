// KeySigner and VerifySignature: round trips, tampering, wrong keys, concurrency.
#include "sign/signer.h"

#include <boost/test/unit_test.hpp>
#include <thread>
#include <vector>

#include "sign/keys.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

mg::PrivateKey NewKey() {
  mg::Result<mg::PrivateKey> key = mg::PrivateKey::Generate();
  BOOST_REQUIRE_MESSAGE(key.ok(), key.status().ToString());
  return std::move(key).value();
}

bool Verifies(const mg::PublicKey& key, std::string_view payload, std::string_view sig) {
  mg::Result<bool> ok = mg::VerifySignature(key, payload, sig);
  BOOST_REQUIRE_MESSAGE(ok.ok(), ok.status().ToString());
  return *ok;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(signer_test)

BOOST_AUTO_TEST_CASE(sign_then_verify_round_trips) {
  mg::KeySigner signer(NewKey());
  const std::string payload = R"({"critical":{}})";
  mg::Result<std::string> sig = signer.Sign(payload);
  BOOST_REQUIRE_MESSAGE(sig.ok(), sig.status().ToString());
  BOOST_CHECK_EQUAL(static_cast<unsigned char>((*sig)[0]), 0x30u);  // an ASN.1 DER SEQUENCE
  BOOST_CHECK_LE(sig->size(), 72u);
  BOOST_CHECK(Verifies(signer.public_key(), payload, *sig));

  // ECDSA is randomised: two signatures differ, both verify.
  mg::Result<std::string> again = signer.Sign(payload);
  BOOST_REQUIRE(again.ok());
  BOOST_CHECK_NE(*again, *sig);
  BOOST_CHECK(Verifies(signer.public_key(), payload, *again));

  mg::Result<std::string> empty = signer.Sign("");
  BOOST_REQUIRE(empty.ok());
  BOOST_CHECK(Verifies(signer.public_key(), "", *empty));
}

BOOST_AUTO_TEST_CASE(every_flipped_byte_of_signature_or_payload_fails) {
  mg::KeySigner signer(NewKey());
  const std::string payload = "payload bytes";
  const std::string sig = signer.Sign(payload).value();
  for (size_t i = 0; i < sig.size(); ++i) {
    std::string bad = sig;
    bad[i] ^= 0x01;
    BOOST_CHECK_MESSAGE(!Verifies(signer.public_key(), payload, bad), "flipped signature byte " << i);
  }
  for (size_t i = 0; i < payload.size(); ++i) {
    std::string bad = payload;
    bad[i] ^= 0x01;
    BOOST_CHECK_MESSAGE(!Verifies(signer.public_key(), bad, sig), "flipped payload byte " << i);
  }
  BOOST_CHECK(!Verifies(signer.public_key(), payload, sig + std::string(1, '\0')));  // trailing garbage
  BOOST_CHECK(!Verifies(signer.public_key(), payload, ""));
  BOOST_CHECK(!Verifies(signer.public_key(), payload, "not DER"));
}

BOOST_AUTO_TEST_CASE(another_key_does_not_verify) {
  mg::KeySigner a(NewKey());
  mg::KeySigner b(NewKey());
  const std::string sig = a.Sign("x").value();
  BOOST_CHECK(Verifies(a.public_key(), "x", sig));
  BOOST_CHECK(!Verifies(b.public_key(), "x", sig));
}

BOOST_AUTO_TEST_CASE(public_key_pem_and_key_id) {
  mg::PrivateKey key = NewKey();
  const std::string pem = key.public_key().Pem();
  mg::KeySigner plain(std::move(key));
  BOOST_CHECK_EQUAL(plain.KeyId(), "");  // as cosign writes it
  mg::Result<std::string> got = plain.PublicKeyPem();
  BOOST_REQUIRE(got.ok());
  BOOST_CHECK_EQUAL(*got, pem);
  mg::Result<mg::PublicKey> parsed = mg::LoadPublicKeyPem(*got);
  BOOST_REQUIRE(parsed.ok());
  BOOST_CHECK(Verifies(*parsed, "m", plain.Sign("m").value()));

  mg::KeySigner named(NewKey(), "my-key");
  BOOST_CHECK_EQUAL(named.KeyId(), "my-key");
}

BOOST_AUTO_TEST_CASE(key_signer_material_is_the_signature_alone) {
  mg::KeySigner signer(NewKey());
  mg::Result<mg::SignatureMaterial> m = signer.SignWithMaterial("payload");
  BOOST_REQUIRE_MESSAGE(m.ok(), m.status().ToString());
  BOOST_CHECK(Verifies(signer.public_key(), "payload", m->signature));
  BOOST_CHECK(m->certificate_pem.empty());
  BOOST_CHECK(m->chain_pem.empty());
  BOOST_CHECK(m->rekor_bundle_json.empty());
}

BOOST_AUTO_TEST_CASE(concurrent_signing_from_many_threads) {
  mg::KeySigner signer(NewKey());
  constexpr int kThreads = 8;
  constexpr int kEach = 50;
  std::vector<std::vector<std::string>> sigs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        mg::Result<std::string> s = signer.Sign("payload " + std::to_string(t) + "/" + std::to_string(i));
        sigs[t].push_back(s.ok() ? *s : std::string());
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) {
      BOOST_CHECK(Verifies(signer.public_key(), "payload " + std::to_string(t) + "/" + std::to_string(i), sigs[t][i]));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
