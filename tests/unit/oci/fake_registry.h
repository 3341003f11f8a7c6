// FakeRegistry: an in-memory OCI distribution registry behind a FakeTransport, for unit tests of
// the registry client and of anything built on it. Serves https://reg.example with optional
// Bearer (token realm https://auth.example/token) or Basic auth.
#pragma once

#include <atomic>
#include <map>
#include <set>
#include <string>

#include "http/base64.h"
#include "unit/http/fake_transport.h"
#include "util/json.h"
#include "util/sha256.h"

namespace mg::testing {

class FakeRegistry {
 public:
  enum class Auth { kNone, kBearer, kBasic };
  static constexpr const char* kHost = "reg.example";
  static constexpr const char* kRealm = "https://auth.example/token";

  Auth auth = Auth::kNone;
  std::string user = "alice";
  std::string password = "s3cret-pw";
  std::string identity_token;  // when set, the token endpoint accepts this refresh token (POST)
  // Status forced for every request whose URL contains the key (e.g. {"/manifests/", 500}).
  std::map<std::string, int> forced_status;
  // When set, served as the manifest body instead of the stored bytes (to test verification).
  std::string tamper_manifest_body;

  FakeRegistry() {
    transport.handler = [this](const HttpRequest& r) { return Handle(r); };
  }

  // Stores a manifest under its digest and (when non-empty) a tag; returns the digest.
  std::string PutManifest(const std::string& repo, const std::string& tag, const std::string& media_type,
                          const std::string& bytes) {
    std::string digest = Sha256Digest(bytes);
    manifests_[repo + "@" + digest] = {media_type, bytes};
    if (!tag.empty()) manifests_[repo + ":" + tag] = {media_type, bytes};
    return digest;
  }
  std::string PutBlob(const std::string& repo, const std::string& bytes) {
    std::string digest = Sha256Digest(bytes);
    blobs_[repo + "@" + digest] = bytes;
    return digest;
  }

  // Counts of requests by kind.
  int count(const std::string& method, const std::string& url_part) const {
    int n = 0;
    for (const HttpRequest& r : transport.requests()) {
      if (r.method == method && r.url.find(url_part) != std::string::npos) ++n;
    }
    return n;
  }

  FakeTransport transport;

 private:
  struct Stored {
    std::string media_type;
    std::string bytes;
  };

  static std::string PathOf(const std::string& url) {
    size_t scheme = url.find("://");
    size_t slash = url.find('/', scheme + 3);
    return slash == std::string::npos ? "/" : url.substr(slash);
  }

  std::string BasicValue() const { return "Basic " + Base64Encode(user + ":" + password); }

  Result<HttpResponse> Handle(const HttpRequest& r) {
    if (r.url.rfind(kRealm, 0) == 0) return Token(r);
    for (const auto& [part, status] : forced_status) {
      if (r.url.find(part) != std::string::npos) return MakeResponse(status, {}, R"({"errors":[{"code":"FORCED"}]})");
    }
    const std::string path = PathOf(r.url);
    const std::string authz = RequestHeader(r, "Authorization");
    // /v2/<repo>/(manifests|blobs)/<ref>
    std::string repo, kind, ref;
    if (path.rfind("/v2/", 0) == 0) {
      for (const char* k : {"/manifests/", "/blobs/"}) {
        size_t at = path.find(k);
        if (at != std::string::npos) {
          repo = path.substr(4, at - 4);
          kind = k;
          ref = path.substr(at + std::string(k).size());
        }
      }
    }
    if (auth == Auth::kBearer && authz != "Bearer tok-good") {
      return MakeResponse(401,
                          {{"WWW-Authenticate", std::string("Bearer realm=\"") + kRealm +
                                                    "\",service=\"reg.example\",scope=\"repository:" + repo + ":pull\""}},
                          R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})");
    }
    if (auth == Auth::kBasic && authz != BasicValue()) {
      return MakeResponse(401, {{"WWW-Authenticate", "Basic realm=\"fake\""}},
                          R"({"errors":[{"code":"UNAUTHORIZED"}]})");
    }
    if (kind == "/manifests/") {
      std::string key = repo + (ref.rfind("sha256:", 0) == 0 ? "@" : ":") + ref;
      auto it = manifests_.find(key);
      if (it == manifests_.end()) return MakeResponse(404, {}, R"({"errors":[{"code":"MANIFEST_UNKNOWN"}]})");
      std::string body = tamper_manifest_body.empty() ? it->second.bytes : tamper_manifest_body;
      HttpResponse resp = MakeResponse(200, {{"Content-Type", it->second.media_type},
                                             {"Docker-Content-Digest", Sha256Digest(it->second.bytes)},
                                             {"Content-Length", std::to_string(it->second.bytes.size())}});
      if (r.method != "HEAD") resp.body = body;
      return resp;
    }
    if (kind == "/blobs/") {
      auto it = blobs_.find(repo + "@" + ref);
      if (it == blobs_.end()) return MakeResponse(404, {}, R"({"errors":[{"code":"BLOB_UNKNOWN"}]})");
      return MakeResponse(200, {{"Content-Type", "application/octet-stream"}}, it->second);
    }
    return MakeResponse(200, {}, "{}");
  }

  Result<HttpResponse> Token(const HttpRequest& r) {
    if (r.method == "POST") {
      if (!identity_token.empty() &&
          r.body.find("refresh_token=" + identity_token) != std::string::npos &&
          r.body.find("grant_type=refresh_token") != std::string::npos) {
        return MakeResponse(200, {}, R"({"access_token":"tok-good","expires_in":300})");
      }
      return MakeResponse(401, {}, R"({"errors":[{"code":"DENIED"}]})");
    }
    const std::string authz = RequestHeader(r, "Authorization");
    if (authz.empty()) return MakeResponse(200, {}, R"({"token":"tok-anonymous"})");
    if (authz == BasicValue()) return MakeResponse(200, {}, R"({"token":"tok-good","expires_in":300})");
    return MakeResponse(401, {}, R"({"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]})");
  }

  std::map<std::string, Stored> manifests_;
  std::map<std::string, std::string> blobs_;
};

}  // namespace mg::testing
