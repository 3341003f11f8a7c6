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

namespace {

Json DsseBundle(const TlogEntry& entry, std::string_view leaf_der, const DsseEnvelope& envelope, bool with_payload) {
  Json signatures = Json::array();
  for (const DsseSignature& s : envelope.signatures) {
    signatures.push_back({{"keyid", s.keyid}, {"sig", Base64Encode(s.sig)}});
  }
  Json dsse = {{"payloadType", envelope.payload_type}, {"signatures", std::move(signatures)}};
  if (with_payload) dsse["payload"] = Base64Encode(envelope.payload);
  return {{"mediaType", std::string(kSigstoreBundleV03MediaType)},
          {"verificationMaterial", VerificationMaterial(entry, leaf_der)},
          {"dsseEnvelope", std::move(dsse)}};
}

}  // namespace

std::string SigstoreDsseBundle(const TlogEntry& entry, std::string_view leaf_der, const DsseEnvelope& envelope) {
  return CanonicalJson(DsseBundle(entry, leaf_der, envelope, true));
}

std::string DetachedSigstoreDsseBundle(const TlogEntry& entry, std::string_view leaf_der,
                                       const DsseEnvelope& envelope) {
  return CanonicalJson(DsseBundle(entry, leaf_der, envelope, false));
}

Result<std::string> CompleteSigstoreDsseBundle(std::string_view stored, const DsseEnvelope& layer) {
  std::string error;
  Json bundle = ParseJson(stored, &error);
  if (bundle.is_discarded() || !bundle.is_object()) {
    return Status::InvalidArgument("the Sigstore bundle is not a JSON object" + (error.empty() ? "" : ": " + error));
  }
  const Json* dsse = FindField(bundle, "dsseEnvelope");
  if (dsse == nullptr) {
    if (FindField(bundle, "messageSignature") != nullptr) return CanonicalJson(bundle);
    return Status::InvalidArgument("the Sigstore bundle has neither a dsseEnvelope nor a messageSignature");
  }
  if (!dsse->is_object()) return Status::InvalidArgument("the Sigstore bundle's dsseEnvelope is not an object");
  if (std::optional<std::string> type = OptStringField(*dsse, "payloadType"); !type || *type != layer.payload_type) {
    return Status::InvalidArgument("the Sigstore bundle's payloadType is not the layer envelope's (" +
                                   layer.payload_type + ")");
  }
  const Json& sigs = ArrayField(*dsse, "signatures");
  if (sigs.size() != layer.signatures.size()) {
    return Status::InvalidArgument("the Sigstore bundle has " + std::to_string(sigs.size()) +
                                   " signature(s), the layer's envelope " + std::to_string(layer.signatures.size()));
  }
  for (size_t i = 0; i < sigs.size(); ++i) {
    std::optional<std::string> sig = Base64DecodeAnyAlphabet(StringField(sigs[i], "sig"));
    if (!sig || *sig != layer.signatures[i].sig) {
      return Status::InvalidArgument("the Sigstore bundle's signature " + std::to_string(i) +
                                     " is not the layer envelope's");
    }
  }
  if (const Json* payload = FindField(*dsse, "payload"); payload != nullptr) {
    std::optional<std::string> bytes =
        payload->is_string() ? Base64DecodeAnyAlphabet(payload->get<std::string>()) : std::nullopt;
    if (!bytes || *bytes != layer.payload) {
      return Status::InvalidArgument("the Sigstore bundle's payload is not the layer envelope's");
    }
  }
  bundle["dsseEnvelope"]["payload"] = Base64Encode(layer.payload);
  return CanonicalJson(bundle);
}

}  // namespace mg
