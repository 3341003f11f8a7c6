// The building blocks of a blob upload session (distribution spec, "Pushing blobs"), shared by
// PushBlob/MountBlob (push.h) and UploadBlobFile (blob_upload.h). Not meant for other callers:
// use those functions instead.
//
// Every request authenticates for `repository:<repo>:pull,push` through
// RegistryClient::SendAuthorized (credentials only to the registry's own origin); failures map
// through RegistryClient::ErrorFor. Requests to a session's Location carry
// HttpRequest::redact_query: no message or log shows the registry's `_state` query. Thread-safe as
// far as `client` is (it is).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "oci/registry_client.h"
#include "util/status.h"

namespace mg {

inline constexpr char kPushActions[] = "pull,push";

// InvalidArgument for a repository name the spec refuses.
Status CheckPushRepo(const RegistryClient& client, const std::string& repo);
// InvalidArgument for an invalid digest, NotImplemented for anything but sha256.
Status CheckPushDigest(const std::string& digest);

// The absolute URL of a Location header, which may be relative to the registry's base URL. It
// may name another origin: RegistryClient::SendAuthorized sends no credentials there.
std::string ResolveUploadLocation(const RegistryClient& client, const std::string& location);
// `url` with `param` ("k=v", already encoded) appended to its query.
std::string WithQueryParam(const std::string& url, const std::string& param);
// The timeout for a request carrying `body_bytes`: 60 s plus one second per 256 KiB.
std::chrono::milliseconds TimeoutForBody(size_t body_bytes);

// HEAD /v2/<repo>/blobs/<digest>: true on 200, false on 404, an error otherwise.
Result<bool> BlobExists(RegistryClient& client, const std::string& repo, const std::string& digest);

struct UploadSession {
  std::string location;     // absolute URL of the session (the last Location the registry sent)
  // OCI-Chunk-Min-Length of the POST response as the registry sent it (UINT64_MAX for a number
  // beyond it); 0 when absent or not a number. Unbounded: a caller that sizes chunks by it caps it.
  uint64_t min_chunk = 0;
};

// POST /v2/<repo>/blobs/uploads/ with an empty body; 202 with a Location expected (202 without
// one: FailedPrecondition).
Result<UploadSession> StartUpload(RegistryClient& client, const std::string& repo);

// Closes the session: PUT <location>&digest=<digest> with `body` (the whole blob, the last chunk,
// or nothing after PATCHes); 201 expected. A Docker-Content-Digest answer other than `digest` is
// Corruption. When the PUT fails (but was not cancelled), a HEAD of the blob decides: present
// means its answer was lost after the commit, and is OK; else the PUT's error is returned.
Status FinishUpload(RegistryClient& client, const std::string& repo, const std::string& digest,
                    const std::string& location, std::string body);

// DELETE <location>, best effort: failures are ignored (the registry expires sessions anyway).
void CancelUpload(RegistryClient& client, const std::string& repo, const std::string& location);

}  // namespace mg
