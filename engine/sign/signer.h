// The signing seam. Tasks sign through a Signer and never see how the key is held: today a
// KeySigner over a local P-256 key; later a keyless signer (an OIDC token exchanged for a
// short-lived Fulcio certificate, each signature logged in Rekor) implements the same interface
// and adds its certificate chain and log entry next to the signature (docs/attestations.md).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "sign/keys.h"
#include "util/status.h"

namespace mg {

// A signature and what a verifier needs next to it. A key-based signer fills `signature` only; a
// keyless signer also the short-lived certificate that binds its ephemeral key to an OIDC
// identity, and the transparency-log entry that proves when it signed. Whoever stores the
// signature stores all of it (CosignSignatureAnnotations in sign/simple_signing.h), so that
// keyless signing needs no change in the tasks.
struct SignatureMaterial {
  std::string signature;          // ASN.1 DER ECDSA over SHA-256(payload)
  std::string certificate_pem;    // Fulcio leaf certificate; empty for key-based signatures
  std::string chain_pem;          // its intermediates and root; may be empty
  std::string rekor_bundle_json;  // the Rekor entry's signed bundle; empty when not logged
  std::string sigstore_bundle_json;  // the same as a Sigstore bundle v0.3; empty when not logged
};

// A signature found in the registry, as a signer sees it when it decides whether it made it.
struct ExistingSignature {
  std::string_view signed_bytes;   // the simple-signing payload, or a DSSE envelope's PAE
  std::string_view der_signature;
  const std::map<std::string, std::string>* annotations = nullptr;  // the layer's; may be null
};

class Signer {
 public:
  virtual ~Signer() = default;
  // An ASN.1 DER ECDSA signature over SHA-256(payload): the form cosign writes (base64) in the
  // dev.cosignproject.cosign/signature annotation and in DSSE signatures.
  virtual Result<std::string> Sign(std::string_view payload) = 0;
  // The DSSE "keyid" hint written next to each signature. Unauthenticated; may be empty.
  virtual std::string KeyId() const = 0;
  // The PEM public key that verifies this signer's signatures.
  virtual Result<std::string> PublicKeyPem() const = 0;
  // The signature with its certificate and log entry. Tasks call this one. The default is Sign()
  // with no certificate and no log entry; a keyless signer overrides it (and logs a message
  // signature: hashedrekord).
  virtual Result<SignatureMaterial> SignWithMaterial(std::string_view payload);
  // The signature of a DSSE envelope around `payload`: over PreAuthEncoding(payload_type,
  // payload) (sign/dsse.h). A keyless signer logs the whole envelope (a dsse entry), which is why
  // this is not SignWithMaterial(PAE). The default is SignWithMaterial(PAE).
  virtual Result<SignatureMaterial> SignDsseWithMaterial(std::string_view payload_type, std::string_view payload);
  // Who signs, stable across runs, for cache keys and results: a key signer's public key
  // fingerprint ("sha256:<hex>"), a keyless signer's "keyless:<issuer>|<identity>".
  virtual std::string Identity() const = 0;
  // True when `existing` is a signature this signer stands behind: one made by its key, or (keyless)
  // by a certificate for its identity from its trust root, with a log entry. What the attach
  // functions check before they sign again (they never duplicate a signature) and what cached
  // results are re-checked against. A signature that does not verify is false, not an error.
  virtual Result<bool> Owns(const ExistingSignature& existing) const = 0;
};

// Signs with a local private key. Thread-safe after construction: Sign() may run on many
// threads at once (each call has its own OpenSSL context; the key is never modified).
class KeySigner final : public Signer {
 public:
  // `key_id` is the DSSE keyid hint; empty by default because cosign writes "" there.
  explicit KeySigner(PrivateKey key, std::string key_id = "");

  Result<std::string> Sign(std::string_view payload) override;
  std::string KeyId() const override { return key_id_; }
  Result<std::string> PublicKeyPem() const override { return key_.public_key().Pem(); }
  std::string Identity() const override { return key_.public_key().Fingerprint(); }
  Result<bool> Owns(const ExistingSignature& existing) const override;
  const PublicKey& public_key() const { return key_.public_key(); }

 private:
  const PrivateKey key_;
  const std::string key_id_;
};

// True when `der_signature` is a valid ECDSA signature of SHA-256(payload) by `key`. A signature
// that does not verify, including a malformed one, is `false`, not an error; errors are OpenSSL
// failures only (Internal).
Result<bool> VerifySignature(const PublicKey& key, std::string_view payload, std::string_view der_signature);

}  // namespace mg
