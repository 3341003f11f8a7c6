// RegistryClient: the OCI distribution API (read side) for one registry host, with token and
// Basic authentication.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "http/http_client.h"
#include "oci/docker_config.h"
#include "oci/upload_dedup.h"
#include "util/json.h"
#include "util/status.h"

namespace mg {

struct ManifestHead {
  bool exists = false;     // false on 404, and only then
  std::string digest;      // Docker-Content-Digest; empty when the registry did not send it
  std::string media_type;  // Content-Type without parameters
  int64_t size = -1;       // Content-Length; -1 when absent
};

struct Manifest {
  std::string digest;      // "sha256:<hex>" of `bytes` (verified)
  std::string media_type;  // Content-Type, else the document's mediaType, else inferred
  std::string bytes;       // exactly as served
  Json json;               // `bytes` parsed
};

// Thread-safe; share one client per registry between tasks (tokens are cached per scope).
// `http` must outlive the client.
//
// Authentication: a request goes out with the cached token for its scope (or Basic credentials
// once the registry asked for Basic). On 401 the WWW-Authenticate challenge is answered once:
// Bearer -> GET <realm>?service=..&scope=.. (with Basic credentials when present; an identity
// token is exchanged by POST grant_type=refresh_token), cached until expiry; Basic -> send the
// credentials. Credentials (Basic, identity token, account name) go to a token realm only over
// https, or over http to the registry's own host (any port) when the registry itself is plain
// http; any other realm is asked anonymously, and a refusal then says the credentials were
// withheld and why. A 401 after that, or a 403, is PermissionDenied with a hint naming the config file.
// 404 is "missing" (exists=false / NotFound) and nothing else is. 429/5xx after the HttpClient's
// retries and transport failures are Unavailable. A digest mismatch or unparsable manifest is
// Corruption. Messages name the URL (credentials removed) and never contain credentials or tokens.
class RegistryClient {
 public:
  // `registry` is "host[:port]" ("docker.io" talks to its API host). `plain_http` uses http://.
  // `credentials_source` names where credentials come from, for hints (default: the default
  // docker config path).
  RegistryClient(HttpClient& http, std::string registry, bool plain_http, std::optional<Credentials> credentials,
                 std::string credentials_source = "");

  // HEAD /v2/<repo>/manifests/<reference> (a tag or a digest).
  Result<ManifestHead> HeadManifest(const std::string& repo, const std::string& reference);
  // GET of the same. Verifies sha256 of the bytes against `reference` when it is a digest and
  // against Docker-Content-Digest when sent. 404: NotFound.
  Result<Manifest> GetManifest(const std::string& repo, const std::string& reference);
  // GET /v2/<repo>/blobs/<digest>, following redirects, verified against `digest`. 404: NotFound.
  Result<std::string> GetBlob(const std::string& repo, const std::string& digest,
                              size_t max_bytes = size_t{64} << 20);

  // Sends `request` with authentication for `repository:<repo>:<actions>` ("pull", "pull,push"),
  // answering one 401 challenge as above. Credentials (a token, Basic) are attached only when
  // `request.url` has the scheme, host and port of base_url() (SameOrigin): a URL on another
  // origin, such as an upload Location the registry named elsewhere or on http for an https
  // registry, is sent as it is, without credentials, and a 401 from it is not answered. Returns the
  // final response whatever its status (the caller maps it, e.g. with ErrorFor). For the write
  // side (uploads, manifest PUT).
  Result<HttpResponse> SendAuthorized(HttpRequest request, const std::string& repo, std::string_view actions);

  // The Status for an unsuccessful response to `request` (see the class comment); a 401 or 403
  // from another origin than base_url()'s says that no credentials were sent there, and why.
  Status ErrorFor(const HttpRequest& request, const HttpResponse& response) const;

  // Blob uploads in progress through this client, to collapse concurrent uploads of one blob into
  // one repository (UploadBlobFile, PushBlob). Thread-safe.
  InFlightUploads& uploads() { return uploads_; }
  // The HTTP client requests go through (for its backoff and cancellable waits).
  HttpClient& http() { return http_; }

  // "https://host[:port]" (or http://) of the registry's API.
  const std::string& base_url() const { return base_url_; }
  const std::string& registry() const { return registry_; }

 private:
  struct Token {
    std::string value;
    std::chrono::steady_clock::time_point expires;
  };
  struct BearerChallenge {
    std::string realm;
    std::string service;
  };

  std::optional<std::string> CachedAuthorization(const std::string& scope);
  Status Authenticate(const HttpResponse& challenge_response, const std::string& scope, const HttpRequest& request);
  Result<Token> FetchToken(const BearerChallenge& bearer, const std::string& scope);
  std::string BasicHeader() const;
  std::string CredentialsHint() const;
  // Why credentials must not be sent to the token realm `realm`, or "" when they may.
  std::string WhyWithhold(const std::string& realm) const;
  Status ValidateRepoAndReference(const std::string& repo, const std::string& reference) const;

  HttpClient& http_;
  const std::string registry_;
  const std::string base_url_;
  const std::optional<Credentials> credentials_;
  const std::string credentials_source_;
  InFlightUploads uploads_;

  mutable std::mutex mu_;
  std::map<std::string, Token> tokens_;    // GUARDED_BY(mu_): scope -> token
  std::optional<BearerChallenge> bearer_;  // GUARDED_BY(mu_): the last Bearer challenge seen
  bool basic_ = false;                     // GUARDED_BY(mu_): the registry asked for Basic
  std::string withheld_;                   // GUARDED_BY(mu_): why credentials were kept from a realm, or ""
};

}  // namespace mg
