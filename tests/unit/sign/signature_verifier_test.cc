// KeylessVerifier against an in-process CA and log (keyless_test_ca.h): a good message signature
// and a good DSSE envelope pass; each way a keyless signature can be wrong is refused with why:
// identity, issuer, regexp, another root, a flipped signature byte, no log entry, a SET by
// another key or from an unknown log, a body about something else, a certificate expired at the
// log's time, no code-signing EKU, a tampered inclusion proof or checkpoint, malformed bundles.
// Then VerifyCosignImage over the fake registry with a keyless signer's material.
#include "sign/signature_verifier.h"

#include <boost/test/unit_test.hpp>

#include "http/base64.h"
#include "oci/media_types.h"
#include "sign/cosign_storage.h"
#include "sign/cosign_verify.h"
#include "sign/intoto.h"
#include "sign/simple_signing.h"
#include "sign/sigstore_bundle.h"
#include "sign/transparency_log.h"
#include "sign/x509_leaf.h"
#include "unit/oci/fake_registry.h"
#include "unit/sign/keyless_fixture.h"
#include "unit/sign/sign_test_util.h"
#include "unit/util/temp_dir.h"
#include "util/strings.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::Json;
using mg::LayerAnnotations;
using mg::testing::Hex;
using mg::testing::TestCa;
using mg::testing::TestCertOptions;
using mg::testing::TestLog;

using mg::testing::Fixture;
using mg::testing::FakeKeylessSigner;
using mg::testing::kIdentity;
using mg::testing::kIssuer;
using mg::testing::MakeOptions;
using mg::testing::Material;

bool AnyHas(const std::vector<std::string>& lines, const std::string& part) {
  for (const std::string& l : lines) {
    if (l.find(part) != std::string::npos) return true;
  }
  return false;
}

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(signature_verifier_test)

BOOST_AUTO_TEST_CASE(good_message_signature) {
  Fixture f;
  mg::SignatureCheck c = f.Check(f.SignMessage());
  BOOST_TEST(c.ok, c.problem);
}

BOOST_AUTO_TEST_CASE(good_dsse_envelope) {
  Fixture f;
  Material m = f.SignEnvelope();
  mg::SignatureCheck c = f.CheckEnvelope(m);
  BOOST_TEST(c.ok, c.problem);
}

BOOST_AUTO_TEST_CASE(dsse_bundle_is_stored_without_the_payload_and_completed_from_the_layer) {
  Fixture f;
  Material m = f.SignEnvelope();
  const std::string stored = m.annotations.at(std::string(mg::kSigstoreBundleAnnotation));
  BOOST_TEST(!Has(stored, mg::Base64Encode(f.statement)));
  BOOST_TEST(!mg::ParseJson(stored)["dsseEnvelope"].contains("payload"));
  mg::SignatureCheck c = f.CheckEnvelope(m);
  BOOST_TEST(c.ok, c.problem);
}

BOOST_AUTO_TEST_CASE(dsse_bundle_with_the_payload_as_older_versions_stored_it) {
  Fixture f;
  MakeOptions o;
  o.whole_dsse_bundle = true;
  Material m = f.SignEnvelope(o);
  BOOST_TEST(Has(m.annotations.at(std::string(mg::kSigstoreBundleAnnotation)), mg::Base64Encode(f.statement)));
  mg::SignatureCheck c = f.CheckEnvelope(m);
  BOOST_TEST(c.ok, c.problem);
}

BOOST_AUTO_TEST_CASE(dsse_bundle_about_another_envelope_is_refused) {
  Fixture f;
  Material m = f.SignEnvelope();
  f.statement = R"({"_type":"https://in-toto.io/Statement/v1","other":true})";
  MakeOptions whole;
  whole.whole_dsse_bundle = true;
  for (const Material& other : {f.SignEnvelope(), f.SignEnvelope(whole)}) {
    Material swapped = m;
    swapped.annotations[std::string(mg::kSigstoreBundleAnnotation)] =
        other.annotations.at(std::string(mg::kSigstoreBundleAnnotation));
    mg::SignatureCheck c = f.CheckEnvelope(swapped);
    BOOST_TEST(!c.ok);
    BOOST_TEST(Has(c.problem, "does not match the layer"), c.problem);
  }
}

BOOST_AUTO_TEST_CASE(good_without_sigstore_bundle_as_cosign_stores_it) {
  Fixture f;
  MakeOptions o;
  o.with_sigstore_bundle = false;
  mg::SignatureCheck c = f.Check(f.SignMessage(o));
  BOOST_TEST(c.ok, c.problem);
}

BOOST_AUTO_TEST_CASE(email_identity) {
  Fixture f;
  MakeOptions o;
  o.cert.san = "release@example.org";
  o.cert.san_is_email = true;
  mg::SignatureCheck c = f.Check(f.SignMessage(o), *f.Verifier("release@example.org"));
  BOOST_TEST(c.ok, c.problem);
}

BOOST_AUTO_TEST_CASE(wrong_identity) {
  Fixture f;
  mg::SignatureCheck c = f.Check(f.SignMessage(), *f.Verifier("https://github.com/someone/else"));
  BOOST_TEST(!c.ok);
  BOOST_TEST(Has(c.problem, "identity is \"" + kIdentity + "\", wanted \"https://github.com/someone/else\""), c.problem);
}

BOOST_AUTO_TEST_CASE(wrong_issuer) {
  Fixture f;
  mg::SignatureCheck c = f.Check(f.SignMessage(), *f.Verifier(kIdentity, false, "https://accounts.google.com"));
  BOOST_TEST(!c.ok);
  BOOST_TEST(Has(c.problem, "OIDC issuer is \"" + kIssuer + "\", wanted \"https://accounts.google.com\""), c.problem);
}

BOOST_AUTO_TEST_CASE(issuer_from_the_v1_extension) {
  Fixture f;
  MakeOptions o;
  o.cert.issuer_v2 = false;
  mg::SignatureCheck c = f.Check(f.SignMessage(o));
  BOOST_TEST(c.ok, c.problem);
}

BOOST_AUTO_TEST_CASE(regexp_matches_the_whole_identity) {
  Fixture f;
  Material m = f.SignMessage();
  BOOST_TEST(f.Check(m, *f.Verifier("https://github\\.com/team/.*", true)).ok);
  BOOST_TEST(f.Check(m, *f.Verifier(kIdentity, false, "https://token\\.actions\\..*", true)).ok);
  mg::SignatureCheck partial = f.Check(m, *f.Verifier("https://github\\.com/team", true));
  BOOST_TEST(!partial.ok);
  BOOST_TEST(Has(partial.problem, "wanted one matching /https://github\\.com/team/"), partial.problem);
  BOOST_TEST(!mg::IdentityPolicy::Make("(", true, kIssuer, false).ok());
  BOOST_TEST(!mg::IdentityPolicy::Make("", false, kIssuer, false).ok());
}

BOOST_AUTO_TEST_CASE(leaf_from_another_root) {
  Fixture f;
  MakeOptions o;
  o.ca = &f.other_ca;
  mg::SignatureCheck c = f.Check(f.SignMessage(o));
  BOOST_TEST(!c.ok);
  BOOST_TEST(Has(c.problem, "does not chain to a certificate authority of ca.pem"), c.problem);
}

BOOST_AUTO_TEST_CASE(flipped_signature_byte) {
  Fixture f;
  Material m = f.SignMessage();
  m.signature[m.signature.size() / 2] ^= 0x01;
  mg::SignatureCheck c = f.Check(m);
  BOOST_TEST(!c.ok);
  BOOST_TEST(Has(c.problem, "does not verify with the certificate's key"), c.problem);
}

BOOST_AUTO_TEST_CASE(missing_bundle_is_no_log_entry) {
  Fixture f;
  MakeOptions o;
  o.with_bundle = false;
  mg::SignatureCheck c = f.Check(f.SignMessage(o));
  BOOST_TEST(!c.ok);
  BOOST_TEST(Has(c.problem, "no log entry"), c.problem);
}

BOOST_AUTO_TEST_CASE(missing_certificate) {
  Fixture f;
  Material m = f.SignMessage();
  m.annotations.erase(std::string(mg::kCosignCertificateAnnotation));
  mg::SignatureCheck c = f.Check(m);
  BOOST_TEST(!c.ok);
  BOOST_TEST(Has(c.problem, "no certificate"), c.problem);
}

BOOST_AUTO_TEST_CASE(set_by_another_key) {
  Fixture f;
  MakeOptions o;
  o.set_log = &f.other_log;
  mg::SignatureCheck c = f.Check(f.SignMessage(o));
  BOOST_TEST(!c.ok);
  BOOST_TEST(Has(c.problem, "signed entry timestamp (SET) does not verify"), c.problem);
}

BOOST_AUTO_TEST_CASE(entry_from_an_unknown_log) {
  Fixture f;
  Material m = f.SignMessage();
  // Trust another log only.
  auto root = mg::TrustedRoot::FromPem(f.ca.Pem(), "ca.pem", f.other_log.signer.PublicKeyPem().value(), "other.pub");
  BOOST_REQUIRE(root.ok());
  auto v = mg::KeylessVerifier::Create(std::move(root).value(), mg::IdentityPolicy::Make(kIdentity, false, kIssuer, false).value());
  mg::SignatureCheck c = f.Check(m, *v);
  BOOST_TEST(!c.ok);
  BOOST_TEST(Has(c.problem, "from a log that is not in"), c.problem);
}

BOOST_AUTO_TEST_CASE(body_about_another_payload) {
  Fixture f;
  MakeOptions o;
  o.logged_payload = "something else";
  mg::SignatureCheck c = f.Check(f.SignMessage(o));
  BOOST_TEST(!c.ok);
  BOOST_TEST(Has(c.problem, "about another payload"), c.problem);
  c = f.CheckEnvelope(f.SignEnvelope(o));
  BOOST_TEST(!c.ok);
  BOOST_TEST(Has(c.problem, "about another payload"), c.problem);
}

BOOST_AUTO_TEST_CASE(expired_at_the_integrated_time) {
  Fixture f;
  MakeOptions o;
  o.integrated_time = o.cert.not_after + 60;  // logged after the ten minutes
  mg::SignatureCheck c = f.Check(f.SignMessage(o));
  BOOST_TEST(!c.ok);
  BOOST_TEST(Has(c.problem, "not valid at the time the log recorded"), c.problem);
  // Within the window it verifies although the certificate is long expired now.
  o.integrated_time = o.cert.not_after - 1;
  c = f.Check(f.SignMessage(o));
  BOOST_TEST(c.ok, c.problem);
}

BOOST_AUTO_TEST_CASE(no_code_signing_usage) {
  Fixture f;
  MakeOptions o;
  o.cert.code_signing = false;
  mg::SignatureCheck c = f.Check(f.SignMessage(o));
  BOOST_TEST(!c.ok);
  BOOST_TEST(Has(c.problem, "not for code signing"), c.problem);
}

BOOST_AUTO_TEST_CASE(inclusion_proof_tampered) {
  Fixture f;
  MakeOptions o;
  o.tamper_proof = true;
  mg::SignatureCheck c = f.Check(f.SignMessage(o));
  BOOST_TEST(!c.ok);
  BOOST_TEST(Has(c.problem, "inclusion proof does not lead to the root hash"), c.problem);
}

BOOST_AUTO_TEST_CASE(checkpoint_by_another_key) {
  Fixture f;
  MakeOptions o;
  o.checkpoint_log = &f.other_log;
  mg::SignatureCheck c = f.Check(f.SignMessage(o));
  BOOST_TEST(!c.ok);
  BOOST_TEST(Has(c.problem, "checkpoint's signature does not verify"), c.problem);
}

BOOST_AUTO_TEST_CASE(no_set_needs_a_proof) {
  Fixture f;
  MakeOptions o;
  o.with_set = false;
  mg::SignatureCheck c = f.Check(f.SignMessage(o));
  BOOST_TEST(c.ok, c.problem);  // the inclusion proof and its checkpoint prove the entry
  o.with_sigstore_bundle = false;
  c = f.Check(f.SignMessage(o));
  BOOST_TEST(!c.ok);
  BOOST_TEST(Has(c.problem, "no signed entry timestamp"), c.problem);
}

BOOST_AUTO_TEST_CASE(malformed_bundles_are_refused_not_thrown) {
  Fixture f;
  const Material good = f.SignMessage();
  for (const std::string& bundle :
       {std::string("not json"), std::string("[]"), std::string(R"({"Payload": 5})"),
        std::string(R"({"SignedEntryTimestamp": 5, "Payload": {}})"),
        std::string(R"({"Payload": {"body": "!!", "integratedTime": 1, "logIndex": 1, "logID": "ab"}})"),
        std::string(R"({"Payload": {"body": "e30=", "integratedTime": "1", "logIndex": 1, "logID": "ab"}})"),
        std::string(R"({"SignedEntryTimestamp": "", "Payload": {"body": "e30=", "integratedTime": 1700000100, "logIndex": 1, "logID": "zz"}})")}) {
    Material m = good;
    m.annotations[std::string(mg::kCosignBundleAnnotation)] = bundle;
    m.annotations.erase(std::string(mg::kSigstoreBundleAnnotation));
    mg::SignatureCheck c = f.Check(m);
    BOOST_TEST(!c.ok, bundle);
  }
  for (const std::string& sigstore :
       {std::string("garbage"), std::string(R"({"verificationMaterial": {"tlogEntries": [5]}})"),
        std::string(R"({"verificationMaterial": {"tlogEntries": [{"inclusionProof": "x"}]}})"),
        std::string(R"({"verificationMaterial": {"tlogEntries": [{"inclusionProof": {"hashes": [1]}}]}})")}) {
    Material m = good;
    m.annotations[std::string(mg::kSigstoreBundleAnnotation)] = sigstore;
    mg::SignatureCheck c = f.Check(m);
    BOOST_TEST(!c.ok, sigstore);
  }
  Material m = good;
  m.annotations[std::string(mg::kCosignCertificateAnnotation)] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  BOOST_TEST(!f.Check(m).ok);
}

BOOST_AUTO_TEST_CASE(key_verifier_refuses_keyless_material_it_cannot_check) {
  Fixture f;
  Material m = f.SignMessage();
  mg::KeyVerifier other(mg::PrivateKey::Generate().value().public_key());
  mg::SignatureCheck c = f.Check(m, other);
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.problem == "does not verify with the key");
  mg::KeyVerifier same(f.leaf_key.public_key());
  BOOST_TEST(f.Check(m, same).ok);  // the key path ignores certificates, as cosign verify --key does
}

BOOST_AUTO_TEST_CASE(verify_cosign_image_keyless) {
  Fixture f;
  mg::testing::FakeRegistryClient r;
  const std::string image = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":)"
                            R"("application/vnd.oci.image.config.v1+json","digest":"sha256:)" +
                            std::string(64, 'c') + R"(","size":2},"layers":[]})";
  const std::string digest = r.reg.PutManifest("mirror/hello", "1.0.0", mg::kMediaTypeOciManifest, image);
  FakeKeylessSigner signer(f);
  BOOST_REQUIRE(mg::AttachSignature(r.client, "mirror/hello", digest, signer).ok());
  BOOST_REQUIRE(mg::AttachAttestation(r.client, "mirror/hello", digest, std::string(mg::kSpdxPredicateType),
                                      Json{{"spdxVersion", "SPDX-2.3"}, {"packages", Json::array()}}, signer)
                    .ok());

  auto good = mg::VerifyCosignImage(r.client, "mirror/hello", "1.0.0", *f.Verifier());
  BOOST_REQUIRE_MESSAGE(good.ok(), good.status().ToString());
  BOOST_TEST(good->ok(), mg::Join(good->Failures(), "\n"));
  BOOST_TEST(good->key_fingerprint.empty());
  BOOST_TEST(Has(good->verified_with, "keyless identity \"" + kIdentity + "\""), good->verified_with);
  BOOST_REQUIRE_EQUAL(good->subjects.size(), 1u);
  BOOST_TEST(good->subjects[0].valid_signatures == 1);
  BOOST_REQUIRE_EQUAL(good->subjects[0].attestations.size(), 1u);
  BOOST_TEST(good->subjects[0].attestations[0].ok, good->subjects[0].attestations[0].problem);

  auto bad = mg::VerifyCosignImage(r.client, "mirror/hello", "1.0.0", *f.Verifier("someone@example.org"));
  BOOST_REQUIRE(bad.ok());
  BOOST_TEST(!bad->ok());
  const std::vector<std::string> failures = bad->Failures();
  const std::string tag = "reg.example/mirror/hello:sha256-" + digest.substr(7) + ".sig";
  BOOST_TEST(AnyHas(failures, tag + " is valid for keyless identity \"someone@example.org\""), mg::Join(failures, "\n"));
  BOOST_TEST(AnyHas(failures, "signature layer 0 (sha256:"), mg::Join(failures, "\n"));
  BOOST_TEST(AnyHas(failures, "wanted \"someone@example.org\""), mg::Join(failures, "\n"));
  BOOST_TEST(AnyHas(failures, "attestation https://spdx.dev/Document (layer sha256:"), mg::Join(failures, "\n"));

  // Key-based verification of the same image: nothing verifies with an unrelated key.
  auto keyed = mg::VerifyCosignImage(r.client, "mirror/hello", "1.0.0", mg::PrivateKey::Generate().value().public_key());
  BOOST_REQUIRE(keyed.ok());
  BOOST_TEST(!keyed->ok());
}

// The same material as files for `cosign verify-blob` (cosign 2.x, offline: its bundle holds the
// SET; SIGSTORE_REKOR_PUBLIC_KEY names the log's key; SCTs are not made here, hence
// --insecure-ignore-sct): cosign and KeylessVerifier agree on each case.
BOOST_AUTO_TEST_CASE(cosign_agrees) {
  std::string why;
  const std::string cosign = mg::testing::CosignPath(&why);
  if (cosign.empty()) {
    BOOST_TEST_MESSAGE("signature_verifier_test/cosign_agrees skipped: cosign unavailable (" << why << ")");
    return;
  }
  Fixture f;
  mg::testing::TempDir dir;
  const std::string d = dir.path();
  mg::testing::WriteText(d + "/blob", f.payload, 0644);
  mg::testing::WriteText(d + "/chain.pem", f.ca.Pem(), 0644);
  mg::testing::WriteText(d + "/rekor.pub", f.log.signer.PublicKeyPem().value(), 0644);
  auto cosign_accepts = [&](const Material& m, const std::string& identity, const std::string& issuer) {
    const Json bundle = {{"base64Signature", mg::Base64Encode(m.signature)},
                         {"cert", mg::Base64Encode(m.annotations.at(std::string(mg::kCosignCertificateAnnotation)))},
                         {"rekorBundle", mg::ParseJson(m.annotations.at(std::string(mg::kCosignBundleAnnotation)))}};
    mg::testing::WriteText(d + "/bundle.json", bundle.dump(), 0644);
    mg::SubprocessResult r = mg::testing::Run(
        {cosign, "verify-blob", "--bundle", d + "/bundle.json", "--certificate-chain", d + "/chain.pem",
         "--certificate-identity", identity, "--certificate-oidc-issuer", issuer, "--insecure-ignore-sct", d + "/blob"},
        {{"HOME", d}, {"TUF_ROOT", d + "/tuf"}, {"SIGSTORE_REKOR_PUBLIC_KEY", d + "/rekor.pub"}}, d);
    BOOST_TEST_MESSAGE("cosign verify-blob: exit " << r.exit_code << ": " << mg::TailLines(r.stderr_text, 3));
    return r.exit_code == 0;
  };
  const Material good = f.SignMessage();
  BOOST_TEST(cosign_accepts(good, kIdentity, kIssuer));
  BOOST_TEST(f.Check(good).ok);

  // A trusted_root.json written by `cosign trusted-root create` from the same chain and log key.
  mg::SubprocessResult created = mg::testing::Run(
      {cosign, "trusted-root", "create", "--certificate-chain", d + "/chain.pem", "--rekor-key", d + "/rekor.pub",
       "--out", d + "/trusted_root.json"},
      {{"HOME", d}, {"TUF_ROOT", d + "/tuf"}}, d);
  if (created.exit_code != 0) {
    BOOST_TEST_MESSAGE("cosign trusted-root create unavailable: " << mg::TailLines(created.stderr_text, 3));
  } else {
    auto root = mg::TrustedRoot::LoadFile(d + "/trusted_root.json");
    BOOST_REQUIRE_MESSAGE(root.ok(), root.status().ToString());
    auto v = mg::KeylessVerifier::Create(std::move(root).value(),
                                         mg::IdentityPolicy::Make(kIdentity, false, kIssuer, false).value());
    mg::SignatureCheck c = f.Check(good, *v);
    BOOST_TEST(c.ok, c.problem);
  }

  BOOST_TEST(!cosign_accepts(good, "someone@example.org", kIssuer));
  BOOST_TEST(!cosign_accepts(good, kIdentity, "https://accounts.google.com"));

  Material flipped = good;
  flipped.signature[flipped.signature.size() / 2] ^= 0x01;
  BOOST_TEST(!cosign_accepts(flipped, kIdentity, kIssuer));
  BOOST_TEST(!f.Check(flipped).ok);

  MakeOptions o;
  o.set_log = &f.other_log;
  const Material bad_set = f.SignMessage(o);
  BOOST_TEST(!cosign_accepts(bad_set, kIdentity, kIssuer));
  BOOST_TEST(!f.Check(bad_set).ok);

  MakeOptions other_root;
  other_root.ca = &f.other_ca;
  const Material foreign = f.SignMessage(other_root);
  BOOST_TEST(!cosign_accepts(foreign, kIdentity, kIssuer));
  BOOST_TEST(!f.Check(foreign).ok);

  MakeOptions late;
  late.integrated_time = late.cert.not_after + 60;
  const Material expired = f.SignMessage(late);
  BOOST_TEST(!cosign_accepts(expired, kIdentity, kIssuer));
  BOOST_TEST(!f.Check(expired).ok);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
