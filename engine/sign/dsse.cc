#include "sign/dsse.h"

#include <optional>

#include "http/base64.h"
#include "util/json.h"

namespace mg {

std::string PreAuthEncoding(std::string_view payload_type, std::string_view payload) {
  std::string out = "DSSEv1 ";
  out += std::to_string(payload_type.size());
  out += ' ';
  out += payload_type;
  out += ' ';
  out += std::to_string(payload.size());
  out += ' ';
  out += payload;
  return out;
}

Result<DsseEnvelope> DsseSign(std::string_view payload_type, std::string_view payload, Signer& signer,
                              SignatureMaterial* material) {
  if (payload_type.empty()) return Status::InvalidArgument("DSSE: empty payload type");
  MG_ASSIGN_OR_RETURN(SignatureMaterial signed_pae, signer.SignDsseWithMaterial(payload_type, payload));
  DsseEnvelope envelope;
  envelope.payload_type = std::string(payload_type);
  envelope.payload = std::string(payload);
  envelope.signatures.push_back({signer.KeyId(), signed_pae.signature});
  if (material != nullptr) *material = std::move(signed_pae);
  return envelope;
}

std::string SerializeDsseEnvelope(const DsseEnvelope& envelope) {
  Json sigs = Json::array();
  for (const DsseSignature& s : envelope.signatures) sigs.push_back({{"keyid", s.keyid}, {"sig", Base64Encode(s.sig)}});
  Json doc = {
      {"payload", Base64Encode(envelope.payload)},
      {"payloadType", envelope.payload_type},
      {"signatures", std::move(sigs)},
  };
  return CanonicalJson(doc);
}

Result<DsseEnvelope> ParseDsseEnvelope(std::string_view json) {
  auto bad = [](const std::string& why) { return Status::InvalidArgument("DSSE envelope: " + why); };
  std::string error;
  Json doc = ParseJson(json, &error);
  if (!error.empty() || !doc.is_object()) return bad("not a JSON object");
  DsseEnvelope envelope;
  auto type = doc.find("payloadType");
  if (type == doc.end() || !type->is_string() || type->get<std::string>().empty()) {
    return bad("payloadType is missing or empty");
  }
  envelope.payload_type = type->get<std::string>();
  auto payload = doc.find("payload");
  if (payload == doc.end() || !payload->is_string()) return bad("payload is missing");
  std::optional<std::string> payload_bytes = Base64DecodeAnyAlphabet(payload->get<std::string>());
  if (!payload_bytes) return bad("payload is not base64");
  envelope.payload = std::move(*payload_bytes);
  auto sigs = doc.find("signatures");
  if (sigs == doc.end() || !sigs->is_array() || sigs->empty()) return bad("no signatures");
  for (size_t i = 0; i < sigs->size(); ++i) {
    const Json& s = (*sigs)[i];
    const std::string where = "signatures[" + std::to_string(i) + "]";
    if (!s.is_object()) return bad(where + " is not an object");
    auto sig = s.find("sig");
    if (sig == s.end() || !sig->is_string()) return bad(where + ".sig is missing");
    std::optional<std::string> sig_bytes = Base64DecodeAnyAlphabet(sig->get<std::string>());
    if (!sig_bytes || sig_bytes->empty()) return bad(where + ".sig is not base64");
    DsseSignature out;
    out.sig = std::move(*sig_bytes);
    auto keyid = s.find("keyid");
    if (keyid != s.end()) {
      if (!keyid->is_string()) return bad(where + ".keyid is not a string");
      out.keyid = keyid->get<std::string>();
    }
    envelope.signatures.push_back(std::move(out));
  }
  return envelope;
}

Result<bool> DsseVerify(const DsseEnvelope& envelope, const PublicKey& key) {
  const std::string pae = PreAuthEncoding(envelope.payload_type, envelope.payload);
  for (const DsseSignature& s : envelope.signatures) {
    Result<bool> ok = VerifySignature(key, pae, s.sig);
    if (!ok.ok()) return ok.status();
    if (*ok) return true;
  }
  return false;
}

Result<bool> DsseOwnedBy(const DsseEnvelope& envelope, const Signer& signer,
                         const std::map<std::string, std::string>* annotations) {
  const std::string pae = PreAuthEncoding(envelope.payload_type, envelope.payload);
  for (const DsseSignature& s : envelope.signatures) {
    Result<bool> ok = signer.Owns({pae, s.sig, annotations});
    if (!ok.ok()) return ok.status();
    if (*ok) return true;
  }
  return false;
}

}  // namespace mg
