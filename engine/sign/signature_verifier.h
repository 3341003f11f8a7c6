// Who `mirrorgraph verify` accepts signatures from (docs/attestations.md, "What mirrorgraph verify
// checks"): a public key (KeyVerifier, cosign verify --key), or a keyless identity
// (KeylessVerifier, cosign verify --certificate-identity ... --certificate-oidc-issuer ...): a
// Fulcio certificate that chains to the trusted root at the time the log recorded the signature,
// for that identity and issuer, whose key verifies the signature, with a log entry (SET or
// inclusion proof) about exactly that signature.
//
// A check that fails is a value (ok = false and why), never an error: the layers come from the
// registry and are untrusted. Errors are OpenSSL failures only (Internal). Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sign/certificate_chain.h"
#include "sign/dsse.h"
#include "sign/keys.h"
#include "sign/trusted_root.h"
#include "util/status.h"

namespace mg {

struct SignatureCheck {
  bool ok = false;
  std::string problem;  // why !ok: "does not verify with the key", `the certificate's identity is "X", wanted "Y"`, ...
};

using LayerAnnotations = std::map<std::string, std::string>;

class SignatureVerifier {
 public:
  virtual ~SignatureVerifier() = default;
  // A cosign image signature: `der_signature` over `payload` (the simple-signing payload), with
  // the layer's annotations (certificate, chain, bundles).
  virtual Result<SignatureCheck> VerifyMessage(std::string_view payload, std::string_view der_signature,
                                               const LayerAnnotations& annotations) const = 0;
  // A DSSE envelope (an attestation layer): some signature of it verifies over the PAE. A keyless
  // layer's Sigstore bundle may be stored without its payload (sign/sigstore_bundle.h): it is
  // completed from `envelope`, and refused when it is about another envelope.
  virtual Result<SignatureCheck> VerifyEnvelope(const DsseEnvelope& envelope, const LayerAnnotations& annotations) const = 0;
  // "key sha256:…", `keyless identity "X" (issuer "Y")`.
  virtual std::string Describe() const = 0;
  // The public key's fingerprint for a KeyVerifier; "" for keyless.
  virtual std::string KeyFingerprint() const { return ""; }
};

class KeyVerifier final : public SignatureVerifier {
 public:
  explicit KeyVerifier(PublicKey key) : key_(std::move(key)) {}
  Result<SignatureCheck> VerifyMessage(std::string_view payload, std::string_view der_signature,
                                       const LayerAnnotations& annotations) const override;
  Result<SignatureCheck> VerifyEnvelope(const DsseEnvelope& envelope, const LayerAnnotations& annotations) const override;
  std::string Describe() const override { return "key " + key_.Fingerprint(); }
  std::string KeyFingerprint() const override { return key_.Fingerprint(); }

 private:
  PublicKey key_;
};

class KeylessVerifier final : public SignatureVerifier {
 public:
  static std::unique_ptr<KeylessVerifier> Create(TrustedRoot root, IdentityPolicy policy);

  Result<SignatureCheck> VerifyMessage(std::string_view payload, std::string_view der_signature,
                                       const LayerAnnotations& annotations) const override;
  Result<SignatureCheck> VerifyEnvelope(const DsseEnvelope& envelope, const LayerAnnotations& annotations) const override;
  std::string Describe() const override { return "keyless " + policy_.Describe() + ", trusting " + root_.source; }

 private:
  KeylessVerifier(TrustedRoot root, IdentityPolicy policy) : root_(std::move(root)), policy_(std::move(policy)) {}
  // The checks shared by both kinds. `sigstore_bundle` is the layer's Sigstore bundle, whole
  // ("" when it has none); `verify` checks the signature with the certificate's key and returns
  // the DER signature that verified ("" when none); `check_body` checks the log entry's body
  // against it.
  Result<SignatureCheck> Check(const LayerAnnotations& annotations, const std::string& sigstore_bundle,
                               const std::function<Result<std::string>(const PublicKey& key)>& verify,
                               const std::function<std::string(const std::string& body, const std::string& signature,
                                                               const X509Leaf& leaf)>& check_body) const;

  const TrustedRoot root_;
  const IdentityPolicy policy_;
};

}  // namespace mg
