// Small OpenSSL helpers shared by this layer's sources. Internal to engine/sign.
#pragma once

#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace mg::sign_internal {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// The reason of the oldest queued OpenSSL error ("bad decrypt", ...), or `fallback`; clears this
// thread's error queue either way. Reason strings are fixed texts: they never hold key bytes.
inline std::string TakeOpenSslError(const char* fallback) {
  unsigned long err = ERR_get_error();
  const char* reason = err != 0 ? ERR_reason_error_string(err) : nullptr;
  std::string out = reason != nullptr ? reason : fallback;
  ERR_clear_error();
  return out;
}

}  // namespace mg::sign_internal
