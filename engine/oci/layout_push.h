// Pushing the image of an OCI image layout directory (what `buildah bud --tag oci:DIR` or `buildah
// push IMAGE oci:DIR` writes) to a registry by digest.
#pragma once

#include <cstdint>
#include <string>

#include "oci/blob_upload.h"
#include "oci/registry_client.h"
#include "util/status.h"

namespace mg {

struct PushedManifest {
  std::string digest;      // "sha256:<hex>" of the manifest bytes
  std::string media_type;  // kMediaTypeOciManifest or kMediaTypeDockerManifest
  int64_t size = 0;        // byte length of the manifest
};

// Pushes the single image manifest of the OCI image layout `layout_dir` to `repo` by digest:
//  1. Reads the layout before any request: `oci-layout` must hold an "imageLayoutVersion";
//     `index.json` must list exactly one manifest, an image manifest (OCI or Docker v2; a nested
//     index or anything else is InvalidArgument). The manifest blob must match the entry's digest
//     and size (Corruption) and be a JSON object with a config and layers whose media type agrees
//     with the entry's. Every blob it names must be a file blobs/<alg>/<hex> of the descriptor's
//     size (missing: NotFound; another size: Corruption). Only sha256 (else NotImplemented).
//  2. Uploads the config, then the layers in manifest order (a digest listed twice goes up
//     once), each with UploadBlobFile and `options` (present blobs are skipped, mounts tried,
//     each file's sha256 verified against its descriptor's digest before it is committed).
//  3. PUTs the manifest bytes unchanged under their digest (PutManifest; when the registry
//     refuses it for a blob it lacks or is committing, blobs it lacks are uploaded again from the
//     layout before the next attempt).
// Tags nothing. Errors are prefixed "push OCI layout <dir> to <registry>/<repo>" and name the
// blob (digest and file) they concern. Layout files are read, never written. Thread-safe as far
// as `client` is.
Result<PushedManifest> PushOciLayout(RegistryClient& client, const std::string& repo, const std::string& layout_dir,
                                     const BlobUploadOptions& options);

}  // namespace mg
