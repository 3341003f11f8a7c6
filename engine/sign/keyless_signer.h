// Keyless signing (docs/attestations.md, "Keyless signing"): an ephemeral P-256 key made in memory
// for the life of the signer (never written anywhere), a short-lived Fulcio certificate binding it
// to the OIDC identity of the run, and a Rekor entry for every signature, all returned in the
// SignatureMaterial the attach functions store next to the signature, the way cosign 2.x does.
//
// The certificate is requested at the first signature (a run whose signatures are all cached
// asks for none) and again when less than a minute of its validity is left (Fulcio certificates
// live ten minutes; a long run re-fetches the identity token, which GitHub Actions hands out on
// request). A signature is returned only with its log entry: nothing is pushed half-signed.
//
// Thread-safe: many tasks sign at once; the certificate is fetched by one of them while the others
// wait.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "http/http_client.h"
#include "sign/fulcio_client.h"
#include "sign/identity_token.h"
#include "sign/signer.h"
#include "sign/transparency_log.h"
#include "sign/x509_leaf.h"

namespace mg {

struct KeylessOptions {
  std::string fulcio_url;
  IdentityTokenSource token_source;
  std::function<int64_t()> now;  // seconds since the epoch; default: the system clock
};

class KeylessSigner final : public Signer {
 public:
  // Fetches the identity token (to fail early, and to name the identity) and makes the key; no
  // certificate yet. `http` and `log` must outlive the signer. Errors: the token source's
  // (FailedPrecondition when there is none or it expired), Internal for key generation.
  static Result<std::shared_ptr<KeylessSigner>> Create(HttpClient& http, KeylessOptions options,
                                                       std::unique_ptr<TransparencyLog> log);

  Result<std::string> Sign(std::string_view payload) override;  // the ephemeral key; nothing logged
  std::string KeyId() const override { return ""; }
  Result<std::string> PublicKeyPem() const override { return key_->public_key().Pem(); }
  Result<SignatureMaterial> SignWithMaterial(std::string_view payload) override;
  Result<SignatureMaterial> SignDsseWithMaterial(std::string_view payload_type, std::string_view payload) override;
  // "keyless:<token issuer>|<token principal>"
  std::string Identity() const override;
  // The layer carries a certificate for the same identity and issuer as this signer's, from the
  // same certificate authority (same root as the chain Fulcio gave this signer), a log entry
  // (dev.sigstore.cosign/bundle), and the signature verifies with the certificate's key. Asks
  // Fulcio for this signer's certificate when it has none yet.
  Result<bool> Owns(const ExistingSignature& existing) const override;

  // How many certificates were requested (tests, benchmarks).
  int certificates_requested() const;

 private:
  struct Certificate {
    FulcioCertificate pem;
    X509Leaf leaf;
    std::string root_der;  // the last certificate of the chain
  };
  KeylessSigner(HttpClient& http, KeylessOptions options, std::unique_ptr<TransparencyLog> log,
                std::unique_ptr<KeySigner> key, IdentityToken token);
  // The current certificate, requested or renewed as needed. Thread-safe.
  Result<std::shared_ptr<const Certificate>> CurrentCertificate() const;

  HttpClient& http_;
  const KeylessOptions options_;
  const std::unique_ptr<TransparencyLog> log_;
  const std::unique_ptr<KeySigner> key_;
  const std::string identity_;
  mutable std::mutex mu_;
  mutable IdentityToken token_;                         // GUARDED_BY(mu_); a secret
  mutable std::shared_ptr<const Certificate> current_;  // GUARDED_BY(mu_)
  mutable int requested_ = 0;                           // GUARDED_BY(mu_)
};

// One KeylessSigner made on first use and shared by every task of a session (one key, one
// certificate, one token fetch). A failure is not kept: the next call tries again. Thread-safe.
// `http` must outlive this object and every signer it handed out.
class SharedKeyless {
 public:
  SharedKeyless(HttpClient& http, std::string fulcio_url, std::string rekor_url, std::string token_spec)
      : http_(http), fulcio_url_(std::move(fulcio_url)), rekor_url_(std::move(rekor_url)), token_spec_(std::move(token_spec)) {}
  Result<std::shared_ptr<KeylessSigner>> Get();

 private:
  HttpClient& http_;
  const std::string fulcio_url_, rekor_url_, token_spec_;
  std::mutex mu_;
  std::shared_ptr<KeylessSigner> signer_;  // GUARDED_BY(mu_)
};

}  // namespace mg
