#include "sign/sigstore_bundle.h"

#include "http/base64.h"

namespace mg {
namespace {

std::string HexToBytes(std::string_view hex) {
  std::string out;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 0;
  };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  return out;
}

Json VerificationMaterial(const TlogEntry& entry, std::string_view leaf_der) {
  return {{"certificate", {{"rawBytes", Base64Encode(leaf_der)}}},
          {"tlogEntries", Json::array({BundleTlogEntry(entry)})}};
}

}  // namespace

std::string CosignBundleAnnotation(const TlogEntry& entry) {
  const Json bundle = {{"SignedEntryTimestamp", Base64Encode(entry.signed_entry_timestamp)},
                       {"Payload",
                        {{"body", Base64Encode(entry.body)},
                         {"integratedTime", entry.integrated_time},
                         {"logIndex", entry.log_index},
                         {"logID", entry.log_id_hex}}}};
  return CanonicalJson(bundle);
}

Json BundleTlogEntry(const TlogEntry& entry) {
  Json out = {{"logIndex", std::to_string(entry.log_index)},
              {"logId", {{"keyId", Base64Encode(HexToBytes(entry.log_id_hex))}}},
              {"kindVersion", {{"kind", entry.kind}, {"version", entry.version}}},
              {"integratedTime", std::to_string(entry.integrated_time)},
              {"canonicalizedBody", Base64Encode(entry.body)}};
  if (!entry.signed_entry_timestamp.empty()) {
    out["inclusionPromise"] = {{"signedEntryTimestamp", Base64Encode(entry.signed_entry_timestamp)}};
  }
  const Json& p = entry.inclusion_proof;
  if (p.is_object() && !p.empty()) {
    Json hashes = Json::array();
    for (const Json& h : ArrayField(p, "hashes")) {
      if (h.is_string()) hashes.push_back(Base64Encode(HexToBytes(h.get<std::string>())));
    }
    Json proof = {{"logIndex", std::to_string(IntField(p, "logIndex").value_or(entry.log_index))},
                  {"rootHash", Base64Encode(HexToBytes(StringField(p, "rootHash")))},
                  {"treeSize", std::to_string(IntField(p, "treeSize").value_or(0))},
                  {"hashes", std::move(hashes)}};
    if (std::optional<std::string> checkpoint = OptStringField(p, "checkpoint")) {
      proof["checkpoint"] = {{"envelope", *checkpoint}};
    }
    out["inclusionProof"] = std::move(proof);
  }
  return out;
}

std::string SigstoreMessageBundle(const TlogEntry& entry, std::string_view leaf_der, std::string_view message_sha256,
                                  std::string_view der_signature) {
  const Json bundle = {
      {"mediaType", std::string(kSigstoreBundleV03MediaType)},
      {"verificationMaterial", VerificationMaterial(entry, leaf_der)},
      {"messageSignature",
       {{"messageDigest", {{"algorithm", "SHA2_256"}, {"digest", Base64Encode(message_sha256)}}},
        {"signature", Base64Encode(der_signature)}}}};
  return CanonicalJson(bundle);
}

std::string SigstoreDsseBundle(const TlogEntry& entry, std::string_view leaf_der, const DsseEnvelope& envelope) {
  Json signatures = Json::array();
  for (const DsseSignature& s : envelope.signatures) {
    signatures.push_back({{"keyid", s.keyid}, {"sig", Base64Encode(s.sig)}});
  }
  const Json bundle = {{"mediaType", std::string(kSigstoreBundleV03MediaType)},
                       {"verificationMaterial", VerificationMaterial(entry, leaf_der)},
                       {"dsseEnvelope",
                        {{"payload", Base64Encode(envelope.payload)},
                         {"payloadType", envelope.payload_type},
                         {"signatures", std::move(signatures)}}}};
  return CanonicalJson(bundle);
}

}  // namespace mg
