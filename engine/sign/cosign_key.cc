#include "sign/cosign_key.h"

#include <openssl/x509.h>
#include <sodium.h>

#include <optional>

#include "http/base64.h"
#include "sign/openssl_util.h"
#include "sign/pem.h"
#include "util/json.h"

namespace mg {
namespace {

constexpr size_t kSaltBytes = 32;  // cosign's salt length
constexpr uint64_t kMaxN = uint64_t{1} << 20;
constexpr uint32_t kMaxR = 32;
constexpr uint32_t kMaxP = 16;
constexpr uint64_t kMaxScryptMemory = uint64_t{1} << 30;

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

Status CheckParams(const ScryptParams& params) {
  if (params.n < 2 || (params.n & (params.n - 1)) != 0) return Status::InvalidArgument("scrypt N must be a power of two >= 2");
  if (params.n > kMaxN || params.r == 0 || params.r > kMaxR || params.p == 0 || params.p > kMaxP ||
      128 * params.n * params.r > kMaxScryptMemory) {
    return Status::InvalidArgument("scrypt parameters N=" + std::to_string(params.n) + " r=" +
                                   std::to_string(params.r) + " p=" + std::to_string(params.p) +
                                   " are beyond the supported limits (N<=2^20, r<=32, p<=16, 1 GiB)");
  }
  return Status::OK();
}

// scrypt(passphrase, salt) -> 32-byte secretbox key. The caller wipes it.
Status DeriveKey(std::string_view passphrase, std::string_view salt, const ScryptParams& params,
                 unsigned char key[crypto_secretbox_KEYBYTES]) {
  // libsodium insists on a non-null password pointer, even for an empty passphrase.
  static const uint8_t kEmpty = 0;
  const uint8_t* pw = passphrase.empty() ? &kEmpty : reinterpret_cast<const uint8_t*>(passphrase.data());
  if (crypto_pwhash_scryptsalsa208sha256_ll(pw, passphrase.size(), reinterpret_cast<const uint8_t*>(salt.data()),
                                            salt.size(), params.n, params.r, params.p, key,
                                            crypto_secretbox_KEYBYTES) != 0) {
    return Status::Internal("scrypt key derivation failed (out of memory?)");
  }
  return Status::OK();
}

std::optional<uint64_t> UintField(const Json& obj, const char* name) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<uint64_t>();
}

}  // namespace

Result<std::string> EncryptCosignPrivateKey(const PrivateKey& key, std::string_view passphrase,
                                            const ScryptParams& params) {
  MG_RETURN_IF_ERROR(CheckParams(params));
  if (!SodiumReady()) return Status::Internal("libsodium failed to initialise");
  if (key.evp() == nullptr) return Status::InvalidArgument("encrypting a moved-from key");

  PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(key.evp());
  if (info == nullptr) return Status::Internal("encoding a private key: " + sign_internal::TakeOpenSslError("EVP_PKEY2PKCS8 failed"));
  unsigned char* der_ptr = nullptr;
  int der_len = i2d_PKCS8_PRIV_KEY_INFO(info, &der_ptr);
  PKCS8_PRIV_KEY_INFO_free(info);
  if (der_len <= 0) return Status::Internal("encoding a private key: " + sign_internal::TakeOpenSslError("i2d failed"));
  std::string der(reinterpret_cast<char*>(der_ptr), static_cast<size_t>(der_len));
  OPENSSL_clear_free(der_ptr, static_cast<size_t>(der_len));

  std::string salt(kSaltBytes, '\0');
  std::string nonce(crypto_secretbox_NONCEBYTES, '\0');
  randombytes_buf(salt.data(), salt.size());
  randombytes_buf(nonce.data(), nonce.size());

  unsigned char box_key[crypto_secretbox_KEYBYTES];
  Status st = DeriveKey(passphrase, salt, params, box_key);
  if (!st.ok()) {
    WipeString(&der);
    return st;
  }
  std::string ciphertext(der.size() + crypto_secretbox_MACBYTES, '\0');
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(ciphertext.data()),
                        reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                        reinterpret_cast<const unsigned char*>(nonce.data()), box_key);
  sodium_memzero(box_key, sizeof(box_key));
  WipeString(&der);

  Json doc = {
      {"kdf", {{"name", "scrypt"}, {"params", {{"N", params.n}, {"r", params.r}, {"p", params.p}}}, {"salt", Base64Encode(salt)}}},
      {"cipher", {{"name", "nacl/secretbox"}, {"nonce", Base64Encode(nonce)}}},
      {"ciphertext", Base64Encode(ciphertext)},
  };
  return EncodePem(kSigstorePrivateKeyPemLabel, CanonicalJson(doc));
}

Result<std::string> DecryptCosignPrivateKey(std::string_view body, std::string_view passphrase,
                                            std::string_view source_name) {
  const std::string src(source_name);
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(src + ": malformed cosign private key: " + why);
  };
  if (!SodiumReady()) return Status::Internal("libsodium failed to initialise");
  std::string parse_error;
  Json doc = ParseJson(body, &parse_error);
  if (!parse_error.empty() || !doc.is_object()) return bad("the PEM body is not a JSON object");

  const Json& kdf = ObjectField(doc, "kdf");
  const Json& cipher = ObjectField(doc, "cipher");
  if (OptStringField(kdf, "name") != "scrypt") return bad("kdf.name is not \"scrypt\"");
  if (OptStringField(cipher, "name") != "nacl/secretbox") return bad("cipher.name is not \"nacl/secretbox\"");
  const Json& kdf_params = ObjectField(kdf, "params");
  std::optional<uint64_t> n = UintField(kdf_params, "N");
  std::optional<uint64_t> r = UintField(kdf_params, "r");
  std::optional<uint64_t> p = UintField(kdf_params, "p");
  if (!n || !r || !p) return bad("kdf.params needs unsigned integers N, r and p");
  if (*r > kMaxR || *p > kMaxP) return bad("scrypt r or p too large");
  ScryptParams params{*n, static_cast<uint32_t>(*r), static_cast<uint32_t>(*p)};
  Status checked = CheckParams(params);
  if (!checked.ok()) return bad(checked.message());

  std::optional<std::string> salt_b64 = OptStringField(kdf, "salt");
  std::optional<std::string> nonce_b64 = OptStringField(cipher, "nonce");
  std::optional<std::string> ct_b64 = OptStringField(doc, "ciphertext");
  if (!salt_b64 || !nonce_b64 || !ct_b64) return bad("kdf.salt, cipher.nonce and ciphertext must be strings");
  std::optional<std::string> salt = Base64Decode(*salt_b64);
  std::optional<std::string> nonce = Base64Decode(*nonce_b64);
  std::optional<std::string> ciphertext = Base64Decode(*ct_b64);
  if (!salt || !nonce || !ciphertext) return bad("kdf.salt, cipher.nonce or ciphertext is not base64");
  if (salt->empty()) return bad("kdf.salt is empty");
  if (nonce->size() != crypto_secretbox_NONCEBYTES) return bad("cipher.nonce is not 24 bytes");
  if (ciphertext->size() <= crypto_secretbox_MACBYTES) return bad("ciphertext too short");

  unsigned char box_key[crypto_secretbox_KEYBYTES];
  MG_RETURN_IF_ERROR(DeriveKey(passphrase, *salt, params, box_key));
  std::string der(ciphertext->size() - crypto_secretbox_MACBYTES, '\0');
  int rc = crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(der.data()),
                                      reinterpret_cast<const unsigned char*>(ciphertext->data()),
                                      ciphertext->size(), reinterpret_cast<const unsigned char*>(nonce->data()),
                                      box_key);
  sodium_memzero(box_key, sizeof(box_key));
  if (rc != 0) {
    WipeString(&der);
    return Status::PermissionDenied("wrong passphrase for " + src);
  }
  return der;
}

}  // namespace mg
