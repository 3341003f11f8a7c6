// Uploading a blob from a file: skip when present, cross-repository mount, monolithic or chunked
// upload, with the content's sha256 checked before the upload is committed.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "oci/registry_client.h"
#include "util/status.h"

namespace mg {

struct BlobUploadOptions {
  size_t chunk_size = 8 << 20;          // blobs larger than this go up in PATCH chunks of this size
  std::vector<std::string> mount_from;  // other repositories on the same registry to try mounting from first
};

// How UploadBlobFile got the blob into the repository (for logs and benchmarks).
enum class BlobUploadPath {
  kAlreadyPresent,
  kMounted,
  kMonolithic,
  kChunked,
  kJoined,  // another upload of this blob to this repository, in this process, put it there
};

// "already-present", "mounted", "monolithic", "chunked", "joined".
const char* BlobUploadPathName(BlobUploadPath path);

// Uploads the file `path` as blob `digest` (sha256 only) of `repo`:
//  1. The file must be a readable regular file (else IOError, before any request); `repo`, the
//     `mount_from` names and `digest` are validated (InvalidArgument / NotImplemented) and
//     chunk_size must be > 0 (InvalidArgument).
//  -  Steps 2-5 run through client.uploads(): while another thread uploads `digest` to `repo`
//     through the same client, this call waits for it and returns kJoined when it succeeded
//     (nothing sent), or does steps 2-5 itself when it failed.
//  2. HEAD /v2/<repo>/blobs/<digest>: present -> kAlreadyPresent; the file is not read.
//  3. For each of `mount_from` (in order; `repo` itself is skipped): MountBlob. 201 -> kMounted.
//     202 -> that session is cancelled and the next is tried. Any error but Unavailable is also
//     passed over (the upload below reports what really stops the push); Unavailable is returned.
//  4. size <= chunk_size: the file is read whole and its sha256 checked (mismatch: Corruption,
//     nothing sent), then POST /v2/<repo>/blobs/uploads/ and PUT <Location>&digest= with the
//     bytes -> kMonolithic.
//  5. Otherwise POST, then PATCH chunks of max(chunk_size, the POST's OCI-Chunk-Min-Length) bytes
//     (Content-Type application/octet-stream, Content-Range "<first>-<last>" inclusive, 202
//     expected), each to the Location of the previous answer; a Range header in an answer must
//     read "0-<last>" (else Corruption). An OCI-Chunk-Min-Length above 256 MiB is
//     FailedPrecondition naming the value and the POST's URL, the session cancelled before
//     anything is read. The file is streamed: one chunk in memory at a time. The
//     sha256 computed while reading must equal `digest` before the closing PUT <Location>&digest=
//     with an empty body -> kChunked. A mismatch (Corruption), a file that changed size, or any
//     failure after the POST cancels the session (DELETE <Location>, best effort).
// A Docker-Content-Digest in the closing 201 other than `digest` is Corruption. Registry failures
// map as in push.h (PermissionDenied, NotFound, Unavailable, FailedPrecondition); messages name
// the file and the blob. Thread-safe as far as `client` is.
Result<BlobUploadPath> UploadBlobFile(RegistryClient& client, const std::string& repo, const std::string& digest,
                                      const std::string& path, const BlobUploadOptions& options);

}  // namespace mg
