// In-process Sigstore stand-ins for keyless verification tests: a certificate authority (a root,
// leaves with a URI or email SAN, the OIDC issuer extensions and the code-signing EKU), and a
// transparency log key that signs SETs and checkpoints, with RFC 6962 trees computed here
// (independently of sign/rekor_verify.cc). Everything is generated at test time.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>
#include <vector>

#include "http/base64.h"
#include "sign/keys.h"
#include "sign/signer.h"
#include "util/json.h"
#include "util/sha256.h"

namespace mg::testing {

struct TestCertOptions {
  std::string san = "https://github.com/team/mirror/.github/workflows/mirror.yml@refs/heads/main";
  bool san_is_email = false;
  std::string issuer = "https://token.actions.githubusercontent.com";
  bool issuer_v2 = true;  // 1.3.6.1.4.1.57264.1.8 (DER UTF8String); also .1.1 (raw) always
  bool code_signing = true;
  int64_t not_before = 1700000000;
  int64_t not_after = 1700000000 + 600;
};

inline std::string X509Der(X509* cert) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  BOOST_REQUIRE(len > 0);
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

inline std::string X509Pem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  BOOST_REQUIRE(PEM_write_bio_X509(bio, cert) == 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

inline void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  BOOST_REQUIRE(ext != nullptr);
  BOOST_REQUIRE(X509_add_ext(cert, ext, -1) == 1);
  X509_EXTENSION_free(ext);
}

inline void AddRawExt(X509* cert, const char* oid, const std::string& bytes) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  ASN1_OCTET_STRING* data = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(data, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, obj, 0, data);
  BOOST_REQUIRE(ext != nullptr);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  ASN1_OCTET_STRING_free(data);
  ASN1_OBJECT_free(obj);
}

inline std::string Utf8StringDer(const std::string& s) {
  ASN1_UTF8STRING* u = ASN1_UTF8STRING_new();
  ASN1_STRING_set(u, s.data(), static_cast<int>(s.size()));
  unsigned char* der = nullptr;
  const int len = i2d_ASN1_UTF8STRING(u, &der);
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  ASN1_UTF8STRING_free(u);
  return out;
}

// A self-signed root CA over a fresh P-256 key.
class TestCa {
 public:
  explicit TestCa(const std::string& name = "test-root") : key_(PrivateKey::Generate().value()) {
    cert_ = X509_new();
    X509_set_version(cert_, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert_), 1);
    X509_NAME* n = X509_get_subject_name(cert_);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert_, n);
    ASN1_TIME_set(X509_getm_notBefore(cert_), 1600000000);
    ASN1_TIME_set(X509_getm_notAfter(cert_), 2000000000);
    X509_set_pubkey(cert_, key_.evp());
    AddExt(cert_, cert_, NID_basic_constraints, "critical,CA:TRUE");
    AddExt(cert_, cert_, NID_key_usage, "critical,keyCertSign,cRLSign");
    AddExt(cert_, cert_, NID_subject_key_identifier, "hash");
    BOOST_REQUIRE(X509_sign(cert_, key_.evp(), EVP_sha256()) > 0);
  }
  ~TestCa() { X509_free(cert_); }
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  std::string Pem() const { return X509Pem(cert_); }
  std::string Der() const { return X509Der(cert_); }

  // A leaf for `subject_key` signed by this CA; PEM.
  std::string Leaf(const PublicKey& subject_key, const TestCertOptions& o = {}) const {
    X509* leaf = X509_new();
    X509_set_version(leaf, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(leaf), ++serial_);
    X509_set_issuer_name(leaf, X509_get_subject_name(cert_));
    ASN1_TIME_set(X509_getm_notBefore(leaf), static_cast<time_t>(o.not_before));
    ASN1_TIME_set(X509_getm_notAfter(leaf), static_cast<time_t>(o.not_after));
    X509_set_pubkey(leaf, subject_key.evp());
    AddExt(leaf, cert_, NID_key_usage, "critical,digitalSignature");
    if (o.code_signing) AddExt(leaf, cert_, NID_ext_key_usage, "codeSigning");
    AddExt(leaf, cert_, NID_subject_alt_name, ((o.san_is_email ? "email:" : "URI:") + o.san).c_str());
    AddExt(leaf, cert_, NID_authority_key_identifier, "keyid:always");
    AddRawExt(leaf, "1.3.6.1.4.1.57264.1.1", o.issuer);
    if (o.issuer_v2) AddRawExt(leaf, "1.3.6.1.4.1.57264.1.8", Utf8StringDer(o.issuer));
    BOOST_REQUIRE(X509_sign(leaf, key_.evp(), EVP_sha256()) > 0);
    std::string pem = X509Pem(leaf);
    X509_free(leaf);
    return pem;
  }

 private:
  PrivateKey key_;
  X509* cert_ = nullptr;
  mutable long serial_ = 100;
};

inline std::string RawSha256(std::string_view a, std::string_view b = {}, std::string_view c = {}) {
  Sha256 h;
  h.Update(a);
  h.Update(b);
  h.Update(c);
  return h.FinishRaw();
}

// RFC 6962 section 2.1, recursively: the tree hash of leaves[lo, hi) and the audit path of leaf m.
inline std::string TreeHash(const std::vector<std::string>& leaves, size_t lo, size_t hi) {
  if (hi - lo == 1) return RawSha256(std::string(1, '\0'), leaves[lo]);
  size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return RawSha256(std::string(1, '\1'), TreeHash(leaves, lo, lo + k), TreeHash(leaves, lo + k, hi));
}

inline std::vector<std::string> AuditPath(const std::vector<std::string>& leaves, size_t m, size_t lo, size_t hi) {
  if (hi - lo <= 1) return {};
  size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  std::vector<std::string> path;
  if (m < k) {
    path = AuditPath(leaves, m, lo, lo + k);
    path.push_back(TreeHash(leaves, lo + k, hi));
  } else {
    path = AuditPath(leaves, m - k, lo + k, hi);
    path.push_back(TreeHash(leaves, lo, lo + k));
  }
  return path;
}

inline std::string Hex(std::string_view raw) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// A transparency log's key: SETs and checkpoints.
struct TestLog {
  KeySigner signer{PrivateKey::Generate().value()};
  std::string name = "127.0.0.1:3000";

  std::string LogId() const { return RawSha256(signer.public_key().SpkiDer()); }
  std::string Set(const std::string& body, int64_t integrated_time, int64_t log_index) {
    const Json p = {{"body", Base64Encode(body)},
                    {"integratedTime", integrated_time},
                    {"logID", Hex(LogId())},
                    {"logIndex", log_index}};
    return signer.Sign(CanonicalJson(p)).value();
  }
  std::string Checkpoint(int64_t tree_size, const std::string& root_hash) {
    const std::string note = name + " - 1234567890\n" + std::to_string(tree_size) + "\n" + Base64Encode(root_hash) + "\n";
    const std::string sig = signer.Sign(note).value();
    return note + "\n\xE2\x80\x94 " + name + " " + Base64Encode(LogId().substr(0, 4) + sig) + "\n";
  }
};

}  // namespace mg::testing
