#include "sign/certificate_chain.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>

#include "sign/openssl_util.h"

namespace mg {
namespace {

using sign_internal::X509Ptr;
struct StoreFree {
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};
struct StackFree {
  void operator()(STACK_OF(X509)* p) const { sk_X509_pop_free(p, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), StackFree>;

// Longer identities are not matched against regular expressions (std::regex recurses per
// character); no Fulcio identity comes near this.
constexpr size_t kMaxRegexSubject = 4096;

X509Ptr FromDer(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  return cert;
}

std::vector<X509Ptr> FromPem(std::string_view pem) {
  std::vector<X509Ptr> out;
  if (pem.empty()) return out;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return out;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(cert);
  ERR_clear_error();
  return out;
}

bool Matches(const std::string& value, const std::string& exact, const std::optional<std::regex>& re) {
  if (!re) return value == exact;
  if (value.size() > kMaxRegexSubject) return false;
  try {
    return std::regex_match(value, *re);
  } catch (const std::regex_error&) {
    return false;
  }
}

std::string QuoteCertField(const std::string& s) {
  std::string out = "\"";
  for (char c : s.substr(0, 300)) out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
  return out + (s.size() > 300 ? "...\"" : "\"");
}

}  // namespace

Result<IdentityPolicy> IdentityPolicy::Make(std::string identity, bool identity_is_regexp, std::string issuer,
                                            bool issuer_is_regexp) {
  IdentityPolicy p;
  auto compile = [](const std::string& pattern, const char* flag, std::optional<std::regex>* out) -> Status {
    if (pattern.empty()) return Status::InvalidArgument(std::string(flag) + " must not be empty");
    try {
      *out = std::regex(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return Status::InvalidArgument(std::string(flag) + " " + QuoteCertField(pattern) + " is not a valid regular expression: " + e.what());
    }
    return Status::OK();
  };
  if (identity.empty()) {
    return Status::InvalidArgument(std::string(identity_is_regexp ? "--certificate-identity-regexp" : "--certificate-identity") +
                                   " must not be empty");
  }
  if (issuer.empty()) {
    return Status::InvalidArgument(std::string(issuer_is_regexp ? "--certificate-oidc-issuer-regexp" : "--certificate-oidc-issuer") +
                                   " must not be empty");
  }
  if (identity_is_regexp) MG_RETURN_IF_ERROR(compile(identity, "--certificate-identity-regexp", &p.identity_re_));
  if (issuer_is_regexp) MG_RETURN_IF_ERROR(compile(issuer, "--certificate-oidc-issuer-regexp", &p.issuer_re_));
  p.identity_ = std::move(identity);
  p.issuer_ = std::move(issuer);
  return p;
}

std::string IdentityPolicy::Check(const std::vector<std::string>& identities, const std::string& issuer) const {
  bool identity_ok = false;
  for (const std::string& id : identities) identity_ok = identity_ok || Matches(id, identity_, identity_re_);
  const std::string wanted_identity = identity_re_ ? "one matching /" + identity_ + "/" : QuoteCertField(identity_);
  if (!identity_ok) {
    if (identities.empty()) return "the certificate has no email or URI identity, wanted " + wanted_identity;
    std::string got;
    for (const std::string& id : identities) got += (got.empty() ? "" : ", ") + QuoteCertField(id);
    return "the certificate's identity is " + got + ", wanted " + wanted_identity;
  }
  if (!Matches(issuer, issuer_, issuer_re_)) {
    const std::string wanted = issuer_re_ ? "one matching /" + issuer_ + "/" : QuoteCertField(issuer_);
    if (issuer.empty()) return "the certificate names no OIDC issuer, wanted " + wanted;
    return "the certificate's OIDC issuer is " + QuoteCertField(issuer) + ", wanted " + wanted;
  }
  return "";
}

std::string IdentityPolicy::Describe() const {
  return std::string("identity ") + (identity_re_ ? "matching /" + identity_ + "/" : QuoteCertField(identity_)) + " (issuer " +
         (issuer_re_ ? "matching /" + issuer_ + "/" : QuoteCertField(issuer_)) + ")";
}

std::vector<std::string> SubjectAlternativeNames(std::string_view der) {
  std::vector<std::string> out;
  X509Ptr cert = FromDer(der);
  if (!cert) return out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  ERR_clear_error();
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_EMAIL && name->type != GEN_URI) continue;
    const ASN1_IA5STRING* s = name->type == GEN_EMAIL ? name->d.rfc822Name : name->d.uniformResourceIdentifier;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<size_t>(ASN1_STRING_length(s)));
  }
  GENERAL_NAMES_free(names);
  return out;
}

CertificateCheck VerifyCertificate(std::string_view leaf_pem, std::string_view chain_pem, const TrustedRoot& root,
                                   int64_t at_time) {
  CertificateCheck out;
  Result<X509Leaf> leaf = ReadX509Leaf(leaf_pem, "the signing certificate");
  if (!leaf.ok()) {
    out.problem = leaf.status().message();
    return out;
  }
  out.identities = SubjectAlternativeNames(leaf->der);
  X509Ptr cert = FromDer(leaf->der);
  out.leaf = std::move(leaf.value());
  if (!cert) {
    out.problem = "the signing certificate cannot be parsed";
    return out;
  }
  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  X509StackPtr untrusted(sk_X509_new_null());
  if (!store || !untrusted) {
    out.problem = "OpenSSL could not allocate a certificate store";
    return out;
  }
  int anchors = 0;
  for (const TrustedCertificateAuthority& ca : root.certificate_authorities) {
    if (ca.chain_der.empty() || !ca.valid_for.Contains(at_time)) continue;
    for (size_t i = 0; i < ca.chain_der.size(); ++i) {
      X509Ptr c = FromDer(ca.chain_der[i]);
      if (!c) continue;
      if (i + 1 == ca.chain_der.size()) {
        if (X509_STORE_add_cert(store.get(), c.get()) == 1) ++anchors;
        ERR_clear_error();  // a duplicate anchor is not an error
      } else if (sk_X509_push(untrusted.get(), c.get()) > 0) {
        (void)c.release();  // owned by the stack now
      }
    }
  }
  if (anchors == 0) {
    out.problem = "no certificate authority of " + root.source + " was valid at the log's time";
    return out;
  }
  for (X509Ptr& c : FromPem(chain_pem)) {
    if (sk_X509_push(untrusted.get(), c.get()) > 0) (void)c.release();
  }
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), untrusted.get()) != 1) {
    ERR_clear_error();
    out.problem = "OpenSSL could not set up the certificate verification";
    return out;
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at_time));
  // A trusted root's last certificate is an anchor even when it is an intermediate.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  const int verified = X509_verify_cert(ctx.get());
  const int err = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  if (verified != 1) {
    if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID) {
      out.problem = std::string("the certificate was not valid at the time the log recorded the signature (") +
                    X509_verify_cert_error_string(err) + ")";
    } else {
      out.problem = std::string("the certificate does not chain to a certificate authority of ") + root.source + " (" +
                    X509_verify_cert_error_string(err) + ")";
    }
    return out;
  }
  const uint32_t eku = X509_get_extended_key_usage(cert.get());
  if ((eku & XKU_CODE_SIGN) == 0 || eku == UINT32_MAX) {
    out.problem = "the certificate is not for code signing (no code signing extended key usage)";
    return out;
  }
  out.ok = true;
  return out;
}

}  // namespace mg
