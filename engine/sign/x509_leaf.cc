#include "sign/x509_leaf.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "sign/openssl_util.h"

namespace mg {
namespace {

using sign_internal::BioPtr;
using sign_internal::X509Ptr;

constexpr const char* kIssuerV2Oid = "1.3.6.1.4.1.57264.1.8";
constexpr const char* kIssuerV1Oid = "1.3.6.1.4.1.57264.1.1";

int64_t ToEpoch(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

// The raw contents of extension `oid`, or "" when absent.
std::string ExtensionBytes(X509* cert, const char* oid) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  if (obj == nullptr) return "";
  const int at = X509_get_ext_by_OBJ(cert, obj, -1);
  ASN1_OBJECT_free(obj);
  if (at < 0) return "";
  ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(cert, at));
  if (data == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)), ASN1_STRING_length(data));
}

// The v2 issuer extension holds a DER UTF8String; v1 the raw bytes.
std::string Issuer(X509* cert) {
  const std::string v2 = ExtensionBytes(cert, kIssuerV2Oid);
  if (!v2.empty()) {
    const auto* p = reinterpret_cast<const unsigned char*>(v2.data());
    ASN1_UTF8STRING* s = d2i_ASN1_UTF8STRING(nullptr, &p, static_cast<long>(v2.size()));
    if (s != nullptr) {
      std::string out(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), ASN1_STRING_length(s));
      ASN1_UTF8STRING_free(s);
      return out;
    }
  }
  return ExtensionBytes(cert, kIssuerV1Oid);
}

std::string FirstSan(X509* cert) {
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return "";
  std::string out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names) && out.empty(); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_EMAIL || name->type == GEN_URI) {
      const ASN1_IA5STRING* s = name->type == GEN_EMAIL ? name->d.rfc822Name : name->d.uniformResourceIdentifier;
      out.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), ASN1_STRING_length(s));
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

}  // namespace

Result<std::vector<std::string>> PemCertificatesToDer(std::string_view pem, std::string_view what) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Status::Internal("BIO_new_mem_buf failed");
  std::vector<std::string> out;
  while (true) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert.get(), &der);
    if (len <= 0) break;
    out.emplace_back(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
  }
  ERR_clear_error();  // the end of the input queues a "no start line"
  if (out.empty()) return Status::InvalidArgument(std::string(what) + " holds no PEM certificate");
  return out;
}

Result<X509Leaf> ReadX509Leaf(std::string_view pem, std::string_view what) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Status::Internal("BIO_new_mem_buf failed");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    ERR_clear_error();
    return Status::InvalidArgument(std::string(what) + " is not a PEM certificate");
  }
  EVP_PKEY* key = X509_get_pubkey(cert.get());  // a new reference, owned by FromEvp below
  if (key == nullptr) {
    ERR_clear_error();
    return Status::InvalidArgument(std::string(what) + " has no readable public key");
  }
  Result<PublicKey> public_key = PublicKey::FromEvp(key, what);
  if (!public_key.ok()) return public_key.status();
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert.get(), &der);
  if (len <= 0) return Status::Internal("i2d_X509 failed");
  X509Leaf leaf{FirstSan(cert.get()),
                Issuer(cert.get()),
                ToEpoch(X509_get0_notBefore(cert.get())),
                ToEpoch(X509_get0_notAfter(cert.get())),
                std::string(reinterpret_cast<const char*>(der), static_cast<size_t>(len)),
                std::move(public_key.value())};
  OPENSSL_free(der);
  return leaf;
}

}  // namespace mg
