// The two shapes a keyless signature's log entry travels in (docs/attestations.md, "Keyless
// signing"):
//
//   cosign's bundle annotation (dev.sigstore.cosign/bundle on a .sig/.att layer), what cosign 2.x
//   verifies offline:
//     {"SignedEntryTimestamp": "<base64>",
//      "Payload": {"body": "<base64>", "integratedTime": n, "logIndex": n, "logID": "<hex>"}}
//
//   a Sigstore bundle v0.3 (application/vnd.dev.sigstore.bundle.v0.3+json), what sigstore clients
//   (sigstore-js, sigstore-go, sigstore-python, `gh attestation verify --bundle`) verify: the leaf
//   certificate, the log entry with its inclusion promise (SET) and inclusion proof, and either a
//   messageSignature (digest + signature) or the DSSE envelope.
//
// Pure functions, thread-safe; canonical JSON out (sorted keys, compact), int64 as strings where
// the protobuf JSON mapping says so.
#pragma once

#include <string>
#include <string_view>

#include "sign/dsse.h"
#include "sign/transparency_log.h"
#include "util/json.h"

namespace mg {

inline constexpr std::string_view kSigstoreBundleV03MediaType = "application/vnd.dev.sigstore.bundle.v0.3+json";

// cosign's bundle annotation for `entry`.
std::string CosignBundleAnnotation(const TlogEntry& entry);

// A bundle v0.3 for a message signature: `message_sha256` is the raw 32-byte digest of what was
// signed, `der_signature` the signature, `leaf_der` the certificate (DER).
std::string SigstoreMessageBundle(const TlogEntry& entry, std::string_view leaf_der, std::string_view message_sha256,
                                  std::string_view der_signature);

// A bundle v0.3 for a DSSE envelope.
std::string SigstoreDsseBundle(const TlogEntry& entry, std::string_view leaf_der, const DsseEnvelope& envelope);

// The tlogEntries[0] object of a bundle (exposed for tests): Rekor v1's hex hashes and root hash
// become base64, its integers strings; a checkpoint string becomes {"envelope": text}.
Json BundleTlogEntry(const TlogEntry& entry);

}  // namespace mg
