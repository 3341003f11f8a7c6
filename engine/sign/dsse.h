// DSSE (Dead Simple Signing Envelope) v1: the envelope cosign attestations use.
//
//   {"payload":"<base64>","payloadType":"application/vnd.in-toto+json",
//    "signatures":[{"keyid":"","sig":"<base64 DER ECDSA>"}]}
//
// Signatures are over PAE(payloadType, payload), never over the payload alone. Pure functions,
// thread-safe (DsseSign as thread-safe as its Signer).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sign/keys.h"
#include "sign/signer.h"
#include "util/status.h"

namespace mg {

inline constexpr std::string_view kDsseEnvelopeMediaType = "application/vnd.dsse.envelope.v1+json";
inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";

// Pre-Authentication Encoding:
//   "DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload
// with LEN the decimal byte length, no leading zeros.
std::string PreAuthEncoding(std::string_view payload_type, std::string_view payload);

struct DsseSignature {
  std::string keyid;  // unauthenticated hint; may be empty
  std::string sig;    // raw signature bytes (base64 only in JSON)
};

struct DsseEnvelope {
  std::string payload_type;
  std::string payload;  // raw bytes (base64 only in JSON)
  std::vector<DsseSignature> signatures;
};

// An envelope around `payload` with one signature by `signer` (keyid = signer.KeyId()), made
// with Signer::SignDsseWithMaterial; when `material` is non-null it receives the whole material (a
// keyless signer's certificate and log entry belong in the attestation layer's annotations).
// Errors: InvalidArgument for an empty payload type; the signer's errors.
Result<DsseEnvelope> DsseSign(std::string_view payload_type, std::string_view payload, Signer& signer,
                              SignatureMaterial* material = nullptr);

// Compact JSON, sorted keys, standard padded base64; no trailing newline.
std::string SerializeDsseEnvelope(const DsseEnvelope& envelope);

// Parses an envelope. Base64 may be standard or URL-safe, padded or not (DSSE allows both).
// Errors: InvalidArgument naming the missing or malformed field; an envelope without signatures
// is malformed.
Result<DsseEnvelope> ParseDsseEnvelope(std::string_view json);

// True when at least one of the envelope's signatures verifies with `key` over
// PAE(payload_type, payload). Keyids are ignored (they are unauthenticated hints).
Result<bool> DsseVerify(const DsseEnvelope& envelope, const PublicKey& key);

// True when `signer` owns (Signer::Owns) at least one of the envelope's signatures; `annotations`
// are the layer's that carries the envelope (a keyless signer's certificate and log entry).
Result<bool> DsseOwnedBy(const DsseEnvelope& envelope, const Signer& signer,
                         const std::map<std::string, std::string>* annotations);

}  // namespace mg
