// The write side of the distribution API: blob uploads, cross-repository mounts, manifest PUTs.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/registry_client.h"
#include "util/status.h"

namespace mg {

// Every function here is thread-safe as far as `client` is (it is), authenticates for the scope
// `repository:<repo>:pull,push` and maps failures like the read side: 401 after the challenge or
// 403 -> PermissionDenied, 404 -> NotFound, 429/5xx -> Unavailable, other statuses ->
// FailedPrecondition; invalid names or digests -> InvalidArgument before any request. Only sha256
// digests are supported (others: NotImplemented).

// Uploads `bytes` as the blob `digest` of `repo`, monolithically: HEAD the blob first and return
// OK without uploading when it is present; otherwise POST /v2/<repo>/blobs/uploads/ then PUT
// <Location>&digest=<digest> with the whole body (201 expected). The sha256 of `bytes` is checked
// against `digest` before anything is sent (mismatch: InvalidArgument, nothing sent). Idempotent.
// Concurrent calls for one blob and repository through one client send it once
// (client.uploads(), oci/upload_dedup.h).
// The whole blob is held in memory: meant for configs, manifests' layers of modest size.
Status PushBlob(RegistryClient& client, const std::string& repo, const std::string& digest, std::string_view bytes);

enum class MountOutcome {
  kMounted,     // 201: the blob is now in `repo`
  kNotMounted,  // 202: the registry declined (e.g. no read access to `from_repo`); upload it instead
};

// POST /v2/<repo>/blobs/uploads/?mount=<digest>&from=<from_repo>. On 202 the upload session the
// registry opened is cancelled (best effort, DELETE) and kNotMounted is returned: falling back to
// PushBlob is the caller's job. Both repositories are on `client`'s registry.
Result<MountOutcome> MountBlob(RegistryClient& client, const std::string& repo, const std::string& digest,
                               const std::string& from_repo);

struct ManifestPutOptions {
  // PUTs in all while the registry answers 400 with MANIFEST_BLOB_UNKNOWN, BLOB_UNKNOWN or
  // DIGEST_INVALID (see PutManifest). At least 1.
  int max_attempts = 5;
  // Uploads again the blobs (digests) that the re-check found missing, before the next PUT. Null:
  // a missing blob ends the PUT at once (FailedPrecondition naming it).
  std::function<Status(const std::vector<std::string>& missing)> reupload;
};

// PUT /v2/<repo>/manifests/<reference> (a tag or a digest) with Content-Type `media_type` and
// `bytes` exactly. Preconditions checked before sending (InvalidArgument): `bytes` is a JSON
// object whose "mediaType", when present, equals `media_type`; a digest `reference` equals the
// sha256 of `bytes`. After the 201 the registry's Docker-Content-Digest, when sent, must equal the
// sha256 of `bytes` (else Corruption). Returns that digest, "sha256:<hex>".
//
// A 400 naming MANIFEST_BLOB_UNKNOWN, BLOB_UNKNOWN or DIGEST_INVALID is often a registry's race
// with a concurrent upload of a referenced blob (oci/upload_dedup.h), so it is retried, up to
// options.max_attempts PUTs: each time the references are re-checked first (HEAD of the config
// and layer blobs of an image manifest, of the manifests of an index); missing ones go to
// options.reupload (without it: FailedPrecondition naming them); then a backoff (the client's
// HttpClient::Backoff, cancellable) and the PUT again. The last refusal is returned with the
// number of attempts and the registry's error codes.
Result<std::string> PutManifest(RegistryClient& client, const std::string& repo, const std::string& reference,
                                std::string_view bytes, std::string_view media_type,
                                const ManifestPutOptions& options = {});

}  // namespace mg
