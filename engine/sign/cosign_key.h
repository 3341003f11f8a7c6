// cosign's encrypted private key format, the body of an "ENCRYPTED SIGSTORE PRIVATE KEY" (cosign
// 2.x) or "ENCRYPTED COSIGN PRIVATE KEY" (1.x) PEM block:
//   {"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"<base64, 32 bytes>"},
//    "cipher":{"name":"nacl/secretbox","nonce":"<base64, 24 bytes>"},
//    "ciphertext":"<base64 of secretbox(PKCS#8 DER of the key)>"}
// The secretbox key is scrypt(passphrase, salt, N, r, p, 32 bytes). libsodium provides both.
// Thread-safe; no message contains key bytes or the passphrase.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sign/keys.h"
#include "util/status.h"

namespace mg {

inline constexpr std::string_view kSigstorePrivateKeyPemLabel = "ENCRYPTED SIGSTORE PRIVATE KEY";
inline constexpr std::string_view kCosignPrivateKeyPemLabel = "ENCRYPTED COSIGN PRIVATE KEY";

struct ScryptParams {
  uint64_t n = 65536;  // cosign's value; a power of two
  uint32_t r = 8;
  uint32_t p = 1;
};

// The PEM text ("ENCRYPTED SIGSTORE PRIVATE KEY") of `key` encrypted with `passphrase`, with a
// fresh random salt and nonce. Errors: InvalidArgument for unusable params; Internal when
// OpenSSL or libsodium fail.
Result<std::string> EncryptCosignPrivateKey(const PrivateKey& key, std::string_view passphrase,
                                            const ScryptParams& params = {});

// The PKCS#8 DER inside the JSON `body` (the decoded PEM body). The caller wipes the result.
// Errors: PermissionDenied("wrong passphrase for <source>") when the secretbox does not open;
// InvalidArgument naming `source_name` for malformed JSON, an unknown kdf or cipher, wrong salt or
// nonce sizes, or scrypt parameters beyond N=2^20, r=32, p=16 or 1 GiB of memory (a hostile
// file must not make us allocate without bound).
Result<std::string> DecryptCosignPrivateKey(std::string_view body, std::string_view passphrase,
                                            std::string_view source_name);

}  // namespace mg
