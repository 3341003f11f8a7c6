// Offline checks of a Rekor v1 log entry found next to a keyless signature (docs/attestations.md,
// "Verifying keyless signatures"), as cosign 2.x and the sigstore clients make them:
//
//   the SET         the signed entry timestamp: the log's ECDSA signature over the canonical JSON
//                   {"body": <base64 body>, "integratedTime": n, "logID": "<hex>", "logIndex": n}
//                   (sorted keys, compact), by the trusted log whose id is logID;
//   the body        the entry is about this signature: hashedrekord 0.0.1 (sha256 of the payload,
//                   the signature, the certificate) or dsse 0.0.1 (sha256 of the payload, the
//                   signature, the certificate as verifier);
//   the proof       (Sigstore bundle v0.3) the RFC 6962 audit path from the entry's leaf hash
//                   SHA-256(0x00 || body) to rootHash, and the checkpoint: a signed note whose
//                   tree size and root hash are the proof's, signed by the log's key.
//
// Everything is untrusted input: nothing throws; every check returns "" when it passes and the
// reason otherwise. Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sign/dsse.h"
#include "sign/keys.h"
#include "sign/trusted_root.h"
#include "util/json.h"
#include "util/status.h"

namespace mg {

// cosign's dev.sigstore.cosign/bundle annotation:
//   {"SignedEntryTimestamp": "<base64>", "Payload": {"body": "<base64>", "integratedTime": n,
//    "logIndex": n, "logID": "<hex>"}}
struct RekorBundle {
  std::string signed_entry_timestamp;  // raw; empty when the bundle has none
  std::string body_base64;             // as written (what the SET covers)
  std::string body;                    // decoded: the canonicalized entry
  int64_t integrated_time = 0;
  int64_t log_index = 0;
  std::string log_id_hex;
};

// InvalidArgument saying what is missing or of the wrong type.
Result<RekorBundle> ParseCosignBundle(std::string_view json);

// The SET check, against the trusted log whose id is the bundle's logID.
std::string VerifySignedEntryTimestamp(const RekorBundle& bundle, const TrustedRoot& root);

// The entry body is a hashedrekord about `payload`, `der_signature` and the certificate `leaf_der`.
std::string CheckHashedRekordBody(std::string_view body, std::string_view payload, std::string_view der_signature,
                                  std::string_view leaf_der);
// The entry body is a dsse entry about `envelope`'s payload, signed with `der_signature` (one of
// its signatures) by the certificate `leaf_der`.
std::string CheckDsseBody(std::string_view body, const DsseEnvelope& envelope, std::string_view der_signature,
                          std::string_view leaf_der);

// RFC 6962 / RFC 9162 2.1.3.2: `leaf_data` at `index` in a tree of `tree_size` leaves hashes to
// `root_hash` (32 raw bytes) through `path` (raw 32-byte hashes).
std::string VerifyInclusionProof(std::string_view leaf_data, int64_t index, int64_t tree_size,
                                 const std::vector<std::string>& path, std::string_view root_hash);

// A signed note "<origin>\n<size>\n<base64 root>\n[...]\n\n— <name> <base64(keyhint || sig)>\n":
// some signature verifies with `log`'s key over the text before the blank line, and the note's
// size and root hash are `tree_size` and `root_hash` (raw).
std::string VerifyCheckpoint(std::string_view checkpoint, const TrustedLog& log, int64_t tree_size,
                             std::string_view root_hash);

// The tlogEntries[0] of a Sigstore bundle v0.3 (as sign/sigstore_bundle.h writes it): its
// canonicalizedBody is `body`, its inclusionProof verifies (audit path and checkpoint) with the
// trusted log its logId names. *has_proof is set to whether there was a proof to check (no proof
// is "" with *has_proof false).
std::string VerifyBundleInclusionProof(const Json& tlog_entry, std::string_view body, const TrustedRoot& root,
                                       bool* has_proof);

}  // namespace mg
