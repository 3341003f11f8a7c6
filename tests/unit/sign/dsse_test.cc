// DSSE: the PAE test vector of the specification, envelopes, signing and verification.
#include "sign/dsse.h"

#include <boost/test/unit_test.hpp>

#include "http/base64.h"
#include "util/json.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

mg::KeySigner NewSigner(std::string key_id = "") {
  mg::Result<mg::PrivateKey> key = mg::PrivateKey::Generate();
  BOOST_REQUIRE(key.ok());
  return mg::KeySigner(std::move(key).value(), std::move(key_id));
}

bool Verifies(const mg::DsseEnvelope& envelope, const mg::PublicKey& key) {
  mg::Result<bool> ok = mg::DsseVerify(envelope, key);
  BOOST_REQUIRE_MESSAGE(ok.ok(), ok.status().ToString());
  return *ok;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dsse_test)

// secure-systems-lab/dsse protocol.md, "Test vectors".
BOOST_AUTO_TEST_CASE(pae_of_the_specification_example) {
  BOOST_CHECK_EQUAL(mg::PreAuthEncoding("http://example.com/HelloWorld", "hello world"),
                    "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
}

BOOST_AUTO_TEST_CASE(pae_counts_bytes_and_keeps_binary) {
  BOOST_CHECK_EQUAL(mg::PreAuthEncoding("t", "\xc3\xa9"), "DSSEv1 1 t 2 \xc3\xa9");
  BOOST_CHECK_EQUAL(mg::PreAuthEncoding("", ""), "DSSEv1 0  0 ");
  const std::string binary("a\0b", 3);
  BOOST_CHECK_EQUAL(mg::PreAuthEncoding("x", binary), std::string("DSSEv1 1 x 3 a\0b", 16));
}

BOOST_AUTO_TEST_CASE(sign_serialise_parse_verify) {
  mg::KeySigner signer = NewSigner();
  const std::string payload = R"({"_type":"https://in-toto.io/Statement/v1"})";
  mg::Result<mg::DsseEnvelope> envelope = mg::DsseSign(mg::kInTotoPayloadType, payload, signer);
  BOOST_REQUIRE_MESSAGE(envelope.ok(), envelope.status().ToString());
  BOOST_REQUIRE_EQUAL(envelope->signatures.size(), 1u);
  BOOST_CHECK_EQUAL(envelope->signatures[0].keyid, "");
  BOOST_CHECK(Verifies(*envelope, signer.public_key()));

  // The signature is over PAE, not over the bare payload.
  mg::Result<bool> bare = mg::VerifySignature(signer.public_key(), payload, envelope->signatures[0].sig);
  BOOST_REQUIRE(bare.ok());
  BOOST_CHECK(!*bare);

  const std::string json = mg::SerializeDsseEnvelope(*envelope);
  BOOST_CHECK_EQUAL(json, R"({"payload":")" + mg::Base64Encode(payload) +
                              R"(","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":"","sig":")" +
                              mg::Base64Encode(envelope->signatures[0].sig) + R"("}]})");
  mg::Result<mg::DsseEnvelope> parsed = mg::ParseDsseEnvelope(json);
  BOOST_REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  BOOST_CHECK_EQUAL(parsed->payload, payload);
  BOOST_CHECK_EQUAL(parsed->payload_type, mg::kInTotoPayloadType);
  BOOST_CHECK(Verifies(*parsed, signer.public_key()));
}

BOOST_AUTO_TEST_CASE(tampering_or_another_key_fails) {
  mg::KeySigner signer = NewSigner("k1");
  mg::DsseEnvelope envelope = mg::DsseSign("application/vnd.in-toto+json", "{\"a\":1}", signer).value();
  BOOST_CHECK_EQUAL(envelope.signatures[0].keyid, "k1");

  mg::DsseEnvelope payload_changed = envelope;
  payload_changed.payload = "{\"a\":2}";
  BOOST_CHECK(!Verifies(payload_changed, signer.public_key()));

  mg::DsseEnvelope type_changed = envelope;
  type_changed.payload_type = "application/json";
  BOOST_CHECK(!Verifies(type_changed, signer.public_key()));

  mg::DsseEnvelope sig_flipped = envelope;
  sig_flipped.signatures[0].sig[10] ^= 0x01;
  BOOST_CHECK(!Verifies(sig_flipped, signer.public_key()));

  BOOST_CHECK(!Verifies(envelope, NewSigner().public_key()));

  // Any one good signature among several is enough; keyids do not matter.
  mg::DsseEnvelope two = sig_flipped;
  two.signatures.push_back({"other", envelope.signatures[0].sig});
  BOOST_CHECK(Verifies(two, signer.public_key()));
}

// A stand-in for a keyless signer: signs with a local key and reports a certificate and bundle.
class FakeKeylessSigner : public mg::Signer {
 public:
  FakeKeylessSigner() : inner_(NewSigner()) {}
  mg::Result<std::string> Sign(std::string_view payload) override { return inner_.Sign(payload); }
  std::string KeyId() const override { return ""; }
  mg::Result<std::string> PublicKeyPem() const override { return inner_.PublicKeyPem(); }
  mg::Result<mg::SignatureMaterial> SignWithMaterial(std::string_view payload) override {
    mg::Result<std::string> sig = inner_.Sign(payload);
    if (!sig.ok()) return sig.status();
    return mg::SignatureMaterial{*sig, "CERT", "", "BUNDLE", ""};
  }
  std::string Identity() const override { return "keyless:fake"; }
  mg::Result<bool> Owns(const mg::ExistingSignature& existing) const override { return inner_.Owns(existing); }
  const mg::PublicKey& public_key() const { return inner_.public_key(); }

 private:
  mg::KeySigner inner_;
};

BOOST_AUTO_TEST_CASE(sign_hands_back_the_signers_material) {
  FakeKeylessSigner signer;
  mg::SignatureMaterial material;
  mg::Result<mg::DsseEnvelope> envelope = mg::DsseSign("x/y", "p", signer, &material);
  BOOST_REQUIRE(envelope.ok());
  BOOST_CHECK_EQUAL(material.certificate_pem, "CERT");
  BOOST_CHECK_EQUAL(material.rekor_bundle_json, "BUNDLE");
  BOOST_CHECK_EQUAL(material.signature, envelope->signatures[0].sig);
  BOOST_CHECK(Verifies(*envelope, signer.public_key()));
}

BOOST_AUTO_TEST_CASE(parse_accepts_url_safe_unpadded_base64) {
  mg::KeySigner signer = NewSigner();
  // A payload whose base64 uses '+' and '/' in the standard alphabet.
  const std::string payload = "\xfb\xff\xbf subject?>>";
  mg::DsseEnvelope envelope = mg::DsseSign("x/y", payload, signer).value();
  std::string payload_b64 = mg::Base64Encode(payload);
  std::string sig_b64 = mg::Base64Encode(envelope.signatures[0].sig);
  for (std::string* s : {&payload_b64, &sig_b64}) {
    for (char& c : *s) {
      if (c == '+') c = '-';
      if (c == '/') c = '_';
    }
    while (!s->empty() && s->back() == '=') s->pop_back();
  }
  BOOST_CHECK_NE(payload_b64.find_first_of("-_"), std::string::npos);
  mg::Json doc = {{"payload", payload_b64}, {"payloadType", "x/y"}, {"signatures", {{{"sig", sig_b64}}}}};
  mg::Result<mg::DsseEnvelope> parsed = mg::ParseDsseEnvelope(doc.dump());
  BOOST_REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  BOOST_CHECK_EQUAL(parsed->payload, payload);
  BOOST_CHECK(Verifies(*parsed, signer.public_key()));
}

BOOST_AUTO_TEST_CASE(parse_rejects_malformed_envelopes) {
  struct Case {
    std::string json;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"[]", "not a JSON object"},
           {R"({"payload":"eA==","signatures":[{"sig":"eA=="}]})", "payloadType"},
           {R"({"payloadType":"t","signatures":[{"sig":"eA=="}]})", "payload is missing"},
           {R"({"payloadType":"t","payload":"*","signatures":[{"sig":"eA=="}]})", "payload is not base64"},
           {R"({"payloadType":"t","payload":"eA==","signatures":[]})", "no signatures"},
           {R"({"payloadType":"t","payload":"eA==","signatures":[{"keyid":""}]})", "signatures[0].sig"},
           {R"({"payloadType":"t","payload":"eA==","signatures":[{"sig":"eA==","keyid":3}]})", "keyid"},
       }) {
    mg::Result<mg::DsseEnvelope> parsed = mg::ParseDsseEnvelope(c.json);
    BOOST_TEST_CONTEXT(c.json) {
      BOOST_REQUIRE(!parsed.ok());
      BOOST_CHECK(parsed.status().code() == mg::Status::Code::kInvalidArgument);
      BOOST_CHECK_MESSAGE(parsed.status().message().find(c.says) != std::string::npos, parsed.status().message());
    }
  }
  mg::KeySigner signer = NewSigner();
  BOOST_CHECK(!mg::DsseSign("", "x", signer).ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
