// Attestation documents read back from a registry (untrusted): DSSE envelopes (sign/dsse.h), in-toto
// statements (sign/intoto.h) and cosign simple-signing payloads (sign/simple_signing.h).
// Input: the whole input is tried as each of the three; an envelope's payload is parsed as a
// statement too. Checks: no crash or throw; what parses serialises and parses back to the same.
#include <cstdint>

#include "fuzz_util.h"
#include "sign/dsse.h"
#include "sign/intoto.h"
#include "sign/simple_signing.h"

namespace {

void CheckStatement(std::string_view text) {
  mg::Result<mg::InTotoStatement> statement = mg::ParseStatement(text);
  if (!statement.ok()) return;
  mg::Result<std::string> again = mg::SerializeStatement(*statement);
  if (!again.ok()) mg::fuzz::Violated("a parsed statement does not serialise", again.status().message());
  mg::Result<mg::InTotoStatement> reparsed = mg::ParseStatement(*again);
  if (!reparsed.ok()) mg::fuzz::Violated("a serialised statement does not parse", reparsed.status().message());
  mg::Result<std::string> third = mg::SerializeStatement(*reparsed);
  if (!third.ok() || *third != *again) mg::fuzz::Violated("statement serialisation is not stable", *again);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = mg::fuzz::AsView(data, size);

  mg::Result<mg::DsseEnvelope> envelope = mg::ParseDsseEnvelope(text);
  if (envelope.ok()) {
    const std::string serialised = mg::SerializeDsseEnvelope(*envelope);
    mg::Result<mg::DsseEnvelope> again = mg::ParseDsseEnvelope(serialised);
    if (!again.ok() || again->payload != envelope->payload || again->payload_type != envelope->payload_type ||
        again->signatures.size() != envelope->signatures.size()) {
      mg::fuzz::Violated("a serialised envelope does not parse back to the same", serialised);
    }
    (void)mg::PreAuthEncoding(envelope->payload_type, envelope->payload);
    CheckStatement(envelope->payload);
  }
  CheckStatement(text);

  mg::Result<mg::SimpleSigningClaims> claims = mg::ParseSimpleSigningPayload(text);
  if (claims.ok()) {
    const std::string payload =
        mg::SimpleSigningPayload(claims->docker_reference, claims->manifest_digest, claims->optional);
    mg::Result<mg::SimpleSigningClaims> again = mg::ParseSimpleSigningPayload(payload);
    if (!again.ok() || again->manifest_digest != claims->manifest_digest ||
        again->docker_reference != claims->docker_reference) {
      mg::fuzz::Violated("a written simple-signing payload does not parse back to the same", payload);
    }
  }
  return 0;
}
