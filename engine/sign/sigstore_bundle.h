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
#include "util/status.h"

namespace mg {

inline constexpr std::string_view kSigstoreBundleV03MediaType = "application/vnd.dev.sigstore.bundle.v0.3+json";

// cosign's bundle annotation for `entry`.
std::string CosignBundleAnnotation(const TlogEntry& entry);

// A bundle v0.3 for a message signature: `message_sha256` is the raw 32-byte digest of what was
// signed, `der_signature` the signature, `leaf_der` the certificate (DER).
std::string SigstoreMessageBundle(const TlogEntry& entry, std::string_view leaf_der, std::string_view message_sha256,
                                  std::string_view der_signature);

// A bundle v0.3 for a DSSE envelope, whole: dsseEnvelope holds the payload, payloadType and
// signatures. What a Sigstore client verifies as a file.
std::string SigstoreDsseBundle(const TlogEntry& entry, std::string_view leaf_der, const DsseEnvelope& envelope);

// The same bundle with its payload left out: dsseEnvelope has payloadType and signatures but no
// "payload". This is what an attestation layer's dev.mirrorgraph/sigstore-bundle annotation
// holds (since issue 13): the layer blob is the envelope itself, so the payload (the whole
// in-toto statement, an SBOM of ~100 KiB) would otherwise travel twice in every .att manifest,
// base64'd as annotation text. Not a valid v0.3 bundle by itself; CompleteSigstoreDsseBundle
// restores it from the layer.
std::string DetachedSigstoreDsseBundle(const TlogEntry& entry, std::string_view leaf_der, const DsseEnvelope& envelope);

// The whole v0.3 bundle of an attestation layer: `stored` is the layer's
// dev.mirrorgraph/sigstore-bundle annotation (untrusted text), `layer` the DSSE envelope the layer
// blob holds. Both stored forms are accepted:
//   - detached (no dsseEnvelope.payload, what mirrorgraph writes now): the payload is the layer's;
//   - whole (with the payload, what mirrorgraph wrote before): its payload must decode to the
//     layer's payload.
// In both the bundle's payloadType must be the layer's and its signatures the layer's (same count,
// same bytes in order; keyids are not compared), so a bundle cannot vouch for another envelope.
// Returns the bundle with dsseEnvelope.payload set, canonical JSON. A bundle with a
// messageSignature instead of a dsseEnvelope is returned as it is (canonicalised).
// Never throws; a malformed or mismatching bundle is InvalidArgument naming what is wrong.
Result<std::string> CompleteSigstoreDsseBundle(std::string_view stored, const DsseEnvelope& layer);

// The tlogEntries[0] object of a bundle (exposed for tests): Rekor v1's hex hashes and root hash
// become base64, its integers strings; a checkpoint string becomes {"envelope": text}.
Json BundleTlogEntry(const TlogEntry& entry);

}  // namespace mg
