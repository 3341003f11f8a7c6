// The keyless fixture shared by the unit and CLI tests: material signed by an in-process CA and
// log (keyless_test_ca.h) exactly as a KeylessSigner stores it (cosign's certificate, chain and
// bundle annotations, and the Sigstore bundle v0.3 with an inclusion proof), with knobs to make
// each kind of bad signature; and a Signer that attaches such material to a registry.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "http/base64.h"
#include "sign/dsse.h"
#include "sign/signature_verifier.h"
#include "sign/signer.h"
#include "sign/simple_signing.h"
#include "sign/sigstore_bundle.h"
#include "sign/transparency_log.h"
#include "sign/x509_leaf.h"
#include "unit/sign/keyless_test_ca.h"
#include "util/sha256.h"

namespace mg::testing {

inline const std::string kIdentity = TestCertOptions{}.san;
inline const std::string kIssuer = TestCertOptions{}.issuer;

struct MakeOptions {
  const TestCa* ca = nullptr;         // default: the fixture's
  TestLog* set_log = nullptr;         // who signs the SET; default: the fixture's log
  TestLog* checkpoint_log = nullptr;  // who signs the checkpoint; default: the fixture's log
  TestCertOptions cert;
  int64_t integrated_time = 1700000100;
  bool with_set = true;
  bool with_bundle = true;
  bool with_sigstore_bundle = true;
  bool whole_dsse_bundle = false;  // the DSSE bundle with its payload, as versions before issue 13 stored it
  bool with_proof = true;
  bool tamper_proof = false;
  std::string logged_payload;         // non-empty: the log entry is about this payload instead
};

struct Material {
  std::string signature;
  LayerAnnotations annotations;
  mg::DsseEnvelope envelope;  // for DSSE
};

struct Fixture {
  TestCa ca;
  TestCa other_ca{"other-root"};
  TestLog log;
  TestLog other_log;
  mg::KeySigner leaf_key{mg::PrivateKey::Generate().value()};
  std::string payload = R"({"critical":{"identity":{"docker-reference":"reg.example/mirror/hello"}}})";
  std::string statement = R"({"_type":"https://in-toto.io/Statement/v1"})";

  mg::TrustedRoot Root() const {
    auto root = mg::TrustedRoot::FromPem(ca.Pem(), "ca.pem", log.signer.PublicKeyPem().value(), "rekor.pub");
    BOOST_REQUIRE_MESSAGE(root.ok(), root.status().ToString());
    return std::move(root).value();
  }

  std::unique_ptr<mg::KeylessVerifier> Verifier(const std::string& identity = kIdentity, bool identity_re = false,
                                                const std::string& issuer = kIssuer, bool issuer_re = false) const {
    auto policy = mg::IdentityPolicy::Make(identity, identity_re, issuer, issuer_re);
    BOOST_REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
    return mg::KeylessVerifier::Create(Root(), std::move(policy).value());
  }

  // The log entry for `body`, at index 3 of a 5-leaf tree, with SET and inclusion proof.
  mg::TlogEntry Entry(const std::string& kind, const std::string& body, const MakeOptions& o) {
    mg::TlogEntry e;
    e.kind = kind;
    e.version = "0.0.1";
    e.body = body;
    e.integrated_time = o.integrated_time;
    e.log_index = 3;
    e.log_id_hex = Hex(log.LogId());
    if (o.with_set) e.signed_entry_timestamp = (o.set_log ? *o.set_log : log).Set(body, o.integrated_time, 3);
    if (o.with_proof) {
      std::vector<std::string> leaves = {"a", "b", "c", body, "e"};
      const std::string root = TreeHash(leaves, 0, leaves.size());
      Json hashes = Json::array();
      for (const std::string& h : AuditPath(leaves, 3, 0, leaves.size())) hashes.push_back(Hex(h));
      if (o.tamper_proof) hashes[0] = Hex(RawSha256("tampered"));
      e.inclusion_proof = {{"checkpoint", (o.checkpoint_log ? *o.checkpoint_log : log).Checkpoint(5, root)},
                           {"hashes", hashes},
                           {"logIndex", 3},
                           {"rootHash", Hex(root)},
                           {"treeSize", 5}};
    }
    return e;
  }

  void Annotate(Material& m, const std::string& leaf_pem, const mg::TlogEntry& e, const std::string& sigstore,
                const MakeOptions& o) {
    m.annotations[std::string(mg::kCosignCertificateAnnotation)] = leaf_pem;
    m.annotations[std::string(mg::kCosignChainAnnotation)] = (o.ca ? *o.ca : ca).Pem();
    if (o.with_bundle) m.annotations[std::string(mg::kCosignBundleAnnotation)] = mg::CosignBundleAnnotation(e);
    if (o.with_bundle && o.with_sigstore_bundle) m.annotations[std::string(mg::kSigstoreBundleAnnotation)] = sigstore;
  }

  Material SignMessage(const MakeOptions& o = {}) {
    Material m;
    const std::string leaf_pem = (o.ca ? *o.ca : ca).Leaf(leaf_key.public_key(), o.cert);
    const std::string leaf_der = mg::PemCertificatesToDer(leaf_pem, "leaf").value().front();
    m.signature = leaf_key.Sign(payload).value();
    const std::string logged = o.logged_payload.empty() ? payload : o.logged_payload;
    const std::string body = mg::CanonicalJson(mg::HashedRekordProposal(mg::Sha256Hex(logged), m.signature, leaf_pem));
    const mg::TlogEntry e = Entry("hashedrekord", body, o);
    Annotate(m, leaf_pem, e, mg::SigstoreMessageBundle(e, leaf_der, RawSha256(payload), m.signature), o);
    return m;
  }

  Material SignEnvelope(const MakeOptions& o = {}) {
    Material m;
    const std::string leaf_pem = (o.ca ? *o.ca : ca).Leaf(leaf_key.public_key(), o.cert);
    const std::string leaf_der = mg::PemCertificatesToDer(leaf_pem, "leaf").value().front();
    m.signature = leaf_key.Sign(mg::PreAuthEncoding(mg::kInTotoPayloadType, statement)).value();
    m.envelope = {std::string(mg::kInTotoPayloadType), statement, {{"", m.signature}}};
    const std::string logged = o.logged_payload.empty() ? statement : o.logged_payload;
    const Json body = {{"apiVersion", "0.0.1"},
                       {"kind", "dsse"},
                       {"spec",
                        {{"envelopeHash", {{"algorithm", "sha256"}, {"value", mg::Sha256Hex(mg::SerializeDsseEnvelope(m.envelope))}}},
                         {"payloadHash", {{"algorithm", "sha256"}, {"value", mg::Sha256Hex(logged)}}},
                         {"signatures", {{{"signature", mg::Base64Encode(m.signature)}, {"verifier", mg::Base64Encode(leaf_pem)}}}}}}};
    const mg::TlogEntry e = Entry("dsse", mg::CanonicalJson(body), o);
    Annotate(m, leaf_pem, e,
             o.whole_dsse_bundle ? mg::SigstoreDsseBundle(e, leaf_der, m.envelope)
                                 : mg::DetachedSigstoreDsseBundle(e, leaf_der, m.envelope),
             o);
    return m;
  }

  mg::SignatureCheck Check(const Material& m, const mg::SignatureVerifier& v) {
    auto r = v.VerifyMessage(payload, m.signature, m.annotations);
    BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return r.value();
  }
  mg::SignatureCheck Check(const Material& m) { return Check(m, *Verifier()); }
  // The DSSE envelope of m (SignEnvelope) checked by the default verifier.
  mg::SignatureCheck CheckEnvelope(const Material& m) {
    auto r = Verifier()->VerifyEnvelope(m.envelope, m.annotations);
    BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return r.value();
  }
};

// Signs with the fixture's CA and log, as a KeylessSigner would with Fulcio and Rekor.
class FakeKeylessSigner final : public mg::Signer {
 public:
  explicit FakeKeylessSigner(Fixture& f) : f_(f) {}
  mg::Result<std::string> Sign(std::string_view payload) override { return f_.leaf_key.Sign(payload); }
  std::string KeyId() const override { return ""; }
  mg::Result<std::string> PublicKeyPem() const override { return f_.leaf_key.PublicKeyPem(); }
  mg::Result<mg::SignatureMaterial> SignWithMaterial(std::string_view payload) override {
    f_.payload = std::string(payload);
    return ToMaterial(f_.SignMessage());
  }
  mg::Result<mg::SignatureMaterial> SignDsseWithMaterial(std::string_view, std::string_view payload) override {
    f_.statement = std::string(payload);
    return ToMaterial(f_.SignEnvelope());
  }
  std::string Identity() const override { return "keyless:test"; }
  mg::Result<bool> Owns(const mg::ExistingSignature&) const override { return false; }

 private:
  static mg::SignatureMaterial ToMaterial(const Material& m) {
    auto get = [&](std::string_view name) {
      auto it = m.annotations.find(std::string(name));
      return it == m.annotations.end() ? std::string() : it->second;
    };
    return {m.signature, get(mg::kCosignCertificateAnnotation), get(mg::kCosignChainAnnotation),
            get(mg::kCosignBundleAnnotation), get(mg::kSigstoreBundleAnnotation)};
  }
  Fixture& f_;
};

}  // namespace mg::testing
