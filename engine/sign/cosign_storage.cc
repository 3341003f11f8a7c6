#include "sign/cosign_storage.h"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "http/base64.h"
#include "oci/media_types.h"
#include "oci/push.h"
#include "oci/reference.h"
#include "oci/upload_session.h"
#include "sign/dsse.h"
#include "sign/intoto.h"
#include "sign/simple_signing.h"
#include "util/sha256.h"

namespace mg {
namespace {

// The time cosign writes in its configs: Go's zero time.
constexpr char kZeroTime[] = "0001-01-01T00:00:00Z";

std::string Where(const RegistryClient& client, const std::string& repo, const std::string& tag) {
  return client.registry() + "/" + repo + ":" + tag;
}

Status CheckArguments(const RegistryClient& client, const std::string& repo, const std::string& subject_digest) {
  if (!IsValidRepositoryName(repo)) {
    return Status::InvalidArgument("invalid repository name '" + repo + "' on " + client.registry());
  }
  if (!IsValidDigest(subject_digest) || subject_digest.rfind("sha256:", 0) != 0) {
    return Status::InvalidArgument("'" + subject_digest + "' is not a sha256 digest (sha256:<64 hex>) of " +
                                   client.registry() + "/" + repo);
  }
  return Status::OK();
}

// A .sig/.att manifest as found in the registry: its layer descriptors kept verbatim so that a
// rewrite preserves what others wrote (certificates, bundles, fields we do not know).
struct StoredManifest {
  bool exists = false;
  Json layers = Json::array();  // the descriptors, as found
  Json annotations;             // the manifest's own annotations, when it had some
  std::vector<CosignLayer> parsed;  // one per descriptor; payload empty until fetched
};

Result<StoredManifest> ReadStored(RegistryClient& client, const std::string& repo, const std::string& tag) {
  const std::string where = Where(client, repo, tag);
  StoredManifest out;
  Result<Manifest> m = client.GetManifest(repo, tag);
  if (!m.ok()) {
    if (m.status().code() == Status::Code::kNotFound) return out;
    return m.status().WithContext("reading " + where);
  }
  out.exists = true;
  if (!IsManifestMediaType(m->media_type)) {
    return Status::Corruption(where + " holds a " + (m->media_type.empty() ? "document of unknown type" : m->media_type) +
                              ", not a cosign signature manifest (an OCI image manifest); remove the tag or "
                              "move it aside before signing");
  }
  const Json& doc = m->json;
  if (!doc.contains("layers") || !doc["layers"].is_array()) {
    return Status::Corruption(where + ": the manifest has no \"layers\" array");
  }
  out.layers = doc["layers"];
  if (doc.contains("annotations") && doc["annotations"].is_object()) out.annotations = doc["annotations"];
  for (size_t i = 0; i < out.layers.size(); ++i) {
    const Json& d = out.layers[i];
    const std::string at = where + ": layer " + std::to_string(i);
    if (!d.is_object()) return Status::Corruption(at + " is not an object");
    CosignLayer layer;
    if (!d.contains("mediaType") || !d["mediaType"].is_string()) {
      return Status::Corruption(at + " has no \"mediaType\" string");
    }
    layer.media_type = d["mediaType"].get<std::string>();
    if (!d.contains("digest") || !d["digest"].is_string() || !IsValidDigest(d["digest"].get<std::string>())) {
      return Status::Corruption(at + " has no valid \"digest\"");
    }
    layer.digest = d["digest"].get<std::string>();
    if (d.contains("annotations") && !d["annotations"].is_null()) {
      if (!d["annotations"].is_object()) return Status::Corruption(at + ": \"annotations\" is not an object");
      for (const auto& [k, v] : d["annotations"].items()) {
        if (!v.is_string()) return Status::Corruption(at + ": annotation \"" + k + "\" is not a string");
        layer.annotations[k] = v.get<std::string>();
      }
    }
    out.parsed.push_back(std::move(layer));
  }
  return out;
}

Status FetchPayload(RegistryClient& client, const std::string& repo, const std::string& tag, CosignLayer& layer) {
  Result<std::string> blob = client.GetBlob(repo, layer.digest);
  if (!blob.ok()) return blob.status().WithContext("reading the layer " + layer.digest + " of " + Where(client, repo, tag));
  layer.payload = std::move(blob.value());
  return Status::OK();
}

// Process-wide locks, one per "<registry>/<repo>:<tag>", held across a read-modify-write.
std::shared_ptr<std::mutex> TagLock(const std::string& key) {
  static std::mutex mu;
  static std::map<std::string, std::weak_ptr<std::mutex>> locks;
  std::lock_guard<std::mutex> guard(mu);
  for (auto it = locks.begin(); it != locks.end();) {
    it = it->second.expired() ? locks.erase(it) : std::next(it);
  }
  std::shared_ptr<std::mutex> lock = locks[key].lock();
  if (!lock) {
    lock = std::make_shared<std::mutex>();
    locks[key] = lock;
  }
  return lock;
}

// Uploads a small blob that is almost always new (a fresh signature, an envelope, the config
// listing it) without asking first: POST + PUT, no HEAD. Uploading a blob the registry already has
// is harmless (it is content-addressed), so the HEAD that PushBlob sends would only cost a round
// trip on every attachment.
Status UploadNewBlob(RegistryClient& client, const std::string& repo, const std::string& digest, std::string_view bytes) {
  Result<UploadSession> session = StartUpload(client, repo);
  if (!session.ok()) return session.status();
  return FinishUpload(client, repo, digest, session->location, std::string(bytes));
}

// Writes `stored` (its layers as they are now) under `tag`: cosign's config blob for those layers,
// then the manifest.
Status PutStored(RegistryClient& client, const std::string& repo, const std::string& tag, StoredManifest stored) {
  const std::string where = Where(client, repo, tag);
  std::vector<std::string> digests;
  for (const Json& d : stored.layers) digests.push_back(d["digest"].get<std::string>());
  const std::string config = CosignConfigBlob(digests);
  const std::string config_digest = Sha256Digest(config);
  Status pushed = UploadNewBlob(client, repo, config_digest, config);
  if (!pushed.ok()) return pushed.WithContext("uploading the config of " + where);

  Json manifest = {{"schemaVersion", 2},
                   {"mediaType", kMediaTypeOciManifest},
                   {"config", {{"mediaType", kMediaTypeOciConfig},
                               {"digest", config_digest},
                               {"size", static_cast<int64_t>(config.size())}}},
                   {"layers", std::move(stored.layers)}};
  if (stored.annotations.is_object() && !stored.annotations.empty()) manifest["annotations"] = stored.annotations;
  Result<std::string> put = PutManifest(client, repo, tag, CanonicalJson(manifest), kMediaTypeOciManifest);
  if (!put.ok()) return put.status().WithContext("writing " + where);
  return Status::OK();
}

// Appends one layer (payload + annotations) to the stored manifest and writes it under `tag`:
// the payload blob, cosign's config blob, then the manifest.
Status AppendLayer(RegistryClient& client, const std::string& repo, const std::string& tag, StoredManifest stored,
                   std::string_view media_type, const std::string& payload, const Json& annotations) {
  const std::string where = Where(client, repo, tag);
  const std::string payload_digest = Sha256Digest(payload);
  Status pushed = UploadNewBlob(client, repo, payload_digest, payload);
  if (!pushed.ok()) return pushed.WithContext("uploading the " + std::string(media_type) + " layer for " + where);
  Json descriptor = {{"mediaType", std::string(media_type)},
                     {"digest", payload_digest},
                     {"size", static_cast<int64_t>(payload.size())},
                     {"annotations", annotations}};
  stored.layers.push_back(std::move(descriptor));
  return PutStored(client, repo, tag, std::move(stored));
}

using OwnsSignature = std::function<Result<bool>(const ExistingSignature&)>;

// True when `layer` is a simple-signing layer over exactly `payload` whose signature `owns` accepts.
Result<bool> IsOwnSignatureLayer(const CosignLayer& layer, const std::string& payload, const OwnsSignature& owns) {
  if (layer.media_type != kSimpleSigningMediaType || layer.digest != Sha256Digest(payload)) return false;
  auto sig = layer.annotations.find(std::string(kCosignSignatureAnnotation));
  if (sig == layer.annotations.end()) return false;
  std::optional<std::string> der = Base64Decode(sig->second);
  if (!der) return false;
  return owns({payload, *der, &layer.annotations});
}

Result<bool> HasOwnSignature(RegistryClient& client, const std::string& repo, const std::string& subject_digest,
                             const OwnsSignature& owns) {
  MG_RETURN_IF_ERROR(CheckArguments(client, repo, subject_digest));
  const std::string tag = CosignTag(subject_digest, kCosignSignatureSuffix);
  Result<StoredManifest> stored = ReadStored(client, repo, tag);
  if (!stored.ok()) return stored.status();
  const std::string payload = CosignSignaturePayload(client, repo, subject_digest);
  for (const CosignLayer& layer : stored->parsed) {
    Result<bool> valid = IsOwnSignatureLayer(layer, payload, owns);
    if (!valid.ok()) return valid.status().WithContext("checking " + Where(client, repo, tag));
    if (*valid) return true;
  }
  return false;
}

}  // namespace

std::string CosignConfigBlob(const std::vector<std::string>& layer_digests) {
  // Written by hand: cosign's field order (Go struct order), not sorted keys.
  std::string history, diff_ids;
  for (size_t i = 0; i < layer_digests.size(); ++i) {
    if (i > 0) {
      history += ',';
      diff_ids += ',';
    }
    history += std::string("{\"created\":\"") + kZeroTime + "\"}";
    AppendJsonString(&diff_ids, layer_digests[i]);
  }
  return std::string("{\"architecture\":\"\",\"created\":\"") + kZeroTime + "\",\"history\":[" + history +
         "],\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diff_ids + "]},\"config\":{}}";
}

std::string CosignSignaturePayload(const RegistryClient& client, const std::string& repo,
                                   const std::string& subject_digest) {
  return SimpleSigningPayload(client.registry() + "/" + repo, subject_digest, Json());
}

Result<std::vector<CosignLayer>> ReadCosignLayers(RegistryClient& client, const std::string& repo,
                                                  const std::string& subject_digest, std::string_view suffix) {
  MG_RETURN_IF_ERROR(CheckArguments(client, repo, subject_digest));
  const std::string tag = CosignTag(subject_digest, suffix);
  Result<StoredManifest> stored = ReadStored(client, repo, tag);
  if (!stored.ok()) return stored.status();
  std::vector<CosignLayer> layers = std::move(stored->parsed);
  for (CosignLayer& layer : layers) MG_RETURN_IF_ERROR(FetchPayload(client, repo, tag, layer));
  return layers;
}

Result<bool> HasCosignSignature(RegistryClient& client, const std::string& repo, const std::string& subject_digest,
                                const Signer& signer) {
  return HasOwnSignature(client, repo, subject_digest,
                         [&](const ExistingSignature& e) { return signer.Owns(e); });
}

Result<bool> HasCosignSignature(RegistryClient& client, const std::string& repo, const std::string& subject_digest,
                                const PublicKey& key) {
  return HasOwnSignature(client, repo, subject_digest, [&](const ExistingSignature& e) {
    return VerifySignature(key, e.signed_bytes, e.der_signature);
  });
}

Result<bool> AttachSignature(RegistryClient& client, const std::string& repo, const std::string& subject_digest,
                             Signer& signer) {
  MG_RETURN_IF_ERROR(CheckArguments(client, repo, subject_digest));
  const std::string tag = CosignTag(subject_digest, kCosignSignatureSuffix);
  const std::string payload = CosignSignaturePayload(client, repo, subject_digest);

  std::shared_ptr<std::mutex> lock = TagLock(Where(client, repo, tag));
  std::lock_guard<std::mutex> guard(*lock);
  Result<StoredManifest> stored = ReadStored(client, repo, tag);
  if (!stored.ok()) return stored.status();
  for (const CosignLayer& layer : stored->parsed) {
    Result<bool> valid =
        IsOwnSignatureLayer(layer, payload, [&](const ExistingSignature& e) { return signer.Owns(e); });
    if (!valid.ok()) return valid.status().WithContext("checking " + Where(client, repo, tag));
    if (*valid) return false;
  }
  Result<SignatureMaterial> material = signer.SignWithMaterial(payload);
  if (!material.ok()) return material.status().WithContext("signing " + client.registry() + "/" + repo + "@" + subject_digest);
  MG_RETURN_IF_ERROR(AppendLayer(client, repo, tag, std::move(stored.value()), kSimpleSigningMediaType, payload,
                                 CosignSignatureAnnotations(*material)));
  return true;
}

namespace {

// Signs `payload` (a serialised statement about `subject_digest`) and appends it to the .att
// manifest, unless a layer of `predicate_type` there already holds an equal statement that
// the signer owns. With `supersedes`: the other layers of `predicate_type` that
// the signer owns and whose predicate it accepts are left out of the manifest written
// (AttachAttestationReplacing).
Result<bool> AttachStatement(RegistryClient& client, const std::string& repo, const std::string& subject_digest,
                             const std::string& predicate_type, const std::string& payload, Signer& signer,
                             const std::function<bool(const Json& predicate)>* supersedes = nullptr,
                             size_t* superseded = nullptr) {
  const std::string tag = CosignTag(subject_digest, kCosignAttestationSuffix);
  const std::string where = Where(client, repo, tag);
  std::optional<Json> payload_json;  // parsed only when a layer's bytes differ from ours
  if (superseded != nullptr) *superseded = 0;

  std::shared_ptr<std::mutex> lock = TagLock(where);
  std::lock_guard<std::mutex> guard(*lock);
  Result<StoredManifest> stored = ReadStored(client, repo, tag);
  if (!stored.ok()) return stored.status();
  bool have_equal = false;
  std::vector<bool> drop(stored->parsed.size(), false);
  size_t dropped = 0;
  for (size_t i = 0; i < stored->parsed.size(); ++i) {
    const CosignLayer& found = stored->parsed[i];
    if (found.media_type != kDsseEnvelopeMediaType) continue;
    auto pt = found.annotations.find(std::string(kPredicateTypeAnnotation));
    if (pt == found.annotations.end() || pt->second != predicate_type) continue;
    CosignLayer layer = found;
    MG_RETURN_IF_ERROR(FetchPayload(client, repo, tag, layer));
    Result<DsseEnvelope> envelope = ParseDsseEnvelope(layer.payload);
    if (!envelope.ok() || envelope->payload_type != kInTotoPayloadType) continue;  // someone else's; not ours
    bool equal = envelope->payload == payload;  // equal bytes are equal statements; else compare as JSON
    std::optional<Json> theirs;
    if (!equal) {
      if (!payload_json) payload_json = ParseJson(payload);
      theirs = ParseJson(envelope->payload);
      equal = *theirs == *payload_json;
    }
    if (!equal && supersedes == nullptr) continue;
    Result<bool> verified = DsseOwnedBy(*envelope, signer, &found.annotations);
    if (!verified.ok()) return verified.status().WithContext("checking " + where);
    if (!*verified) continue;
    if (equal) {
      have_equal = true;
      if (supersedes == nullptr) return false;
      continue;
    }
    if (theirs->is_object() && theirs->contains("predicate") && (*supersedes)((*theirs)["predicate"])) {
      drop[i] = true;
      ++dropped;
    }
  }
  if (have_equal && dropped == 0) return false;
  if (dropped > 0) {
    StoredManifest kept;
    kept.exists = stored->exists;
    kept.annotations = stored->annotations;
    for (size_t i = 0; i < drop.size(); ++i) {
      if (drop[i]) continue;
      kept.layers.push_back(stored->layers[i]);
      kept.parsed.push_back(std::move(stored->parsed[i]));
    }
    *stored = std::move(kept);
  }
  if (superseded != nullptr) *superseded = dropped;
  if (have_equal) {
    MG_RETURN_IF_ERROR(PutStored(client, repo, tag, std::move(stored.value())));
    return true;
  }
  SignatureMaterial material;
  Result<DsseEnvelope> envelope = DsseSign(kInTotoPayloadType, payload, signer, &material);
  if (!envelope.ok()) return envelope.status().WithContext("signing the " + predicate_type + " attestation for " + where);
  Json annotations = CosignSignatureAnnotations(material);
  annotations[std::string(kCosignSignatureAnnotation)] = "";
  annotations[std::string(kPredicateTypeAnnotation)] = predicate_type;
  MG_RETURN_IF_ERROR(AppendLayer(client, repo, tag, std::move(stored.value()), kDsseEnvelopeMediaType,
                                 SerializeDsseEnvelope(*envelope), annotations));
  return true;
}

// The statement about `subject_digest` around `canonical_predicate`.
Result<std::string> StatementPayload(const RegistryClient& client, const std::string& repo,
                                     const std::string& subject_digest, const std::string& predicate_type,
                                     std::string_view canonical_predicate) {
  Result<InTotoSubject> subject = SubjectFromOciDigest(client.registry() + "/" + repo, subject_digest);
  if (!subject.ok()) return subject.status();
  Result<std::string> payload =
      SerializeStatementWithPredicateText({std::move(subject.value())}, predicate_type, canonical_predicate);
  if (!payload.ok()) {
    return payload.status().WithContext("the " + predicate_type + " statement for " +
                                        Where(client, repo, CosignTag(subject_digest, kCosignAttestationSuffix)));
  }
  return payload;
}

}  // namespace

Result<bool> AttachAttestation(RegistryClient& client, const std::string& repo, const std::string& subject_digest,
                               const std::string& predicate_type, const Json& predicate, Signer& signer) {
  return AttachAttestationReplacing(client, repo, subject_digest, predicate_type, predicate, signer, nullptr, nullptr);
}

Result<bool> AttachAttestationReplacing(RegistryClient& client, const std::string& repo,
                                        const std::string& subject_digest, const std::string& predicate_type,
                                        const Json& predicate, Signer& signer,
                                        const std::function<bool(const Json& predicate)>& supersedes,
                                        size_t* superseded) {
  if (superseded != nullptr) *superseded = 0;
  MG_RETURN_IF_ERROR(CheckArguments(client, repo, subject_digest));
  if (predicate_type.empty()) return Status::InvalidArgument("an attestation needs a predicate type");
  if (!predicate.is_object()) {
    return Status::InvalidArgument("the " + predicate_type + " predicate must be a JSON object, not " +
                                   std::string(predicate.type_name()));
  }
  Result<std::string> payload = StatementPayload(client, repo, subject_digest, predicate_type, CanonicalJson(predicate));
  if (!payload.ok()) return payload.status();
  return AttachStatement(client, repo, subject_digest, predicate_type, *payload, signer,
                         supersedes ? &supersedes : nullptr, superseded);
}

Result<bool> AttachCanonicalAttestation(RegistryClient& client, const std::string& repo,
                                        const std::string& subject_digest, const std::string& predicate_type,
                                        std::string_view canonical_predicate, Signer& signer) {
  MG_RETURN_IF_ERROR(CheckArguments(client, repo, subject_digest));
  if (predicate_type.empty()) return Status::InvalidArgument("an attestation needs a predicate type");
  Result<std::string> payload = StatementPayload(client, repo, subject_digest, predicate_type, canonical_predicate);
  if (!payload.ok()) return payload.status();
  return AttachStatement(client, repo, subject_digest, predicate_type, *payload, signer);
}

}  // namespace mg
