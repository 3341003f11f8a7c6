#include "tasks/attest_common.h"

#include "oci/media_types.h"
#include "oci/platform.h"
#include "oci/reference.h"
#include "sign/signer_cache.h"
#include "util/sha256.h"

namespace mg {

std::string CachedSigner(const Json& cached) {
  return StringField(cached, "signer", StringField(cached, "public_key_sha256"));
}

void AddSignerFields(const Signer& signer, Json* result) {
  (*result)["signer"] = signer.Identity();
  if (const auto* key = dynamic_cast<const KeySigner*>(&signer)) (*result)["public_key_sha256"] = key->public_key().Fingerprint();
}

Result<std::shared_ptr<Signer>> AttestSigner(const AttestSettings& settings) {
  if (settings.keyless) {
    Result<std::shared_ptr<KeylessSigner>> signer = settings.keyless->Get();
    if (!signer.ok()) return signer.status().WithContext("keyless signing ([attestations] signer = \"keyless\")");
    return std::shared_ptr<Signer>(std::move(signer.value()));
  }
  if (settings.key.empty()) {
    return Status::FailedPrecondition(
        "no signing key configured: set [attestations] key = \"/path/to/cosign.key\" in mirror.toml (make a "
        "pair with `COSIGN_PASSWORD=... mirrorgraph keygen --output-key-prefix /path/to/cosign`, or use "
        "one from `cosign generate-key-pair`), or turn the attestations off with [attestations] sign, sbom "
        "and provenance = false");
  }
  if (settings.key.find("://") != std::string::npos) {
    return Status::NotImplemented("[attestations] key = \"" + settings.key +
                                  "\": key references (KMS, hardware keys) are not supported yet; name a "
                                  "private key file");
  }
  KeyPassphrase passphrase = settings.passphrase_file.empty() ? KeyPassphrase::Environment()
                                                              : KeyPassphrase::File(settings.passphrase_file);
  Result<std::shared_ptr<KeySigner>> signer = SharedKeySigner(settings.key, passphrase);
  if (!signer.ok()) return signer.status().WithContext("loading the signing key ([attestations] key)");
  return std::shared_ptr<Signer>(std::move(signer.value()));
}

std::vector<AttestSubject> AttestTarget::All() const {
  std::vector<AttestSubject> all = {{"", index_digest, nullptr}};
  all.insert(all.end(), platforms.begin(), platforms.end());
  return all;
}

std::shared_ptr<const RecordedManifest> RecordedManifestOf(const Json& merge_entry) {
  const std::optional<std::string> text = OptStringField(merge_entry, "manifest");
  const std::optional<std::string> created = OptStringField(merge_entry, "config_created");
  if (!text || !created || Sha256Digest(*text) != StringField(merge_entry, "digest")) return nullptr;
  Json parsed = ParseJson(*text);
  if (parsed.is_discarded() || !parsed.is_object()) return nullptr;
  return std::make_shared<const RecordedManifest>(
      RecordedManifest{std::move(parsed), StringField(merge_entry, "media_type"), *created});
}

namespace {

Result<AttestTarget> FromMergeResult(AttestTarget target, const Json& merge) {
  target.index_digest = StringField(merge, "digest");
  target.index_media_type = StringField(merge, "media_type");
  if (!IsValidDigest(target.index_digest)) {
    return Status::Corruption("the merge result of " + target.repository + ":" + target.version +
                              " names no valid index digest");
  }
  {
    for (const Json& m : ArrayField(merge, "manifests")) {
      AttestSubject s{StringField(m, "platform"), StringField(m, "digest"), RecordedManifestOf(m)};
      if (!IsValidDigest(s.digest)) {
        return Status::Corruption("the merge result of " + target.repository + ":" + target.version +
                                  " has a platform entry without a valid digest");
      }
      target.platforms.push_back(std::move(s));
    }
  }
  return target;
}

}  // namespace

Result<AttestTarget> ResolveAttestTarget(const TaskContext& ctx, RegistryClient& registry) {
  const Json p = ctx.task.Params();
  AttestTarget target;
  target.repository = StringField(p, "repository");
  target.version = StringField(p, "version");
  if (ctx.inputs.is_object()) {
    for (const auto& [id, result] : ctx.inputs.items()) {
      if (id.rfind("merge:", 0) == 0 && result.is_object() && result.contains("digest")) {
        target.merge_result = &result;
        return FromMergeResult(std::move(target), result);
      }
    }
  }
  const std::string where = registry.registry() + "/" + target.repository + ":" + target.version;
  Result<Manifest> m = registry.GetManifest(target.repository, target.version);
  if (!m.ok()) {
    if (m.status().code() == Status::Code::kNotFound) {
      return Status::FailedPrecondition(where + " does not exist: there is no image to attest (did its merge run?)");
    }
    return m.status().WithContext("resolving " + where);
  }
  target.index_digest = m->digest;
  target.index_media_type = m->media_type;
  if (IsManifestMediaType(m->media_type)) return target;
  const Json* entries = FindField(m->json, "manifests");
  if (!IsIndexMediaType(m->media_type) || entries == nullptr || !entries->is_array()) {
    return Status::FailedPrecondition(where + " holds a " + m->media_type + ", not an image or an index");
  }
  for (const Json& e : *entries) {
    const std::string digest = StringField(e, "digest");
    if (!IsValidDigest(digest)) return Status::Corruption(where + ": an index entry has no valid digest");
    const Json& platform = ObjectField(e, "platform");
    const std::string os = StringField(platform, "os"), arch = StringField(platform, "architecture");
    if (os == "unknown" && arch == "unknown") continue;  // buildx attestation manifests
    target.platforms.push_back({FormatPlatform(os, arch, StringField(platform, "variant")), digest, nullptr});
  }
  return target;
}

std::string DescribeSubject(const std::string& platform, const std::string& digest) {
  return digest + (platform.empty() ? " (index)" : " (" + platform + ")");
}

}  // namespace mg
