#include "sign/trusted_root.h"

#include <openssl/x509.h>

#include <cstdlib>
#include <ctime>
#include <memory>

#include "http/base64.h"
#include "sign/openssl_util.h"
#include "sign/x509_leaf.h"
#include "util/atomic_file.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/sha256.h"

namespace mg {
namespace {

using sign_internal::TakeOpenSslError;

using sign_internal::X509Free;

// True when the DER certificate's subject equals its issuer (a root).
bool IsSelfIssued(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) {
    ERR_clear_error();
    return false;
  }
  return X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())) == 0;
}

bool IsDerCertificate(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  return cert != nullptr && p == reinterpret_cast<const unsigned char*>(der.data()) + der.size();
}

Result<PublicKey> KeyFromSpki(const std::string& der, std::string_view what) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* pkey = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (pkey == nullptr) {
    return Status::InvalidArgument(std::string(what) + " is not a DER public key: " + TakeOpenSslError("malformed"));
  }
  return PublicKey::FromEvp(pkey, what);
}

// validFor {start, end}; absent is open. `what` names the entry.
Result<ValidityWindow> ReadValidity(const Json& entry, const std::string& what) {
  ValidityWindow w;
  const Json* valid = FindField(entry, "validFor");
  if (valid == nullptr) return w;
  if (!valid->is_object()) return Status::InvalidArgument(what + ": validFor is not an object");
  for (const char* side : {"start", "end"}) {
    const Json* v = FindField(*valid, side);
    if (v == nullptr) continue;
    std::optional<int64_t> t = v->is_string() ? ParseRfc3339Seconds(v->get<std::string>()) : std::nullopt;
    if (!t) return Status::InvalidArgument(what + ": validFor." + side + " is not an RFC 3339 time");
    (std::string_view(side) == "start" ? w.start : w.end) = *t;
  }
  return w;
}

// One tlogs[]/ctlogs[] entry. Returns nullopt (and a line in *skipped) for a key we cannot use.
Result<std::optional<TrustedLog>> ReadLog(const Json& entry, const std::string& what, std::vector<std::string>* skipped) {
  if (!entry.is_object()) return Status::InvalidArgument(what + " is not an object");
  const Json& public_key = ObjectField(entry, "publicKey");
  std::optional<std::string> raw = Base64Decode(StringField(public_key, "rawBytes"));
  if (!raw || raw->empty()) return Status::InvalidArgument(what + ": publicKey.rawBytes is missing or not base64");
  MG_ASSIGN_OR_RETURN(ValidityWindow valid, ReadValidity(public_key, what + ".publicKey"));
  Result<PublicKey> key = KeyFromSpki(*raw, what + ".publicKey");
  if (!key.ok()) {
    skipped->push_back(what + " (" + StringField(public_key, "keyDetails", "unknown key type") +
                       "): " + key.status().message());
    return std::optional<TrustedLog>();
  }
  std::string log_id;
  if (const Json* id = FindField(ObjectField(entry, "logId"), "keyId"); id != nullptr) {
    std::optional<std::string> decoded = id->is_string() ? Base64Decode(id->get<std::string>()) : std::nullopt;
    if (!decoded || decoded->empty()) return Status::InvalidArgument(what + ": logId.keyId is not base64");
    log_id = std::move(*decoded);
  } else {
    Sha256 h;
    h.Update(key->SpkiDer());
    log_id = h.FinishRaw();
  }
  return std::optional<TrustedLog>(TrustedLog{StringField(entry, "baseUrl"), std::move(log_id), std::move(key.value()), valid});
}

}  // namespace

std::optional<int64_t> ParseRfc3339Seconds(std::string_view text) {
  const std::optional<int64_t> millis = ParseRfc3339(text);
  if (!millis) return std::nullopt;
  return *millis >= 0 ? *millis / 1000 : -((-*millis + 999) / 1000);  // floor: whole seconds
}

const TrustedLog* TrustedRoot::FindLog(std::string_view log_id) const {
  for (const TrustedLog& log : tlogs) {
    if (log.log_id == log_id) return &log;
  }
  return nullptr;
}

Result<TrustedRoot> TrustedRoot::FromJson(std::string_view text, std::string_view source) {
  const std::string where(source);
  std::string error;
  Json doc = ParseJson(text, &error);
  if (!error.empty() || !doc.is_object()) {
    return Status::InvalidArgument(where + " is not a Sigstore trusted root: not a JSON object" +
                                   (error.empty() ? "" : " (" + error + ")"));
  }
  if (const Json* media = FindField(doc, "mediaType"); media != nullptr) {
    const std::string m = StringOr(*media);
    if (m.rfind("application/vnd.dev.sigstore.trustedroot", 0) != 0) {
      return Status::InvalidArgument(where + " is not a Sigstore trusted root: its mediaType is \"" + m.substr(0, 100) +
                                     "\", not application/vnd.dev.sigstore.trustedroot+json");
    }
  }
  TrustedRoot root;
  root.source = where;
  for (const char* field : {"certificateAuthorities", "tlogs", "ctlogs"}) {
    const Json* f = FindField(doc, field);
    if (f != nullptr && !f->is_array()) return Status::InvalidArgument(where + ": " + field + " is not an array");
  }
  const Json& cas = ArrayField(doc, "certificateAuthorities");
  for (size_t i = 0; i < cas.size(); ++i) {
    const std::string what = where + ": certificateAuthorities[" + std::to_string(i) + "]";
    const Json& ca = cas[i];
    if (!ca.is_object()) return Status::InvalidArgument(what + " is not an object");
    TrustedCertificateAuthority out;
    out.uri = StringField(ca, "uri");
    MG_ASSIGN_OR_RETURN(out.valid_for, ReadValidity(ca, what));
    const Json* certs = FindField(ObjectField(ca, "certChain"), "certificates");
    if (certs == nullptr || !certs->is_array() || certs->empty()) {
      return Status::InvalidArgument(what + ": certChain.certificates is missing or empty");
    }
    for (size_t j = 0; j < certs->size(); ++j) {
      std::optional<std::string> der = Base64Decode(StringField((*certs)[j], "rawBytes"));
      if (!der || !IsDerCertificate(*der)) {
        return Status::InvalidArgument(what + ": certChain.certificates[" + std::to_string(j) +
                                       "].rawBytes is not a base64 DER certificate");
      }
      out.chain_der.push_back(std::move(*der));
    }
    root.certificate_authorities.push_back(std::move(out));
  }
  for (const char* field : {"tlogs", "ctlogs"}) {
    const Json& logs = ArrayField(doc, field);
    for (size_t i = 0; i < logs.size(); ++i) {
      MG_ASSIGN_OR_RETURN(std::optional<TrustedLog> log,
                          ReadLog(logs[i], where + ": " + field + "[" + std::to_string(i) + "]", &root.skipped));
      if (log) (std::string_view(field) == "tlogs" ? root.tlogs : root.ctlogs).push_back(std::move(*log));
    }
  }
  if (root.certificate_authorities.empty()) {
    return Status::InvalidArgument(where + " names no certificate authority (certificateAuthorities is empty)");
  }
  if (root.tlogs.empty()) {
    return Status::InvalidArgument(where + " names no usable transparency log (tlogs" +
                                   (root.skipped.empty() ? " is empty)" : ": " + root.skipped.front() + ")"));
  }
  return root;
}

Result<TrustedRoot> TrustedRoot::LoadFile(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status().WithContext("reading the trusted root " + path);
  return FromJson(*text, path);
}

Result<TrustedRoot> TrustedRoot::FromPem(std::string_view chain_pem, std::string_view chain_source,
                                         std::string_view rekor_key_pem, std::string_view key_source) {
  MG_ASSIGN_OR_RETURN(std::vector<std::string> certs, PemCertificatesToDer(chain_pem, chain_source));
  std::vector<std::string> roots, intermediates;
  for (std::string& der : certs) (IsSelfIssued(der) ? roots : intermediates).push_back(std::move(der));
  if (roots.empty()) {
    return Status::InvalidArgument(std::string(chain_source) + " holds no root certificate (none is self-signed)");
  }
  TrustedRoot root;
  root.source = std::string(chain_source) + " and " + std::string(key_source);
  for (std::string& r : roots) {
    TrustedCertificateAuthority ca;
    ca.chain_der = intermediates;
    ca.chain_der.push_back(std::move(r));
    root.certificate_authorities.push_back(std::move(ca));
  }
  MG_ASSIGN_OR_RETURN(PublicKey key, LoadPublicKeyPem(rekor_key_pem, key_source));
  Sha256 h;
  h.Update(key.SpkiDer());
  root.tlogs.push_back(TrustedLog{"", h.FinishRaw(), std::move(key), {}});
  return root;
}

Result<std::optional<TrustedRoot>> TrustedRoot::FromCosignEnvironment() {
  const char* chain = std::getenv("SIGSTORE_ROOT_FILE");
  const char* key = std::getenv("SIGSTORE_REKOR_PUBLIC_KEY");
  const bool has_chain = chain != nullptr && *chain != '\0', has_key = key != nullptr && *key != '\0';
  if (!has_chain && !has_key) return std::optional<TrustedRoot>();
  if (!has_chain || !has_key) {
    return Status::InvalidArgument(std::string(has_chain ? "SIGSTORE_ROOT_FILE" : "SIGSTORE_REKOR_PUBLIC_KEY") +
                                   " is set but " + (has_chain ? "SIGSTORE_REKOR_PUBLIC_KEY" : "SIGSTORE_ROOT_FILE") +
                                   " is not: keyless verification needs both the certificate chain and the log's key");
  }
  Result<std::string> chain_pem = ReadFile(chain);
  if (!chain_pem.ok()) return chain_pem.status().WithContext("reading SIGSTORE_ROOT_FILE " + std::string(chain));
  Result<std::string> key_pem = ReadFile(key);
  if (!key_pem.ok()) return key_pem.status().WithContext("reading SIGSTORE_REKOR_PUBLIC_KEY " + std::string(key));
  MG_ASSIGN_OR_RETURN(TrustedRoot root, FromPem(*chain_pem, "SIGSTORE_ROOT_FILE " + std::string(chain), *key_pem,
                                                "SIGSTORE_REKOR_PUBLIC_KEY " + std::string(key)));
  return std::optional<TrustedRoot>(std::move(root));
}

}  // namespace mg
