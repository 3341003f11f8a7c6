// The write side of the distribution API: blob uploads, cross-repository mounts, manifest PUTs.
#pragma once

#include <string>
#include <string_view>

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

// PUT /v2/<repo>/manifests/<reference> (a tag or a digest) with Content-Type `media_type` and
// `bytes` exactly. Preconditions checked before sending (InvalidArgument): `bytes` is a JSON
// object whose "mediaType", when present, equals `media_type`; a digest `reference` equals the
// sha256 of `bytes`. After the 201 the registry's Docker-Content-Digest, when sent, must equal the
// sha256 of `bytes` (else Corruption). Returns that digest, "sha256:<hex>".
Result<std::string> PutManifest(RegistryClient& client, const std::string& repo, const std::string& reference,
                                std::string_view bytes, std::string_view media_type);

}  // namespace mg
