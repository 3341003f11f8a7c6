#include "sign/cosign_verify.h"

#include <algorithm>
#include <optional>

#include "http/base64.h"
#include "oci/media_types.h"
#include "oci/platform.h"
#include "oci/reference.h"
#include "sign/cosign_storage.h"
#include "sign/dsse.h"
#include "sign/intoto.h"
#include "sign/signature_verifier.h"
#include "sign/signer.h"
#include "sign/simple_signing.h"
#include "sign/slsa_provenance.h"
#include "util/strings.h"

namespace mg {
namespace {

// A problem in what is stored (a check that fails) rather than in reaching the registry.
bool IsContentProblem(const Status& s) {
  return s.code() == Status::Code::kCorruption || s.code() == Status::Code::kNotFound ||
         s.code() == Status::Code::kInvalidArgument;
}

std::string ShortDigest(const std::string& digest) { return digest.substr(0, 7 + 12); }

Json Summarize(const InTotoStatement& statement) {
  Json out = Json::object();
  const Json& p = statement.predicate;
  if (statement.predicate_type == kSpdxPredicateType) {
    if (p.contains("packages") && p["packages"].is_array()) out["packages"] = p["packages"].size();
    if (p.contains("name") && p["name"].is_string()) out["name"] = p["name"];
    return out;
  }
  if (statement.predicate_type == kSlsaProvenanceV1PredicateType) {
    Json sources = Json::array();
    for (const Json& d : ArrayField(ObjectField(p, "buildDefinition"), "resolvedDependencies")) {
      if (std::optional<std::string> commit = OptStringField(ObjectField(d, "digest"), "gitCommit")) {
        sources.push_back({{"uri", StringField(d, "uri")}, {"commit", *commit}});
      }
    }
    out["sources"] = std::move(sources);
    if (const Json* builder = FindField(ObjectField(p, "runDetails"), "builder"); builder && builder->is_object()) {
      out["builder"] = StringField(*builder, "id");
    }
    if (std::optional<ReconstructedProvenance> r = FindReconstructed(p)) {
      out["reconstructed"] = r->why;
      out["unknown"] = r->unknown;
    }
  }
  return out;
}

AttestationVerification CheckAttestation(const CosignLayer& layer, const std::string& subject_digest,
                                         const SignatureVerifier& verifier, Status* fatal) {
  AttestationVerification a;
  a.layer_digest = layer.digest;
  if (auto pt = layer.annotations.find(std::string(kPredicateTypeAnnotation)); pt != layer.annotations.end()) {
    a.predicate_type = pt->second;
  }
  Result<DsseEnvelope> envelope = ParseDsseEnvelope(layer.payload);
  if (!envelope.ok()) {
    a.problem = "not a DSSE envelope: " + envelope.status().message();
    return a;
  }
  if (envelope->payload_type != kInTotoPayloadType) {
    a.problem = "the envelope's payload type is " + envelope->payload_type + ", not " + std::string(kInTotoPayloadType);
    return a;
  }
  Result<SignatureCheck> verified = verifier.VerifyEnvelope(*envelope, layer.annotations);
  if (!verified.ok()) {
    *fatal = verified.status();
    return a;
  }
  if (!verified->ok) {
    a.problem = verified->problem;
    return a;
  }
  Result<InTotoStatement> statement = ParseStatement(envelope->payload);
  if (!statement.ok()) {
    a.problem = "the signed payload is not a valid in-toto statement: " + statement.status().message();
    return a;
  }
  a.predicate_type = statement->predicate_type;
  const std::string hex = subject_digest.substr(subject_digest.find(':') + 1);
  bool names_subject = false;
  std::string named;
  for (const InTotoSubject& s : statement->subjects) {
    auto it = s.digest.find("sha256");
    if (it == s.digest.end()) continue;
    names_subject = names_subject || it->second == hex;
    if (named.empty()) named = "sha256:" + it->second;
  }
  if (!names_subject) {
    a.problem = "the statement is about " + (named.empty() ? std::string("no sha256 digest") : named) +
                ", not this manifest";
    return a;
  }
  a.ok = true;
  a.summary = Summarize(*statement);
  return a;
}

// Checks one subject's .sig and .att; records failed checks in `out`. Returns an error only when
// the registry could not be read.
Status CheckSubject(RegistryClient& client, const std::string& repo, const SignatureVerifier& verifier,
                    SubjectVerification& out) {
  const std::string image = client.registry() + "/" + repo;
  const std::string sig_tag = CosignTag(out.digest, kCosignSignatureSuffix);
  Result<std::vector<CosignLayer>> sigs = ReadCosignLayers(client, repo, out.digest, kCosignSignatureSuffix);
  if (!sigs.ok()) {
    if (!IsContentProblem(sigs.status())) return sigs.status();
    out.signature_problem = "the signature manifest cannot be read: " + sigs.status().message();
  } else if (sigs->empty()) {
    out.signature_problem = "not signed: " + image + ":" + sig_tag + " does not exist";
  } else {
    out.signature_layers = static_cast<int>(sigs->size());
    std::vector<std::string> rejected;  // why the layers that did not verify were refused
    for (size_t i = 0; i < sigs->size(); ++i) {
      const CosignLayer& layer = (*sigs)[i];
      const std::string which = "signature layer " + std::to_string(i) + " (" + ShortDigest(layer.digest) + ")";
      if (layer.media_type != kSimpleSigningMediaType) {
        out.notes.push_back(which + ": media type " + layer.media_type + ", not a simple signing payload");
        continue;
      }
      auto annotation = layer.annotations.find(std::string(kCosignSignatureAnnotation));
      std::optional<std::string> der;
      if (annotation != layer.annotations.end()) der = Base64Decode(annotation->second);
      if (!der || der->empty()) {
        out.notes.push_back(which + ": no base64 signature in " + std::string(kCosignSignatureAnnotation));
        continue;
      }
      Result<SignatureCheck> verified = verifier.VerifyMessage(layer.payload, *der, layer.annotations);
      if (!verified.ok()) return verified.status();
      if (!verified->ok) {
        out.notes.push_back(which + ": " + verified->problem);
        rejected.push_back(which + ": " + verified->problem);
        continue;
      }
      Result<SimpleSigningClaims> claims = ParseSimpleSigningPayload(layer.payload);
      if (!claims.ok()) {
        out.notes.push_back(which + ": " + claims.status().message());
        continue;
      }
      if (claims->manifest_digest != out.digest) {
        out.notes.push_back(which + ": signs " + claims->manifest_digest + ", not this manifest");
        continue;
      }
      if (claims->docker_reference != image) {
        out.notes.push_back(which + ": its identity is " + claims->docker_reference + ", not " + image +
                            " (cosign ignores it; a containers-policy.json signedIdentity may not)");
      }
      ++out.valid_signatures;
    }
    if (out.valid_signatures == 0) {
      const std::string key = verifier.KeyFingerprint();
      out.signature_problem = "none of the " + std::to_string(out.signature_layers) + " signature(s) in " + image +
                              ":" + sig_tag + (key.empty() ? " is valid for " + verifier.Describe() : " verifies with the key");
      // Keyless: say why (the identity, the root, the log), at most three layers' reasons.
      if (key.empty() && !rejected.empty()) {
        rejected.resize(std::min<size_t>(rejected.size(), 3));
        out.signature_problem += ": " + Join(rejected, "; ");
      }
    }
  }

  const std::string att_tag = CosignTag(out.digest, kCosignAttestationSuffix);
  Result<std::vector<CosignLayer>> atts = ReadCosignLayers(client, repo, out.digest, kCosignAttestationSuffix);
  if (!atts.ok()) {
    if (!IsContentProblem(atts.status())) return atts.status();
    AttestationVerification a;
    a.problem = "the attestation manifest " + image + ":" + att_tag + " cannot be read: " + atts.status().message();
    out.attestations.push_back(std::move(a));
    return Status::OK();
  }
  for (size_t i = 0; i < atts->size(); ++i) {
    const CosignLayer& layer = (*atts)[i];
    if (layer.media_type != kDsseEnvelopeMediaType) {
      out.notes.push_back("attestation layer " + std::to_string(i) + " (" + ShortDigest(layer.digest) +
                          "): media type " + layer.media_type + ", not a DSSE envelope; ignored");
      continue;
    }
    Status fatal;
    AttestationVerification a = CheckAttestation(layer, out.digest, verifier, &fatal);
    if (!fatal.ok()) return fatal;
    out.attestations.push_back(std::move(a));
  }
  return Status::OK();
}

// "index" (or "image" when the reference names one image manifest) or the platform.
std::string SubjectName(const SubjectVerification& s, const std::string& media_type) {
  if (!s.platform.empty()) return s.platform;
  return IsIndexMediaType(media_type) ? "index" : "image";
}

}  // namespace

bool SubjectVerification::ok() const {
  if (!signature_problem.empty()) return false;
  for (const AttestationVerification& a : attestations) {
    if (!a.ok) return false;
  }
  return true;
}

bool ImageVerification::ok() const {
  if (subjects.empty()) return false;
  for (const SubjectVerification& s : subjects) {
    if (!s.ok()) return false;
  }
  return true;
}

std::vector<std::string> ImageVerification::Failures() const {
  std::vector<std::string> out;
  for (const SubjectVerification& s : subjects) {
    const std::string where = SubjectName(s, media_type) + " " + s.digest;
    if (!s.signature_problem.empty()) out.push_back(where + ": signature: " + s.signature_problem);
    for (const AttestationVerification& a : s.attestations) {
      if (!a.ok) {
        out.push_back(where + ": attestation " + (a.predicate_type.empty() ? "" : a.predicate_type + " ") +
                      (a.layer_digest.empty() ? "" : "(layer " + a.layer_digest + ") ") + a.problem);
      }
    }
  }
  return out;
}

std::vector<std::string> ImageVerification::Warnings() const {
  std::vector<std::string> out;
  for (const SubjectVerification& s : subjects) {
    for (const AttestationVerification& a : s.attestations) {
      if (!a.ok || !a.summary.is_object() || !a.summary.contains("reconstructed")) continue;
      std::string line = SubjectName(s, media_type) + " " + s.digest + ": the provenance is reconstructed";
      const Json& why = a.summary["reconstructed"];
      if (why.is_string() && !why.get<std::string>().empty()) line += " (" + why.get<std::string>() + ")";
      std::vector<std::string> unknown;
      if (a.summary.contains("unknown") && a.summary["unknown"].is_array()) {
        for (const Json& u : a.summary["unknown"]) {
          if (u.is_string()) unknown.push_back(u.get<std::string>());
        }
      }
      if (!unknown.empty()) line += "; it does not say: " + Join(unknown, ", ");
      out.push_back(std::move(line));
    }
  }
  return out;
}

Json ImageVerification::ToJson() const {
  Json subs = Json::array();
  for (const SubjectVerification& s : subjects) {
    Json atts = Json::array();
    for (const AttestationVerification& a : s.attestations) {
      Json j = {{"layer", a.layer_digest}, {"predicate_type", a.predicate_type}, {"ok", a.ok}};
      if (!a.problem.empty()) j["problem"] = a.problem;
      if (!a.summary.empty()) j["summary"] = a.summary;
      atts.push_back(std::move(j));
    }
    Json j = {{"platform", s.platform},
              {"digest", s.digest},
              {"ok", s.ok()},
              {"signature", {{"layers", s.signature_layers}, {"valid", s.valid_signatures}, {"ok", s.signature_problem.empty()}}},
              {"attestations", std::move(atts)},
              {"notes", s.notes}};
    if (!s.signature_problem.empty()) j["signature"]["problem"] = s.signature_problem;
    subs.push_back(std::move(j));
  }
  return {{"image", image},         {"reference", reference}, {"digest", digest}, {"media_type", media_type},
          {"key", key_fingerprint}, {"verified_with", verified_with}, {"ok", ok()},             {"failures", Failures()},
          {"warnings", Warnings()}, {"subjects", std::move(subs)}};
}

Result<ImageVerification> VerifyCosignImage(RegistryClient& client, const std::string& repo,
                                            const std::string& reference, const PublicKey& key) {
  return VerifyCosignImage(client, repo, reference, KeyVerifier(key));
}

Result<ImageVerification> VerifyCosignImage(RegistryClient& client, const std::string& repo,
                                            const std::string& reference, const SignatureVerifier& verifier) {
  ImageVerification v;
  v.image = client.registry() + "/" + repo;
  v.reference = reference;
  v.key_fingerprint = verifier.KeyFingerprint();
  v.verified_with = verifier.Describe();
  Result<Manifest> m = client.GetManifest(repo, reference);
  if (!m.ok()) {
    const std::string sep = IsValidDigest(reference) ? "@" : ":";
    return m.status().WithContext("reading " + v.image + sep + reference);
  }
  v.digest = m->digest;
  v.media_type = m->media_type;
  SubjectVerification index;
  index.digest = v.digest;
  v.subjects.push_back(std::move(index));
  if (IsIndexMediaType(m->media_type)) {
    for (const Json& e : ArrayField(m->json, "manifests")) {
      const std::string digest = StringField(e, "digest");
      if (!IsValidDigest(digest)) {
        return Status::Corruption(v.image + "@" + v.digest + ": an index entry has no valid digest");
      }
      const Json& platform = ObjectField(e, "platform");
      const std::string os = StringField(platform, "os"), arch = StringField(platform, "architecture");
      if (os == "unknown" && arch == "unknown") continue;
      SubjectVerification s;
      s.platform = os.empty() && arch.empty() ? "(no platform)" : FormatPlatform(os, arch, StringField(platform, "variant"));
      s.digest = digest;
      v.subjects.push_back(std::move(s));
    }
  } else if (!IsManifestMediaType(m->media_type)) {
    return Status::FailedPrecondition(v.image + "@" + v.digest + " is a " + m->media_type +
                                      ", not an image or an index");
  }
  for (SubjectVerification& s : v.subjects) {
    Status checked = CheckSubject(client, repo, verifier, s);
    if (!checked.ok()) return checked.WithContext("verifying " + SubjectName(s, v.media_type) + " " + s.digest + " of " + v.image);
  }
  return v;
}

}  // namespace mg
