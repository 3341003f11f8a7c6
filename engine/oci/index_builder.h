// Building a multi-platform image index (OCI) or manifest list (Docker) from pushed manifests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "oci/registry_client.h"
#include "util/json.h"
#include "util/status.h"

namespace mg {

// One single-platform image manifest as an index entry.
struct PlatformManifest {
  std::string digest;      // "sha256:<hex>" of the manifest bytes
  int64_t size = 0;        // byte length of the manifest
  std::string media_type;  // kMediaTypeOciManifest or kMediaTypeDockerManifest
  std::string os;          // "linux"
  std::string architecture;  // "amd64"
  std::string variant;     // "v8"; empty when none
  // What DescribePlatformManifest read beside the entry, for the merge result (the attestation
  // tasks use it instead of reading it again); not part of the index:
  std::string manifest_text;   // the manifest's bytes, as served (their SHA-256 is `digest`)
  std::string config_created;  // the config's "created" as written; empty when it has none
};

// The canonical bytes (CanonicalJson: sorted keys, no whitespace) of
//   {"schemaVersion":2,"mediaType":<index type>,"manifests":[...],"annotations":{...}}
// - All entries OCI image manifests -> an OCI image index; all Docker v2 manifests -> a Docker
//   manifest list. Mixed or other media types: InvalidArgument.
// - Entries are sorted by os, architecture, variant (then digest), each
//   {"mediaType","digest","size","platform":{"os","architecture"[,"variant"]}}, so equal inputs
//   in any order give equal bytes.
// - `annotations`: null or an object of string values; a non-empty object is written on the OCI
//   index; a Docker manifest list has no annotations field, so a non-empty object there is
//   InvalidArgument. Anything else is InvalidArgument.
// - No entries, an invalid digest, size <= 0, empty os/architecture, or two entries for the same
//   platform (after NormalizePlatform): InvalidArgument.
// The index's media type is the one the entries imply: IndexMediaTypeFor(manifests[0].media_type).
Result<std::string> BuildIndex(const std::vector<PlatformManifest>& manifests, const Json& annotations);

// kMediaTypeOciIndex for an OCI manifest, kMediaTypeDockerManifestList for a Docker v2 manifest,
// "" otherwise.
std::string IndexMediaTypeFor(std::string_view manifest_media_type);

// GETs the image manifest `digest` of `repo` and its config blob; fills the entry from the
// manifest (digest, size, media type, its bytes) and the config's os/architecture/variant and
// "created". An index at
// `digest`: InvalidArgument. A config without os or architecture: Corruption. Errors of the
// client are returned as they are.
Result<PlatformManifest> DescribePlatformManifest(RegistryClient& client, const std::string& repo,
                                                  const std::string& digest);

}  // namespace mg
