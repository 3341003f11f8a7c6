// The transparency log a keyless signer records every signature in (Rekor). Behind an interface
// so Rekor's coming v2 API (tiles, no SET) can be added beside the v1 client; tests use a fake.
//
//   hashedrekord 0.0.1  a signature over a message (cosign image signatures): the message's
//                       sha256, the signature, the signing certificate
//   dsse 0.0.1          a DSSE envelope (attestations): the envelope and the certificate
//
// An entry is returned only once the log has accepted it: callers push a signature only with its
// entry (nothing half-signed). Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "http/http_client.h"
#include "util/json.h"
#include "util/status.h"

namespace mg {

struct TlogEntry {
  std::string kind;        // "hashedrekord", "dsse"
  std::string version;     // "0.0.1"
  std::string uuid;        // the entry's id in the log
  std::string body;        // the canonicalized entry body (raw JSON bytes; base64 only on the wire)
  int64_t integrated_time = 0;
  int64_t log_index = 0;
  std::string log_id_hex;  // sha256 of the log's public key (DER SPKI), hex
  std::string signed_entry_timestamp;  // raw signature bytes (the SET); empty when the log gave none
  Json inclusion_proof = Json::object();  // Rekor's {"checkpoint","hashes","logIndex","rootHash","treeSize"}; {} when absent
};

class TransparencyLog {
 public:
  virtual ~TransparencyLog() = default;
  // `payload_sha256_hex`: the signed message's sha256 (hex); `der_signature`: ECDSA DER;
  // `certificate_pem`: the leaf that verifies it.
  virtual Result<TlogEntry> AddHashedRekord(std::string_view payload_sha256_hex, std::string_view der_signature,
                                            std::string_view certificate_pem) = 0;
  // `envelope_json`: the serialized DSSE envelope (one signature, by the certificate's key).
  virtual Result<TlogEntry> AddDsse(std::string_view envelope_json, std::string_view certificate_pem) = 0;
  // For messages: "Rekor at <url>".
  virtual std::string Describe() const = 0;
};

// Rekor's v1 REST API: POST <base_url>/api/v1/log/entries; a 409 (the entry exists: the same
// signature logged before) is answered by fetching the existing entry. Errors: Unavailable when
// the log cannot be reached or answers 5xx; InvalidArgument when it rejects the entry (4xx, its
// message quoted, bounded); Corruption when the answer is not a log entry (garbage, missing
// fields, a body that is not base64 JSON). `http` must outlive the log.
std::unique_ptr<TransparencyLog> NewRekorV1Log(HttpClient& http, std::string base_url);

// The body a log entry must have for each kind, canonical JSON: what is sent (as the proposed
// entry) and what verifiers compare. Exposed for tests and for verification.
Json HashedRekordProposal(std::string_view payload_sha256_hex, std::string_view der_signature,
                          std::string_view certificate_pem);
Json DsseProposal(std::string_view envelope_json, std::string_view certificate_pem);

// Reads one entry of Rekor v1's answer ({"<uuid>": {"body", "integratedTime", "logID",
// "logIndex", "verification": {...}}}). Corruption naming what is missing or of the wrong type.
Result<TlogEntry> ParseRekorV1Entry(const Json& answer);

}  // namespace mg
