// ECDSA P-256 keys: loading (PEM PKCS#8 plain or encrypted, SEC1 "EC PRIVATE KEY", cosign's
// encrypted keys), key files with their permission rule and passphrase sources, and generating a
// cosign-compatible key pair.
//
// Secrets: PrivateKey has no printing, no serialisation and no copy; no error message of this
// layer contains key bytes, base64 of them, or a passphrase. Buffers that held decrypted key
// material are wiped before they are freed (best effort: OpenSSL's own copies are its business).
// Only P-256 is accepted: it is what cosign generates and what every verifier supports.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

struct evp_pkey_st;

namespace mg {

// A P-256 public key. Copyable (shares the immutable OpenSSL key). Thread-safe for concurrent
// const use.
class PublicKey {
 public:
  PublicKey(const PublicKey& other);
  PublicKey& operator=(const PublicKey& other);
  PublicKey(PublicKey&& other) noexcept;
  PublicKey& operator=(PublicKey&& other) noexcept;
  ~PublicKey();

  // DER SubjectPublicKeyInfo.
  const std::string& SpkiDer() const { return spki_der_; }
  // "-----BEGIN PUBLIC KEY-----" PEM, the format of cosign.pub.
  std::string Pem() const;
  // "sha256:<hex of the SPKI DER>": a stable name to show users; not a secret.
  std::string Fingerprint() const;
  bool operator==(const PublicKey& other) const { return spki_der_ == other.spki_der_; }

  // The OpenSSL key, for this layer's calls. Never null. Owned by this object.
  evp_pkey_st* evp() const { return pkey_; }

  // Takes ownership of `pkey` (which may hold a private part: only the public part is kept).
  // InvalidArgument when it is not a P-256 key; the message names `source_name`.
  static Result<PublicKey> FromEvp(evp_pkey_st* pkey, std::string_view source_name);

 private:
  PublicKey(evp_pkey_st* pkey, std::string spki_der) : pkey_(pkey), spki_der_(std::move(spki_der)) {}
  evp_pkey_st* pkey_ = nullptr;
  std::string spki_der_;
};

// A P-256 private key. Move-only; never printable. Thread-safe for concurrent const use (signing
// from many threads is fine: each signature uses its own OpenSSL context).
class PrivateKey {
 public:
  PrivateKey(PrivateKey&& other) noexcept;
  PrivateKey& operator=(PrivateKey&& other) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

  const PublicKey& public_key() const { return public_; }
  // The OpenSSL key, for this layer's calls. Never null (except in a moved-from object).
  evp_pkey_st* evp() const { return pkey_; }

  // Takes ownership of `pkey` (freed on error too). InvalidArgument naming `source_name` when it
  // is not an ECDSA P-256 private key.
  static Result<PrivateKey> FromEvp(evp_pkey_st* pkey, std::string_view source_name);
  // A fresh random P-256 key.
  static Result<PrivateKey> Generate();

 private:
  PrivateKey(evp_pkey_st* pkey, PublicKey pub) : pkey_(pkey), public_(std::move(pub)) {}
  evp_pkey_st* pkey_ = nullptr;
  PublicKey public_;
};

// Loads the first private key block of `pem`:
//   "PRIVATE KEY"                      PKCS#8, unencrypted (the passphrase is ignored)
//   "ENCRYPTED PRIVATE KEY"            PKCS#8 encrypted with a passphrase (openssl pkcs8 -topk8 -v2 ...)
//   "EC PRIVATE KEY"                   SEC1, plain or with OpenSSL's legacy "Proc-Type: 4,ENCRYPTED"
//   "ENCRYPTED SIGSTORE PRIVATE KEY"   cosign 2.x generate-key-pair (scrypt + NaCl secretbox)
//   "ENCRYPTED COSIGN PRIVATE KEY"     the same, as cosign 1.x named it
// `source_name` (a path, "COSIGN_PRIVATE_KEY", ...) is used in messages only.
// Errors: PermissionDenied("wrong passphrase for <source>"); InvalidArgument when there is no
// private key block, the label is not one of the above, the structure is malformed, or the key
// is not ECDSA P-256 (the message names what it is).
Result<PrivateKey> LoadPrivateKeyPem(std::string_view pem, std::string_view passphrase,
                                     std::string_view source_name);

// Loads a "PUBLIC KEY" PEM block (cosign.pub). InvalidArgument when absent, malformed or not P-256.
Result<PublicKey> LoadPublicKeyPem(std::string_view pem, std::string_view source_name = "public key");

// Where the passphrase of an encrypted key comes from. Precedence, first that applies wins:
//   1. `value` when set (a terminal prompt, a test);
//   2. `file` when non-empty: its content, minus one trailing "\n" or "\r\n". The file is named
//      for this key on purpose, so it beats the ambient environment; it obeys the same
//      permission rule as key files;
//   3. the environment variable COSIGN_PASSWORD when `use_env` and it is set (even to "": cosign
//      allows empty passphrases);
//   4. none: the empty passphrase is tried, and an encrypted key fails with a message saying how
//      to give one.
struct KeyPassphrase {
  std::optional<std::string> value;
  std::string file;
  bool use_env = true;
  ~KeyPassphrase();  // wipes `value`

  static KeyPassphrase Literal(std::string passphrase) { return {std::move(passphrase), "", false}; }
  static KeyPassphrase File(std::string path) { return {std::nullopt, std::move(path), false}; }
  static KeyPassphrase Environment() { return {std::nullopt, "", true}; }
};

// The passphrase `source` names, or nullopt when none applies (step 4).
// Errors: those of reading `file` (NotFound, PermissionDenied, FailedPrecondition for its mode).
Result<std::optional<std::string>> ResolvePassphrase(const KeyPassphrase& source);

// Reads `path` and loads it with LoadPrivateKeyPem. The file must be a regular file (symlinks are
// followed) not accessible by group or others: FailedPrecondition "<path> is accessible by group
// or others (mode 0644): run chmod 600 <path>" otherwise, before any byte is read. Files larger
// than 1 MiB are refused (InvalidArgument). Other errors: NotFound, PermissionDenied (unreadable,
// or wrong passphrase), InvalidArgument (as LoadPrivateKeyPem).
Result<PrivateKey> LoadPrivateKeyFile(const std::string& path, const KeyPassphrase& passphrase);

// Reads and loads a public key file (no permission rule: public keys are public).
Result<PublicKey> LoadPublicKeyFile(const std::string& path);

struct KeyGenOptions {
  bool overwrite = false;  // replace existing files instead of refusing
};

// Writes a new key pair the way `cosign generate-key-pair` does: `key_path` holds an "ENCRYPTED
// SIGSTORE PRIVATE KEY" (scrypt N=65536 r=8 p=1, NaCl secretbox), mode 0600; `pub_path` the
// "PUBLIC KEY" PEM, mode 0644. Each file is replaced atomically. An empty passphrase is allowed
// (cosign allows it too) but then anyone who can read the key file can sign.
// Errors: FailedPrecondition when a file exists and !options.overwrite (checked before anything
// is written); InvalidArgument when both paths are the same; IOError from writing.
Status GenerateKeyPair(const std::string& key_path, const std::string& pub_path,
                       std::string_view passphrase, const KeyGenOptions& options = {});

}  // namespace mg
