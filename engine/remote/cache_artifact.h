// The remote cache's artifact in a registry (docs/cache.md, "Artifact format"): one OCI image
// manifest per task key, tagged mgc1-<key>, whose single layer is the entry document
// (exec/remote_entry.h).
//
//   {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
//    "artifactType":"application/vnd.mirrorgraph.cache.v1+json",
//    "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136f…","size":2,"data":"e30="},
//    "layers":[{"mediaType":"application/vnd.mirrorgraph.cache.entry.v1+json","digest":…,"size":…}],
//    "annotations":{"dev.mirrorgraph.cache.key":…,"dev.mirrorgraph.cache.task":…,
//                   "dev.mirrorgraph.engine.version":…,"dev.mirrorgraph.cache.format":"1"}}
//
// Pure functions: no I/O, thread-safe, never throw (manifests are read with util/json.h's typed
// accessors).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/json.h"
#include "util/status.h"

namespace mg {

inline constexpr char kCacheArtifactType[] = "application/vnd.mirrorgraph.cache.v1+json";
inline constexpr char kCacheEntryMediaType[] = "application/vnd.mirrorgraph.cache.entry.v1+json";
inline constexpr char kOciEmptyMediaType[] = "application/vnd.oci.empty.v1+json";
inline constexpr char kOciEmptyJson[] = "{}";
inline constexpr char kCacheTagPrefix[] = "mgc1-";
// Entry documents larger than this are refused on write and on read (results are small JSON).
inline constexpr size_t kMaxCacheEntryBytes = size_t{4} << 20;

// "mgc1-<key>": 69 characters of the tag grammar [A-Za-z0-9_][A-Za-z0-9._-]{0,127}.
std::string CacheTag(std::string_view key);

struct CacheArtifact {
  std::string layer;         // the entry document (canonical JSON)
  std::string layer_digest;  // "sha256:<hex>" of `layer`
  std::string manifest;      // the OCI image manifest (canonical JSON)
};

// The artifact for `entry_text` (an entry's canonical JSON) of task `id` under `key`.
// InvalidArgument when `entry_text` is not a JSON object or the document exceeds
// kMaxCacheEntryBytes.
Result<CacheArtifact> EncodeCacheArtifact(std::string_view key, std::string_view id, std::string_view entry_text,
                                          std::string_view engine_version);

// The digest of the entry layer of a manifest read under a cache tag: checks the media type (OCI
// image manifest), artifactType (or, from a registry that drops it, the config's media type
// being the empty descriptor's), exactly one layer of kCacheEntryMediaType with a sha256 digest and
// a size within kMaxCacheEntryBytes, and the format annotation when present. Corruption, or
// NotImplemented for another artifact or format version, saying what is wrong in a few words.
Result<std::string> CacheEntryLayerDigest(const Json& manifest, std::string_view media_type);

}  // namespace mg
