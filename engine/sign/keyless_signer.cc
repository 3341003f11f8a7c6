#include "sign/keyless_signer.h"

#include <chrono>

#include "sign/dsse.h"
#include "sign/sigstore_bundle.h"
#include "sign/simple_signing.h"
#include "util/sha256.h"

namespace mg {
namespace {

constexpr int64_t kRenewBeforeSeconds = 60;

int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string RawSha256(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.FinishRaw();
}

}  // namespace

KeylessSigner::KeylessSigner(HttpClient& http, KeylessOptions options, std::unique_ptr<TransparencyLog> log,
                             std::unique_ptr<KeySigner> key, IdentityToken token)
    : http_(http),
      options_(std::move(options)),
      log_(std::move(log)),
      key_(std::move(key)),
      identity_("keyless:" + token.issuer + "|" + token.Principal()),
      token_(std::move(token)) {}

Result<std::shared_ptr<KeylessSigner>> KeylessSigner::Create(HttpClient& http, KeylessOptions options,
                                                             std::unique_ptr<TransparencyLog> log) {
  if (!options.now) options.now = SystemNow;
  Result<IdentityToken> token = options.token_source.Fetch(http, options.now());
  if (!token.ok()) return token.status();
  Result<PrivateKey> key = PrivateKey::Generate();
  if (!key.ok()) return key.status().WithContext("making the ephemeral signing key");
  auto signer = std::make_unique<KeySigner>(std::move(key.value()));
  return std::shared_ptr<KeylessSigner>(
      new KeylessSigner(http, std::move(options), std::move(log), std::move(signer), std::move(token.value())));
}

std::string KeylessSigner::Identity() const { return identity_; }

int KeylessSigner::certificates_requested() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requested_;
}

Result<std::shared_ptr<const KeylessSigner::Certificate>> KeylessSigner::CurrentCertificate() const {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = options_.now();
  if (current_ && current_->leaf.not_after - now > kRenewBeforeSeconds) return current_;
  if (token_.expires_at != 0 && token_.expires_at <= now + 30) {
    Result<IdentityToken> fresh = options_.token_source.Fetch(http_, now);
    if (!fresh.ok()) return fresh.status().WithContext("renewing the signing certificate");
    token_ = std::move(fresh.value());
  }
  Result<FulcioCertificate> pem = RequestSigningCertificate(http_, options_.fulcio_url, token_, *key_);
  ++requested_;
  if (!pem.ok()) return pem.status();
  Result<X509Leaf> leaf = ReadX509Leaf(pem->leaf_pem, "the certificate Fulcio issued");
  if (!leaf.ok()) return leaf.status();
  if (!(leaf->public_key == key_->public_key())) {
    return Status::Corruption("the certificate Fulcio issued is for another key than the one it was asked to certify");
  }
  Result<std::vector<std::string>> chain = PemCertificatesToDer(pem->chain_pem, "the chain Fulcio returned");
  auto cert = std::make_shared<Certificate>(Certificate{std::move(pem.value()), std::move(leaf.value()), ""});
  if (chain.ok()) cert->root_der = chain->back();
  current_ = std::move(cert);
  return current_;
}

Result<std::string> KeylessSigner::Sign(std::string_view payload) { return key_->Sign(payload); }

Result<SignatureMaterial> KeylessSigner::SignWithMaterial(std::string_view payload) {
  MG_ASSIGN_OR_RETURN(std::shared_ptr<const Certificate> cert, CurrentCertificate());
  SignatureMaterial material;
  MG_ASSIGN_OR_RETURN(material.signature, key_->Sign(payload));
  const std::string digest = RawSha256(payload);
  Result<TlogEntry> entry = log_->AddHashedRekord(Sha256Hex(payload), material.signature, cert->pem.leaf_pem);
  if (!entry.ok()) return entry.status();
  material.certificate_pem = cert->pem.leaf_pem;
  material.chain_pem = cert->pem.chain_pem;
  material.rekor_bundle_json = CosignBundleAnnotation(*entry);
  material.sigstore_bundle_json = SigstoreMessageBundle(*entry, cert->leaf.der, digest, material.signature);
  return material;
}

Result<SignatureMaterial> KeylessSigner::SignDsseWithMaterial(std::string_view payload_type, std::string_view payload) {
  MG_ASSIGN_OR_RETURN(std::shared_ptr<const Certificate> cert, CurrentCertificate());
  SignatureMaterial material;
  MG_ASSIGN_OR_RETURN(material.signature, key_->Sign(PreAuthEncoding(payload_type, payload)));
  // The envelope exactly as DsseSign will store it: the log entry is about those bytes.
  DsseEnvelope envelope{std::string(payload_type), std::string(payload), {{KeyId(), material.signature}}};
  Result<TlogEntry> entry = log_->AddDsse(SerializeDsseEnvelope(envelope), cert->pem.leaf_pem);
  if (!entry.ok()) return entry.status();
  material.certificate_pem = cert->pem.leaf_pem;
  material.chain_pem = cert->pem.chain_pem;
  material.rekor_bundle_json = CosignBundleAnnotation(*entry);
  // Without the payload: the layer blob is the envelope (sign/sigstore_bundle.h).
  material.sigstore_bundle_json = DetachedSigstoreDsseBundle(*entry, cert->leaf.der, envelope);
  return material;
}

Result<bool> KeylessSigner::Owns(const ExistingSignature& existing) const {
  if (existing.annotations == nullptr) return false;
  auto find = [&](std::string_view name) -> std::string {
    auto it = existing.annotations->find(std::string(name));
    return it == existing.annotations->end() ? "" : it->second;
  };
  const std::string cert_pem = find(kCosignCertificateAnnotation);
  const std::string chain_pem = find(kCosignChainAnnotation);
  if (cert_pem.empty() || chain_pem.empty() || find(kCosignBundleAnnotation).empty()) return false;
  Result<X509Leaf> theirs = ReadX509Leaf(cert_pem, "the certificate of a signature");
  if (!theirs.ok()) return false;
  Result<std::vector<std::string>> chain = PemCertificatesToDer(chain_pem, "the chain of a signature");
  if (!chain.ok()) return false;
  MG_ASSIGN_OR_RETURN(std::shared_ptr<const Certificate> ours, CurrentCertificate());
  if (theirs->identity != ours->leaf.identity || theirs->issuer != ours->leaf.issuer ||
      chain->back() != ours->root_der) {
    return false;
  }
  return VerifySignature(theirs->public_key, existing.signed_bytes, existing.der_signature);
}

Result<std::shared_ptr<KeylessSigner>> SharedKeyless::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  if (signer_) return signer_;
  Result<IdentityTokenSource> source = IdentityTokenSource::Parse(token_spec_);
  if (!source.ok()) return source.status();
  Result<std::shared_ptr<KeylessSigner>> made =
      KeylessSigner::Create(http_, KeylessOptions{fulcio_url_, std::move(source.value()), nullptr}, NewRekorV1Log(http_, rekor_url_));
  if (!made.ok()) return made.status();
  signer_ = std::move(made.value());
  return signer_;
}

}  // namespace mg
