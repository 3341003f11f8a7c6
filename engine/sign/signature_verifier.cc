#include "sign/signature_verifier.h"

#include "sign/rekor_verify.h"
#include "sign/signer.h"
#include "sign/sigstore_bundle.h"
#include "sign/simple_signing.h"
#include "util/json.h"

namespace mg {
namespace {

SignatureCheck Fail(std::string why) { return SignatureCheck{false, std::move(why)}; }

std::string Annotation(const LayerAnnotations& annotations, std::string_view name) {
  auto it = annotations.find(std::string(name));
  return it == annotations.end() ? "" : it->second;
}

}  // namespace

Result<SignatureCheck> KeyVerifier::VerifyMessage(std::string_view payload, std::string_view der_signature,
                                                  const LayerAnnotations&) const {
  MG_ASSIGN_OR_RETURN(bool ok, VerifySignature(key_, payload, der_signature));
  if (!ok) return Fail("does not verify with the key");
  return SignatureCheck{true, ""};
}

Result<SignatureCheck> KeyVerifier::VerifyEnvelope(const DsseEnvelope& envelope, const LayerAnnotations&) const {
  MG_ASSIGN_OR_RETURN(bool ok, DsseVerify(envelope, key_));
  if (!ok) return Fail("its DSSE signature does not verify with the key");
  return SignatureCheck{true, ""};
}

std::unique_ptr<KeylessVerifier> KeylessVerifier::Create(TrustedRoot root, IdentityPolicy policy) {
  return std::unique_ptr<KeylessVerifier>(new KeylessVerifier(std::move(root), std::move(policy)));
}

Result<SignatureCheck> KeylessVerifier::Check(
    const LayerAnnotations& annotations, const std::string& sigstore_bundle,
    const std::function<Result<std::string>(const PublicKey& key)>& verify,
    const std::function<std::string(const std::string& body, const std::string& signature, const X509Leaf& leaf)>&
        check_body) const {
  const std::string cert_pem = Annotation(annotations, kCosignCertificateAnnotation);
  if (cert_pem.empty()) {
    return Fail("no certificate (" + std::string(kCosignCertificateAnnotation) + " is missing: not a keyless signature)");
  }
  const std::string bundle_json = Annotation(annotations, kCosignBundleAnnotation);
  if (bundle_json.empty()) {
    return Fail("no log entry (" + std::string(kCosignBundleAnnotation) + " is missing): a keyless signature must be in the transparency log");
  }
  Result<RekorBundle> bundle = ParseCosignBundle(bundle_json);
  if (!bundle.ok()) return Fail("no usable log entry: " + bundle.status().message());

  CertificateCheck cert = VerifyCertificate(cert_pem, Annotation(annotations, kCosignChainAnnotation), root_,
                                            bundle->integrated_time);
  if (!cert.ok) return Fail(cert.problem);
  if (std::string why = policy_.Check(cert.identities, cert.leaf->issuer); !why.empty()) return Fail(why);

  MG_ASSIGN_OR_RETURN(std::string signature, verify(cert.leaf->public_key));
  if (signature.empty()) return Fail("the signature does not verify with the certificate's key");

  // The log entry: about this signature, timestamped (SET) and, when a Sigstore bundle carries
  // one, proven included.
  if (std::string why = check_body(bundle->body, signature, *cert.leaf); !why.empty()) return Fail(why);
  bool proven = false;
  if (!sigstore_bundle.empty()) {
    const Json doc = ParseJson(sigstore_bundle);
    const Json& entries = ArrayField(ObjectField(doc, "verificationMaterial"), "tlogEntries");
    if (entries.empty()) return Fail("the Sigstore bundle (" + std::string(kSigstoreBundleAnnotation) + ") has no log entry");
    bool has_proof = false;
    if (std::string why = VerifyBundleInclusionProof(entries[0], bundle->body, root_, &has_proof); !why.empty()) {
      return Fail(why);
    }
    proven = has_proof;
  }
  const std::string set_problem = VerifySignedEntryTimestamp(*bundle, root_);
  // No SET at all is acceptable only with a verified inclusion proof; a SET that is present must verify.
  if (!set_problem.empty() && !(proven && bundle->signed_entry_timestamp.empty() &&
                                set_problem.find("no signed entry timestamp") != std::string::npos)) {
    return Fail(set_problem);
  }
  return SignatureCheck{true, ""};
}

Result<SignatureCheck> KeylessVerifier::VerifyMessage(std::string_view payload, std::string_view der_signature,
                                                      const LayerAnnotations& annotations) const {
  return Check(
      annotations, Annotation(annotations, kSigstoreBundleAnnotation),
      [&](const PublicKey& key) -> Result<std::string> {
        MG_ASSIGN_OR_RETURN(bool ok, VerifySignature(key, payload, der_signature));
        return ok ? std::string(der_signature) : std::string();
      },
      [&](const std::string& body, const std::string& signature, const X509Leaf& leaf) {
        return CheckHashedRekordBody(body, payload, signature, leaf.der);
      });
}

Result<SignatureCheck> KeylessVerifier::VerifyEnvelope(const DsseEnvelope& envelope, const LayerAnnotations& annotations) const {
  // The Sigstore bundle as a client would verify it: stored without the payload (or, by older
  // versions, with it), completed from the layer's envelope and checked to be about it.
  std::string bundle = Annotation(annotations, kSigstoreBundleAnnotation);
  if (!bundle.empty()) {
    Result<std::string> whole = CompleteSigstoreDsseBundle(bundle, envelope);
    if (!whole.ok()) {
      return Fail("the Sigstore bundle (" + std::string(kSigstoreBundleAnnotation) +
                  ") does not match the layer: " + whole.status().message());
    }
    bundle = std::move(whole.value());
  }
  return Check(
      annotations, bundle,
      [&](const PublicKey& key) -> Result<std::string> {
        const std::string pae = PreAuthEncoding(envelope.payload_type, envelope.payload);
        for (const DsseSignature& s : envelope.signatures) {
          MG_ASSIGN_OR_RETURN(bool ok, VerifySignature(key, pae, s.sig));
          if (ok) return s.sig;
        }
        return std::string();
      },
      [&](const std::string& body, const std::string& signature, const X509Leaf& leaf) {
        return CheckDsseBody(body, envelope, signature, leaf.der);
      });
}

}  // namespace mg
