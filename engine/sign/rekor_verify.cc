#include "sign/rekor_verify.h"

#include "http/base64.h"
#include "sign/signer.h"
#include "sign/x509_leaf.h"
#include "util/sha256.h"

namespace mg {
namespace {

std::string HexDecode(std::string_view hex, bool* ok) {
  *ok = hex.size() % 2 == 0;
  std::string out;
  auto nibble = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    *ok = false;
    return 0;
  };
  for (size_t i = 0; *ok && i + 1 < hex.size(); i += 2) out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  return out;
}

std::string RawSha256(std::string_view a, std::string_view b = {}, std::string_view c = {}) {
  Sha256 h;
  h.Update(a);
  h.Update(b);
  h.Update(c);
  return h.FinishRaw();
}

// An int64 written as a JSON integer or, in protobuf's JSON mapping, a decimal string.
std::optional<int64_t> Int64Field(const Json& obj, std::string_view key) {
  if (std::optional<int64_t> v = IntField(obj, key)) return v;
  std::optional<std::string> s = OptStringField(obj, key);
  if (!s || s->empty() || s->size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : *s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// The DER of the first certificate in base64(PEM), or "".
std::string CertificateDerOfBase64Pem(std::string_view b64) {
  std::optional<std::string> pem = Base64Decode(b64);
  if (!pem) return "";
  Result<std::vector<std::string>> der = PemCertificatesToDer(*pem, "the log entry's certificate");
  return der.ok() ? der->front() : "";
}

Json ParseBody(std::string_view body, std::string* problem) {
  std::string error;
  Json j = ParseJson(body, &error);
  if (!error.empty() || !j.is_object()) *problem = "the log entry's body is not a JSON object";
  return j;
}

}  // namespace

Result<RekorBundle> ParseCosignBundle(std::string_view json) {
  std::string error;
  Json doc = ParseJson(json, &error);
  if (!error.empty() || !doc.is_object()) return Status::InvalidArgument("the Rekor bundle is not a JSON object");
  const Json* payload = FindField(doc, "Payload");
  if (payload == nullptr || !payload->is_object()) return Status::InvalidArgument("the Rekor bundle has no \"Payload\" object");
  RekorBundle b;
  if (const Json* set = FindField(doc, "SignedEntryTimestamp"); set != nullptr) {
    std::optional<std::string> raw = set->is_string() ? Base64Decode(set->get<std::string>()) : std::nullopt;
    if (!raw) return Status::InvalidArgument("the Rekor bundle's SignedEntryTimestamp is not base64");
    b.signed_entry_timestamp = std::move(*raw);
  }
  b.body_base64 = StringField(*payload, "body");
  std::optional<std::string> body = Base64Decode(b.body_base64);
  if (!body || body->empty()) return Status::InvalidArgument("the Rekor bundle's Payload.body is missing or not base64");
  b.body = std::move(*body);
  std::optional<int64_t> time = IntField(*payload, "integratedTime"), index = IntField(*payload, "logIndex");
  b.log_id_hex = StringField(*payload, "logID");
  if (!time || !index || b.log_id_hex.empty()) {
    return Status::InvalidArgument("the Rekor bundle's Payload lacks integratedTime, logIndex or logID (or one is of the wrong type)");
  }
  b.integrated_time = *time;
  b.log_index = *index;
  return b;
}

std::string VerifySignedEntryTimestamp(const RekorBundle& bundle, const TrustedRoot& root) {
  bool ok = false;
  const std::string log_id = HexDecode(bundle.log_id_hex, &ok);
  if (!ok) return "the log entry's logID is not hex";
  const TrustedLog* log = root.FindLog(log_id);
  if (log == nullptr) return "the log entry is from a log that is not in " + root.source + " (logID " + bundle.log_id_hex.substr(0, 64) + ")";
  if (bundle.signed_entry_timestamp.empty()) return "the log entry has no signed entry timestamp (SET)";
  const Json signed_part = {{"body", bundle.body_base64},
                            {"integratedTime", bundle.integrated_time},
                            {"logID", bundle.log_id_hex},
                            {"logIndex", bundle.log_index}};
  Result<bool> verified = VerifySignature(log->key, CanonicalJson(signed_part), bundle.signed_entry_timestamp);
  if (!verified.ok() || !*verified) return "the log entry's signed entry timestamp (SET) does not verify with the log's key";
  if (!log->valid_for.Contains(bundle.integrated_time)) return "the log's key was not valid at the entry's integratedTime";
  return "";
}

std::string CheckHashedRekordBody(std::string_view body, std::string_view payload, std::string_view der_signature,
                                  std::string_view leaf_der) {
  std::string problem;
  const Json j = ParseBody(body, &problem);
  if (!problem.empty()) return problem;
  if (StringField(j, "kind") != "hashedrekord" || StringField(j, "apiVersion") != "0.0.1") {
    return "the log entry is a " + StringField(j, "kind", "?").substr(0, 40) + " " +
           StringField(j, "apiVersion", "?").substr(0, 20) + " entry, not hashedrekord 0.0.1";
  }
  const Json& spec = ObjectField(j, "spec");
  const Json& hash = ObjectField(ObjectField(spec, "data"), "hash");
  if (StringField(hash, "algorithm") != "sha256" || StringField(hash, "value") != Sha256Hex(payload)) {
    return "the log entry is about another payload (its sha256 differs)";
  }
  const Json& sig = ObjectField(spec, "signature");
  std::optional<std::string> logged = Base64Decode(StringField(sig, "content"));
  if (!logged || *logged != der_signature) return "the log entry records another signature";
  if (CertificateDerOfBase64Pem(StringField(ObjectField(sig, "publicKey"), "content")) != leaf_der) {
    return "the log entry records another certificate";
  }
  return "";
}

std::string CheckDsseBody(std::string_view body, const DsseEnvelope& envelope, std::string_view der_signature,
                          std::string_view leaf_der) {
  std::string problem;
  const Json j = ParseBody(body, &problem);
  if (!problem.empty()) return problem;
  if (StringField(j, "kind") != "dsse" || StringField(j, "apiVersion") != "0.0.1") {
    return "the log entry is a " + StringField(j, "kind", "?").substr(0, 40) + " " +
           StringField(j, "apiVersion", "?").substr(0, 20) + " entry, not dsse 0.0.1";
  }
  const Json& spec = ObjectField(j, "spec");
  const Json& payload_hash = ObjectField(spec, "payloadHash");
  if (StringField(payload_hash, "algorithm") != "sha256" || StringField(payload_hash, "value") != Sha256Hex(envelope.payload)) {
    return "the log entry is about another payload (its sha256 differs)";
  }
  for (const Json& s : ArrayField(spec, "signatures")) {
    std::optional<std::string> logged = Base64Decode(StringField(s, "signature"));
    if (logged && *logged == der_signature && CertificateDerOfBase64Pem(StringField(s, "verifier")) == leaf_der) {
      return "";
    }
  }
  return "the log entry records another signature or certificate";
}

std::string VerifyInclusionProof(std::string_view leaf_data, int64_t index, int64_t tree_size,
                                 const std::vector<std::string>& path, std::string_view root_hash) {
  if (index < 0 || tree_size <= 0 || index >= tree_size) {
    return "the inclusion proof's index " + std::to_string(index) + " is not in a tree of " + std::to_string(tree_size);
  }
  uint64_t fn = static_cast<uint64_t>(index), sn = static_cast<uint64_t>(tree_size - 1);
  std::string r = RawSha256(std::string_view("\0", 1), leaf_data);
  for (const std::string& p : path) {
    if (p.size() != 32) return "the inclusion proof holds a hash that is not 32 bytes";
    if (sn == 0) return "the inclusion proof has more hashes than the tree needs";
    if ((fn & 1) != 0 || fn == sn) {
      r = RawSha256(std::string_view("\1", 1), p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = RawSha256(std::string_view("\1", 1), r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return "the inclusion proof has fewer hashes than the tree needs";
  if (r != root_hash) return "the inclusion proof does not lead to the root hash (the entry is not in the log as proven)";
  return "";
}

std::string VerifyCheckpoint(std::string_view checkpoint, const TrustedLog& log, int64_t tree_size,
                             std::string_view root_hash) {
  const size_t blank = checkpoint.find("\n\n");
  if (blank == std::string_view::npos) return "the checkpoint is not a signed note (no blank line before its signatures)";
  const std::string_view note = checkpoint.substr(0, blank + 1);
  std::vector<std::string_view> lines;
  for (size_t at = 0; at < note.size();) {
    const size_t nl = note.find('\n', at);
    lines.push_back(note.substr(at, nl - at));
    at = nl + 1;
  }
  if (lines.size() < 3) return "the checkpoint has no origin, tree size and root hash lines";
  if (lines[1] != std::to_string(tree_size)) {
    return "the checkpoint's tree size " + std::string(lines[1].substr(0, 20)) + " is not the proof's " + std::to_string(tree_size);
  }
  std::optional<std::string> root = Base64Decode(lines[2]);
  if (!root || *root != root_hash) return "the checkpoint's root hash is not the proof's";
  constexpr std::string_view kDash = "\xE2\x80\x94 ";  // "— "
  std::string_view rest = checkpoint.substr(blank + 2);
  bool any = false;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.substr(0, kDash.size()) != kDash) continue;
    const size_t space = line.rfind(' ');
    if (space == std::string_view::npos || space < kDash.size()) continue;
    std::optional<std::string> sig = Base64Decode(line.substr(space + 1));
    if (!sig || sig->size() <= 4) continue;
    any = true;
    Result<bool> ok = VerifySignature(log.key, note, std::string_view(*sig).substr(4));
    if (ok.ok() && *ok) return "";
  }
  return any ? "the checkpoint's signature does not verify with the log's key" : "the checkpoint has no signature line";
}

std::string VerifyBundleInclusionProof(const Json& tlog_entry, std::string_view body, const TrustedRoot& root,
                                       bool* has_proof) {
  *has_proof = false;
  if (!tlog_entry.is_object()) return "the Sigstore bundle's log entry is not an object";
  const Json* proof = FindField(tlog_entry, "inclusionProof");
  if (proof == nullptr) return "";
  *has_proof = true;
  if (!proof->is_object()) return "the Sigstore bundle's inclusionProof is not an object";
  std::optional<std::string> logged_body = Base64Decode(StringField(tlog_entry, "canonicalizedBody"));
  if (!logged_body || *logged_body != body) return "the Sigstore bundle is about another log entry than the Rekor bundle";
  std::optional<std::string> key_id = Base64Decode(StringField(ObjectField(tlog_entry, "logId"), "keyId"));
  const TrustedLog* log = key_id ? root.FindLog(*key_id) : nullptr;
  if (log == nullptr) return "the Sigstore bundle's log entry is from a log that is not in " + root.source;
  std::optional<int64_t> index = Int64Field(*proof, "logIndex"), size = Int64Field(*proof, "treeSize");
  std::optional<std::string> root_hash = Base64Decode(StringField(*proof, "rootHash"));
  if (!index || !size || !root_hash || root_hash->size() != 32) {
    return "the inclusion proof lacks a logIndex, treeSize or 32-byte rootHash";
  }
  std::vector<std::string> path;
  for (const Json& h : ArrayField(*proof, "hashes")) {
    std::optional<std::string> raw = h.is_string() ? Base64Decode(h.get<std::string>()) : std::nullopt;
    if (!raw) return "the inclusion proof holds a hash that is not base64";
    path.push_back(std::move(*raw));
  }
  if (std::string why = VerifyInclusionProof(body, *index, *size, path, *root_hash); !why.empty()) return why;
  const std::string checkpoint = StringField(ObjectField(*proof, "checkpoint"), "envelope");
  if (checkpoint.empty()) return "the inclusion proof has no checkpoint";
  return VerifyCheckpoint(checkpoint, *log, *size, *root_hash);
}

}  // namespace mg
