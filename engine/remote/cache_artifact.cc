#include "remote/cache_artifact.h"

#include "exec/remote_entry.h"
#include "util/sha256.h"

namespace mg {
namespace {
constexpr char kOciManifest[] = "application/vnd.oci.image.manifest.v1+json";
}  // namespace

std::string CacheTag(std::string_view key) { return kCacheTagPrefix + std::string(key); }

Result<CacheArtifact> EncodeCacheArtifact(std::string_view key, std::string_view id, std::string_view entry_text,
                                          std::string_view engine_version) {
  Json entry = ParseJson(entry_text);
  if (entry.is_discarded() || !entry.is_object()) {
    return Status::InvalidArgument("cache entry of " + std::string(id) + " is not a JSON object");
  }
  CacheArtifact a;
  a.layer = EncodeRemoteEntry(key, id, entry);
  if (a.layer.size() > kMaxCacheEntryBytes) {
    return Status::InvalidArgument("cache entry of " + std::string(id) + " is " + std::to_string(a.layer.size()) +
                                   " bytes, more than the remote cache's limit of " +
                                   std::to_string(kMaxCacheEntryBytes));
  }
  a.layer_digest = Sha256Digest(a.layer);
  Json manifest{
      {"schemaVersion", 2},
      {"mediaType", kOciManifest},
      {"artifactType", kCacheArtifactType},
      {"config",
       {{"mediaType", kOciEmptyMediaType}, {"digest", Sha256Digest(kOciEmptyJson)}, {"size", 2}, {"data", "e30="}}},
      {"layers", Json::array({{{"mediaType", kCacheEntryMediaType},
                               {"digest", a.layer_digest},
                               {"size", static_cast<int64_t>(a.layer.size())}}})},
      {"annotations",
       {{"dev.mirrorgraph.cache.key", std::string(key)},
        {"dev.mirrorgraph.cache.task", std::string(id)},
        {"dev.mirrorgraph.cache.format", std::to_string(kRemoteEntryFormat)},
        {"dev.mirrorgraph.engine.version", std::string(engine_version)}}}};
  a.manifest = CanonicalJson(manifest);
  return a;
}

Result<std::string> CacheEntryLayerDigest(const Json& manifest, std::string_view media_type) {
  if (media_type != kOciManifest) {
    return Status::Corruption("not a cache artifact: media type " + (media_type.empty() ? std::string("(none)") : std::string(media_type)));
  }
  const std::string artifact_type = StringField(manifest, "artifactType");
  const std::string config_type = StringField(ObjectField(manifest, "config"), "mediaType");
  if (!artifact_type.empty() && artifact_type != kCacheArtifactType) {
    return artifact_type.rfind("application/vnd.mirrorgraph.cache.", 0) == 0
               ? Status::NotImplemented("other artifact version " + artifact_type + " (this engine reads " +
                                        kCacheArtifactType + ")")
               : Status::Corruption("not a cache artifact: artifactType " + artifact_type);
  }
  if (artifact_type.empty() && config_type != kCacheArtifactType) {
    return Status::Corruption("not a cache artifact: no artifactType and config media type " +
                              (config_type.empty() ? std::string("(none)") : config_type));
  }
  if (const Json* format = FindField(ObjectField(manifest, "annotations"), "dev.mirrorgraph.cache.format");
      format != nullptr && StringOr(*format) != std::to_string(kRemoteEntryFormat)) {
    return Status::NotImplemented("other format version " + StringOr(*format, "(not a string)") +
                                  " (this engine reads " + std::to_string(kRemoteEntryFormat) + ")");
  }
  const Json& layers = ArrayField(manifest, "layers");
  if (layers.size() != 1) return Status::Corruption("damaged: " + std::to_string(layers.size()) + " layers, not 1");
  const Json& layer = layers[0];
  if (StringField(layer, "mediaType") != kCacheEntryMediaType) {
    return Status::Corruption("damaged: the layer's media type is " + StringField(layer, "mediaType", "(none)"));
  }
  const std::string digest = StringField(layer, "digest");
  if (digest.size() != 71 || digest.rfind("sha256:", 0) != 0 ||
      digest.find_first_not_of("0123456789abcdef", 7) != std::string::npos) {
    return Status::Corruption("damaged: the layer has no valid sha256 digest");
  }
  std::optional<int64_t> size = IntField(layer, "size");
  if (!size || *size < 0 || static_cast<uint64_t>(*size) > kMaxCacheEntryBytes) {
    return Status::Corruption("damaged: the layer's size is missing or over " + std::to_string(kMaxCacheEntryBytes));
  }
  return digest;
}

}  // namespace mg
