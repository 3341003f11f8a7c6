#include "sign/keys.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <cstring>
#include <vector>

#include "sign/cosign_key.h"
#include "sign/openssl_util.h"
#include "sign/pem.h"
#include "util/sha256.h"
#include "util/strings.h"

namespace mg {

using sign_internal::EvpPkeyPtr;
using sign_internal::TakeOpenSslError;

namespace {

// "RSA", "ED25519", "EC (secp384r1)": what a rejected key is, for messages.
std::string DescribeKey(EVP_PKEY* pkey) {
  const char* type = EVP_PKEY_get0_type_name(pkey);
  std::string out = type != nullptr ? type : "unknown key type";
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[80] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &len) == 1) out += std::string(" (") + group + ")";
  }
  return out;
}

bool IsP256(EVP_PKEY* pkey) {
  if (!EVP_PKEY_is_a(pkey, "EC")) return false;
  char group[80] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &len) != 1) return false;
  return std::strcmp(group, SN_X9_62_prime256v1) == 0;
}

Status NotP256(EVP_PKEY* pkey, std::string_view source_name) {
  return Status::InvalidArgument(std::string(source_name) + ": the key is " + DescribeKey(pkey) +
                                 "; mirrorgraph signs with ECDSA P-256 keys only (as `cosign "
                                 "generate-key-pair` makes them)");
}

Result<std::string> SpkiDerOf(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pkey, &der);
  if (len <= 0) return Status::Internal("encoding a public key: " + TakeOpenSslError("i2d_PUBKEY failed"));
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

struct PassphraseArg {
  std::string_view passphrase;
  bool asked = false;
};

// OpenSSL's passphrase callback: hands over the passphrase (never prompts a terminal).
int PassphraseCallback(char* buf, int size, int /*rwflag*/, void* u) {
  auto* arg = static_cast<PassphraseArg*>(u);
  arg->asked = true;
  if (arg->passphrase.size() > static_cast<size_t>(size)) return -1;
  std::memcpy(buf, arg->passphrase.data(), arg->passphrase.size());
  return static_cast<int>(arg->passphrase.size());
}

Status WrongPassphrase(std::string_view source_name) {
  return Status::PermissionDenied("wrong passphrase for " + std::string(source_name));
}

Status Malformed(std::string_view source_name, const std::string& label, const std::string& why) {
  return Status::InvalidArgument(std::string(source_name) + ": malformed '" + label + "' key: " + why);
}

// PKCS#8 PrivateKeyInfo DER -> key.
Result<PrivateKey> FromPkcs8Der(std::string_view der, std::string_view source_name, const std::string& label) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  PKCS8_PRIV_KEY_INFO* info = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
  if (info == nullptr) return Malformed(source_name, label, TakeOpenSslError("not a PKCS#8 structure"));
  EVP_PKEY* pkey = EVP_PKCS82PKEY(info);
  PKCS8_PRIV_KEY_INFO_free(info);
  if (pkey == nullptr) return Malformed(source_name, label, TakeOpenSslError("unsupported PKCS#8 key"));
  return PrivateKey::FromEvp(pkey, source_name);
}

Result<PrivateKey> FromEncryptedPkcs8(const PemBlock& block, std::string_view passphrase,
                                      std::string_view source_name) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(block.der.data());
  X509_SIG* sig = d2i_X509_SIG(nullptr, &p, static_cast<long>(block.der.size()));
  if (sig == nullptr) return Malformed(source_name, block.label, TakeOpenSslError("not an EncryptedPrivateKeyInfo"));
  PKCS8_PRIV_KEY_INFO* info = PKCS8_decrypt(sig, passphrase.data(), static_cast<int>(passphrase.size()));
  X509_SIG_free(sig);
  if (info == nullptr) {
    ERR_clear_error();
    return WrongPassphrase(source_name);
  }
  EVP_PKEY* pkey = EVP_PKCS82PKEY(info);
  PKCS8_PRIV_KEY_INFO_free(info);
  if (pkey == nullptr) return Malformed(source_name, block.label, TakeOpenSslError("unsupported PKCS#8 key"));
  return PrivateKey::FromEvp(pkey, source_name);
}

// "EC PRIVATE KEY" (SEC1), plain or with legacy PEM encryption: OpenSSL's PEM reader does both.
Result<PrivateKey> FromSec1(const PemBlock& block, std::string_view passphrase, std::string_view source_name) {
  auto proc = block.headers.find("Proc-Type");
  const bool encrypted = proc != block.headers.end() && proc->second.find("ENCRYPTED") != std::string::npos;
  BIO* bio = BIO_new_mem_buf(block.text.data(), static_cast<int>(block.text.size()));
  if (bio == nullptr) return Status::Internal("BIO_new_mem_buf failed");
  PassphraseArg arg{passphrase};
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, PassphraseCallback, &arg);
  BIO_free(bio);
  if (pkey == nullptr) {
    if (encrypted) {
      ERR_clear_error();
      return WrongPassphrase(source_name);
    }
    return Malformed(source_name, block.label, TakeOpenSslError("not an EC private key"));
  }
  return PrivateKey::FromEvp(pkey, source_name);
}

}  // namespace

// --- PublicKey ---

PublicKey::PublicKey(const PublicKey& other) : pkey_(other.pkey_), spki_der_(other.spki_der_) {
  if (pkey_ != nullptr) EVP_PKEY_up_ref(pkey_);
}
PublicKey& PublicKey::operator=(const PublicKey& other) {
  if (this != &other) {
    PublicKey copy(other);
    *this = std::move(copy);
  }
  return *this;
}
PublicKey::PublicKey(PublicKey&& other) noexcept
    : pkey_(std::exchange(other.pkey_, nullptr)), spki_der_(std::move(other.spki_der_)) {}
PublicKey& PublicKey::operator=(PublicKey&& other) noexcept {
  if (this != &other) {
    EVP_PKEY_free(pkey_);
    pkey_ = std::exchange(other.pkey_, nullptr);
    spki_der_ = std::move(other.spki_der_);
  }
  return *this;
}
PublicKey::~PublicKey() { EVP_PKEY_free(pkey_); }

std::string PublicKey::Pem() const { return EncodePem("PUBLIC KEY", spki_der_); }
std::string PublicKey::Fingerprint() const { return "sha256:" + Sha256Hex(spki_der_); }

Result<PublicKey> PublicKey::FromEvp(EVP_PKEY* pkey_in, std::string_view source_name) {
  EvpPkeyPtr owned(pkey_in);
  if (!IsP256(owned.get())) return NotP256(owned.get(), source_name);
  MG_ASSIGN_OR_RETURN(std::string spki, SpkiDerOf(owned.get()));
  // Re-read the SPKI so the object holds the public part only, even when given a private key.
  const unsigned char* p = reinterpret_cast<const unsigned char*>(spki.data());
  EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size()));
  if (pub == nullptr) return Status::Internal("decoding a public key: " + TakeOpenSslError("d2i_PUBKEY failed"));
  return PublicKey(pub, std::move(spki));
}

// --- PrivateKey ---

PrivateKey::PrivateKey(PrivateKey&& other) noexcept
    : pkey_(std::exchange(other.pkey_, nullptr)), public_(std::move(other.public_)) {}
PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
  if (this != &other) {
    EVP_PKEY_free(pkey_);
    pkey_ = std::exchange(other.pkey_, nullptr);
    public_ = std::move(other.public_);
  }
  return *this;
}
PrivateKey::~PrivateKey() { EVP_PKEY_free(pkey_); }

Result<PrivateKey> PrivateKey::FromEvp(EVP_PKEY* pkey_in, std::string_view source_name) {
  EvpPkeyPtr owned(pkey_in);
  if (!IsP256(owned.get())) return NotP256(owned.get(), source_name);
  // A private key has a private scalar; a public key handed here by mistake does not.
  BIGNUM* priv = nullptr;
  if (EVP_PKEY_get_bn_param(owned.get(), OSSL_PKEY_PARAM_PRIV_KEY, &priv) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument(std::string(source_name) + ": holds no private key");
  }
  BN_clear_free(priv);
  EVP_PKEY_up_ref(owned.get());
  MG_ASSIGN_OR_RETURN(PublicKey pub, PublicKey::FromEvp(owned.get(), source_name));
  return PrivateKey(owned.release(), std::move(pub));
}

Result<PrivateKey> PrivateKey::Generate() {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (pkey == nullptr) return Status::Internal("generating a P-256 key: " + TakeOpenSslError("keygen failed"));
  return FromEvp(pkey, "generated key");
}

// --- loading ---

Result<PrivateKey> LoadPrivateKeyPem(std::string_view pem, std::string_view passphrase,
                                     std::string_view source_name) {
  Result<std::vector<PemBlock>> blocks = ParsePem(pem, source_name);
  if (!blocks.ok()) return blocks.status();
  struct Wiper {
    std::vector<PemBlock>* blocks;
    ~Wiper() {
      for (PemBlock& b : *blocks) {
        WipeString(&b.der);
        WipeString(&b.text);
      }
    }
  } wiper{&blocks.value()};

  const PemBlock* block = nullptr;
  for (const PemBlock& b : *blocks) {
    if (EndsWith(b.label, "PRIVATE KEY")) {
      block = &b;
      break;
    }
  }
  if (block == nullptr) {
    std::string found;
    for (const PemBlock& b : *blocks) found += (found.empty() ? "" : ", ") + ("'" + b.label + "'");
    return Status::InvalidArgument(
        std::string(source_name) + ": no PEM private key found" +
        (found.empty() ? std::string(" (no PEM block at all)") : " (found " + found + ")") +
        "; expected a cosign.key or a PEM \"PRIVATE KEY\", \"ENCRYPTED PRIVATE KEY\" or \"EC PRIVATE KEY\"");
  }

  const std::string& label = block->label;
  if (label == kSigstorePrivateKeyPemLabel || label == kCosignPrivateKeyPemLabel) {
    MG_ASSIGN_OR_RETURN(std::string der, DecryptCosignPrivateKey(block->der, passphrase, source_name));
    Result<PrivateKey> key = FromPkcs8Der(der, source_name, label);
    WipeString(&der);
    return key;
  }
  if (label == "PRIVATE KEY") return FromPkcs8Der(block->der, source_name, label);
  if (label == "ENCRYPTED PRIVATE KEY") return FromEncryptedPkcs8(*block, passphrase, source_name);
  if (label == "EC PRIVATE KEY") return FromSec1(*block, passphrase, source_name);
  return Status::InvalidArgument(std::string(source_name) + ": unsupported key block '" + label +
                                 "'; mirrorgraph signs with ECDSA P-256 keys (cosign.key, or PEM "
                                 "\"PRIVATE KEY\", \"ENCRYPTED PRIVATE KEY\", \"EC PRIVATE KEY\")");
}

Result<PublicKey> LoadPublicKeyPem(std::string_view pem, std::string_view source_name) {
  MG_ASSIGN_OR_RETURN(std::vector<PemBlock> blocks, ParsePem(pem, source_name));
  for (const PemBlock& b : blocks) {
    if (b.label != "PUBLIC KEY") continue;
    const unsigned char* p = reinterpret_cast<const unsigned char*>(b.der.data());
    EVP_PKEY* pkey = d2i_PUBKEY(nullptr, &p, static_cast<long>(b.der.size()));
    if (pkey == nullptr) {
      return Status::InvalidArgument(std::string(source_name) + ": malformed 'PUBLIC KEY': " +
                                     TakeOpenSslError("not a SubjectPublicKeyInfo"));
    }
    return PublicKey::FromEvp(pkey, source_name);
  }
  return Status::InvalidArgument(std::string(source_name) +
                                 ": no \"PUBLIC KEY\" PEM block found (expected a file like cosign.pub)");
}

}  // namespace mg
