// What keyless verification trusts (docs/attestations.md, "Verifying keyless signatures"): the
// certificate authorities that issue signing certificates (Fulcio) and the transparency logs that
// record signatures (Rekor), read from a Sigstore trusted_root.json or from cosign's environment
// fallback (SIGSTORE_ROOT_FILE, a PEM chain; SIGSTORE_REKOR_PUBLIC_KEY, a PEM key).
//
// Everything here is parsed from untrusted files: nothing throws; a malformed document is an
// InvalidArgument naming the file and what is wrong. Immutable after loading; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sign/keys.h"
#include "util/status.h"

namespace mg {

// A [start, end] validity window, seconds since the epoch; 0 means open on that side.
struct ValidityWindow {
  int64_t start = 0;
  int64_t end = 0;
  bool Contains(int64_t t) const { return (start == 0 || t >= start) && (end == 0 || t <= end); }
};

struct TrustedCertificateAuthority {
  std::string uri;                     // "https://fulcio.sigstore.dev"; may be empty
  std::vector<std::string> chain_der;  // intermediates first, the root last
  ValidityWindow valid_for;
};

struct TrustedLog {
  std::string base_url;  // may be empty
  std::string log_id;    // 32 raw bytes: sha256 of the key's DER SPKI unless the file says otherwise
  PublicKey key;
  ValidityWindow valid_for;
};

struct TrustedRoot {
  std::vector<TrustedCertificateAuthority> certificate_authorities;
  std::vector<TrustedLog> tlogs;
  std::vector<TrustedLog> ctlogs;
  std::vector<std::string> skipped;  // entries not usable here (e.g. a non-P-256 key), one line each
  std::string source;                // where it came from, for messages

  // The transparency log with this raw log id, or null.
  const TrustedLog* FindLog(std::string_view log_id) const;

  // A Sigstore trusted_root.json (media type application/vnd.dev.sigstore.trustedroot+json;
  // version=0.1): certificateAuthorities[].certChain.certificates[].rawBytes (base64 DER),
  // tlogs[] and ctlogs[] with publicKey.rawBytes (base64 DER SPKI), logId.keyId (base64) and
  // baseUrl; validFor {start, end} as RFC 3339. Logs whose key is not ECDSA P-256 are skipped
  // (listed in `skipped`). InvalidArgument naming `source` when the text is not such a document
  // or it has no certificate authority or no usable transparency log.
  static Result<TrustedRoot> FromJson(std::string_view text, std::string_view source);
  // FromJson of a file's content; NotFound / PermissionDenied / IOError from reading it.
  static Result<TrustedRoot> LoadFile(const std::string& path);
  // cosign's fallback: `chain_pem` (root and intermediates, any order: self-signed certificates
  // are roots) and `rekor_key_pem` (a PUBLIC KEY). InvalidArgument naming the sources.
  static Result<TrustedRoot> FromPem(std::string_view chain_pem, std::string_view chain_source,
                                     std::string_view rekor_key_pem, std::string_view key_source);
  // FromPem of the files SIGSTORE_ROOT_FILE and SIGSTORE_REKOR_PUBLIC_KEY name; nullopt when
  // neither is set; InvalidArgument when only one is.
  static Result<std::optional<TrustedRoot>> FromCosignEnvironment();
};

// "2021-01-12T11:53:27.000Z" (fractions and offsets allowed) as seconds since the epoch, or nullopt:
// util/clock.h's ParseRfc3339 in whole seconds.
std::optional<int64_t> ParseRfc3339Seconds(std::string_view text);

}  // namespace mg
