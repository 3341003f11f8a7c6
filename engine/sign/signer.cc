#include "sign/signer.h"

#include <openssl/evp.h>

#include "sign/dsse.h"
#include "sign/openssl_util.h"

namespace mg {

using sign_internal::EvpMdCtxPtr;
using sign_internal::TakeOpenSslError;

Result<SignatureMaterial> Signer::SignWithMaterial(std::string_view payload) {
  SignatureMaterial material;
  MG_ASSIGN_OR_RETURN(material.signature, Sign(payload));
  return material;
}

Result<SignatureMaterial> Signer::SignDsseWithMaterial(std::string_view payload_type, std::string_view payload) {
  return SignWithMaterial(PreAuthEncoding(payload_type, payload));
}

KeySigner::KeySigner(PrivateKey key, std::string key_id) : key_(std::move(key)), key_id_(std::move(key_id)) {
  // One signature up front so any lazy provider-side setup of the key happens here, on one
  // thread, and not in the first concurrent calls.
  if (key_.evp() != nullptr) (void)Sign("");
}

Result<std::string> KeySigner::Sign(std::string_view payload) {
  if (key_.evp() == nullptr) return Status::FailedPrecondition("signing with a moved-from key");
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return Status::Internal("EVP_MD_CTX_new failed");
  if (EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key_.evp(), nullptr) != 1) {
    return Status::Internal("starting an ECDSA signature: " + TakeOpenSslError("EVP_DigestSignInit failed"));
  }
  size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(payload.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, data, payload.size()) != 1) {
    return Status::Internal("sizing an ECDSA signature: " + TakeOpenSslError("EVP_DigestSign failed"));
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data, payload.size()) != 1) {
    return Status::Internal("ECDSA signing: " + TakeOpenSslError("EVP_DigestSign failed"));
  }
  sig.resize(len);
  return sig;
}

Result<bool> KeySigner::Owns(const ExistingSignature& existing) const {
  return VerifySignature(key_.public_key(), existing.signed_bytes, existing.der_signature);
}

Result<bool> VerifySignature(const PublicKey& key, std::string_view payload, std::string_view der_signature) {
  if (key.evp() == nullptr) return Status::FailedPrecondition("verifying with a moved-from public key");
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return Status::Internal("EVP_MD_CTX_new failed");
  if (EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key.evp(), nullptr) != 1) {
    return Status::Internal("starting an ECDSA verification: " + TakeOpenSslError("EVP_DigestVerifyInit failed"));
  }
  int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(der_signature.data()),
                            der_signature.size(), reinterpret_cast<const unsigned char*>(payload.data()),
                            payload.size());
  ERR_clear_error();  // a malformed signature queues decoding errors: it is simply not valid
  return rc == 1;
}

}  // namespace mg
