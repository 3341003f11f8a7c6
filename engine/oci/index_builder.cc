#include "oci/index_builder.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "oci/media_types.h"
#include "oci/platform.h"
#include "oci/reference.h"

namespace mg {

std::string IndexMediaTypeFor(std::string_view manifest_media_type) {
  if (manifest_media_type == kMediaTypeOciManifest) return kMediaTypeOciIndex;
  if (manifest_media_type == kMediaTypeDockerManifest) return kMediaTypeDockerManifestList;
  return "";
}

Result<std::string> BuildIndex(const std::vector<PlatformManifest>& manifests, const Json& annotations) {
  if (manifests.empty()) return Status::InvalidArgument("an image index needs at least one manifest");
  const std::string index_type = IndexMediaTypeFor(manifests.front().media_type);
  if (index_type.empty()) {
    return Status::InvalidArgument("not an image manifest media type: '" + manifests.front().media_type + "'");
  }
  std::vector<const PlatformManifest*> sorted;
  std::set<std::string> seen;
  for (const PlatformManifest& m : manifests) {
    const std::string platform = FormatPlatform(m.os, m.architecture, m.variant);
    if (m.media_type != manifests.front().media_type) {
      return Status::InvalidArgument("mixed manifest media types in one index: " + manifests.front().media_type +
                                     " and " + m.media_type + " (" + platform + ")");
    }
    if (!IsValidDigest(m.digest)) {
      return Status::InvalidArgument("invalid manifest digest '" + m.digest + "' (" + platform + ")");
    }
    if (m.size <= 0) return Status::InvalidArgument("manifest " + m.digest + " has no size");
    if (m.os.empty() || m.architecture.empty()) {
      return Status::InvalidArgument("manifest " + m.digest + " lacks os or architecture");
    }
    if (!seen.insert(NormalizePlatform(platform)).second) {
      return Status::InvalidArgument("two manifests for platform " + platform);
    }
    sorted.push_back(&m);
  }
  std::sort(sorted.begin(), sorted.end(), [](const PlatformManifest* a, const PlatformManifest* b) {
    return std::tie(a->os, a->architecture, a->variant, a->digest) <
           std::tie(b->os, b->architecture, b->variant, b->digest);
  });

  Json doc = Json::object();
  doc["schemaVersion"] = 2;
  doc["mediaType"] = index_type;
  Json entries = Json::array();
  for (const PlatformManifest* m : sorted) {
    Json platform = {{"os", m->os}, {"architecture", m->architecture}};
    if (!m->variant.empty()) platform["variant"] = m->variant;
    entries.push_back({{"mediaType", m->media_type}, {"digest", m->digest}, {"size", m->size}, {"platform", platform}});
  }
  doc["manifests"] = std::move(entries);

  if (!annotations.is_null()) {
    if (!annotations.is_object()) return Status::InvalidArgument("index annotations must be a JSON object");
    for (const auto& [key, value] : annotations.items()) {
      if (!value.is_string()) {
        return Status::InvalidArgument("index annotation '" + key + "' must be a string");
      }
    }
    if (!annotations.empty()) {
      if (index_type != kMediaTypeOciIndex) {
        return Status::InvalidArgument("a Docker manifest list cannot carry annotations; use OCI manifests");
      }
      doc["annotations"] = annotations;
    }
  }
  return CanonicalJson(doc);
}

Result<PlatformManifest> DescribePlatformManifest(RegistryClient& client, const std::string& repo,
                                                  const std::string& digest) {
  if (!IsValidDigest(digest)) return Status::InvalidArgument("invalid manifest digest '" + digest + "'");
  Result<Manifest> m = client.GetManifest(repo, digest);
  if (!m.ok()) return m.status();
  const std::string where = client.registry() + "/" + repo + "@" + digest;
  if (!IsManifestMediaType(m->media_type)) {
    return Status::InvalidArgument(where + " is not a single-platform image manifest (" + m->media_type + ")");
  }
  std::optional<std::string> config_digest = OptStringField(ObjectField(m->json, "config"), "digest");
  if (!config_digest) return Status::Corruption(where + ": the manifest has no config digest");
  Result<std::string> blob = client.GetBlob(repo, *config_digest, size_t{4} << 20);
  if (!blob.ok()) return blob.status();
  std::string error;
  Json cfg = ParseJson(*blob, &error);
  if (cfg.is_discarded() || !cfg.is_object()) {
    return Status::Corruption(where + ": the config is not a JSON object" + (error.empty() ? "" : ": " + error));
  }
  PlatformManifest out;
  out.digest = m->digest;
  out.size = static_cast<int64_t>(m->bytes.size());
  out.media_type = m->media_type;
  out.os = StringField(cfg, "os");
  out.architecture = StringField(cfg, "architecture");
  out.variant = StringField(cfg, "variant");
  out.manifest_text = m->bytes;
  out.config_created = StringField(cfg, "created");
  if (out.os.empty() || out.architecture.empty()) {
    return Status::Corruption(where + ": the config lacks os or architecture");
  }
  return out;
}

}  // namespace mg
