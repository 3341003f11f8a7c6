// Streaming an image's layers from a registry into the SBOM scanner, never holding a whole layer.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "oci/registry_client.h"
#include "sbom/byte_reader.h"
#include "sbom/layer_scanner.h"
#include "util/json.h"
#include "util/status.h"

namespace mg {

struct BlobStreamOptions {
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};  // the whole download of one blob
  size_t buffer_bytes = size_t{4} << 20;  // bytes in flight between the download and the consumer
};

// GET /v2/<repo>/blobs/<digest> and hand the body to `consume` as a ByteReader, on the calling
// thread, while a helper thread downloads it (at most options.buffer_bytes buffered between
// them). Bytes are hashed as they arrive; the reader reports end of stream only after the sha256
// and, when expected_size >= 0, the size matched; otherwise its last Read() fails with the
// Corruption below, so a consumer never completes on bytes that are not the blob. When `consume`
// returns OK before the end, the rest is still downloaded and verified (not buffered). When it
// fails, the download is stopped.
// Errors: InvalidArgument (repository name or digest), NotImplemented (a digest other than
// sha256), Corruption (digest or size mismatch, more bytes than expected_size), the registry
// client's errors (PermissionDenied, NotFound, Unavailable...), Internal (no thread); else
// what `consume` returned. Thread-safe as RegistryClient is.
Status StreamBlob(RegistryClient& client, const std::string& repo, const std::string& digest, int64_t expected_size,
                  const std::function<Status(ByteReader&)>& consume, const BlobStreamOptions& options = {});

// Streams each layer of `manifest` (an OCI or Docker v2 image manifest, parsed) into `scanner`,
// base layer first, labelled with its digest. Layer media types accepted: OCI
// "application/vnd.oci.image.layer.v1.tar[+gzip|+zstd]" and Docker
// "application/vnd.docker.image.rootfs.diff.tar[.gzip]". Errors: InvalidArgument (no "layers",
// a descriptor without digest, another media type: not a container image), NotImplemented
// (foreign / non-distributable layers), StreamBlob's and the scanner's errors.
Status ScanManifestLayers(RegistryClient& client, const std::string& repo, const Json& manifest, LayerScanner& scanner,
                          const BlobStreamOptions& options = {});

// GET the image manifest `manifest_digest` (a platform manifest, not an index) of `repo`, scan
// its layers and Finish(). Errors: InvalidArgument (an index: scan each platform's manifest),
// GetManifest's and ScanManifestLayers' errors.
Result<ScanResult> ScanImage(RegistryClient& client, const std::string& repo, const std::string& manifest_digest,
                             const ScanOptions& scan_options = {}, const BlobStreamOptions& options = {});

}  // namespace mg
