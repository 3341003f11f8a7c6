// FakeRegistry: an in-memory OCI distribution registry behind a FakeTransport, for unit tests of
// the registry client and of anything built on it. Serves https://reg.example with optional
// Bearer (token realm `realm`, by default https://auth.example/token) or Basic auth.
//
// Write side: POST /v2/<repo>/blobs/uploads/ opens a session (202, relative Location
// /v2/<repo>/blobs/uploads/<id>?step=0); with ?mount=&from= it mounts when `allow_mount` and the
// blob is in `from` (201), else opens a session (202). PATCH appends a chunk: the URL must carry the
// session's current step (i.e. the client followed the last Location; else 404), Content-Range
// must be "<received>-<received+n-1>" (else 416); 202 with an absolute Location for the next step
// and Range 0-<last>. PUT ...&digest= appends its body, checks the digest (400 DIGEST_INVALID)
// and stores the blob (201). DELETE cancels a session (204). PUT /v2/<repo>/manifests/<ref>
// stores the body with its Content-Type under <ref> and its digest (201).
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "http/base64.h"
#include "http/http_client.h"
#include "oci/registry_client.h"
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
  std::string realm = kRealm;  // the token realm named in Bearer challenges (and served)
  std::string user = "alice";
  std::string password = "s3cret-pw";
  std::string identity_token;  // when set, the token endpoint accepts this refresh token (POST)
  // Status forced for every request whose URL contains the key (e.g. {"/manifests/", 500}).
  std::map<std::string, int> forced_status;
  std::string forced_body = R"({"errors":[{"code":"FORCED"}]})";  // the body of those answers
  // When set, served as the manifest body instead of the stored bytes (to test verification).
  std::string tamper_manifest_body;
  bool allow_mount = true;       // mount requests succeed when the blob is in `from`
  std::string chunk_min_length;  // when set, sent as OCI-Chunk-Min-Length in answers to POST

  // Requests are handled one at a time (code under test may send them from several threads); the
  // accessors below are for the test's thread while no request is in flight.
  FakeRegistry() {
    transport.handler = [this](const HttpRequest& r) {
      std::lock_guard<std::mutex> lock(handle_mu_);
      return Handle(r);
    };
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

  void DeleteBlob(const std::string& repo, const std::string& digest) { blobs_.erase(repo + "@" + digest); }
  bool HasBlob(const std::string& repo, const std::string& digest) const { return blobs_.count(repo + "@" + digest) > 0; }
  std::string Blob(const std::string& repo, const std::string& digest) const {
    auto it = blobs_.find(repo + "@" + digest);
    return it == blobs_.end() ? "" : it->second;
  }
  // The bytes stored under "<repo>:<tag>" or "<repo>@<digest>", or "" when absent.
  std::string ManifestBytes(const std::string& repo, const std::string& reference) const {
    auto it = manifests_.find(repo + (reference.rfind("sha256:", 0) == 0 ? "@" : ":") + reference);
    return it == manifests_.end() ? "" : it->second.bytes;
  }
  std::string ManifestType(const std::string& repo, const std::string& reference) const {
    auto it = manifests_.find(repo + (reference.rfind("sha256:", 0) == 0 ? "@" : ":") + reference);
    return it == manifests_.end() ? "" : it->second.media_type;
  }
  size_t open_sessions() const { return sessions_.size(); }
  int cancelled_sessions() const { return cancelled_; }

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
  std::mutex handle_mu_;  // held while a request is handled

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
    if (r.url.rfind(realm, 0) == 0) return Token(r);
    for (const auto& [part, status] : forced_status) {
      if (r.url.find(part) != std::string::npos) return MakeResponse(status, {}, forced_body);
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
                          {{"WWW-Authenticate", "Bearer realm=\"" + realm +
                                                    "\",service=\"reg.example\",scope=\"repository:" + repo + ":pull\""}},
                          R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})");
    }
    if (auth == Auth::kBasic && authz != BasicValue()) {
      return MakeResponse(401, {{"WWW-Authenticate", "Basic realm=\"fake\""}},
                          R"({"errors":[{"code":"UNAUTHORIZED"}]})");
    }
    if (kind == "/blobs/" && ref.rfind("uploads/", 0) == 0) return Upload(r, repo, ref.substr(8));
    if (kind == "/manifests/" && r.method == "PUT") {
      const std::string digest = Sha256Digest(r.body);
      const std::string media_type = RequestHeader(r, "Content-Type");
      manifests_[repo + "@" + digest] = {media_type, r.body};
      if (ref.rfind("sha256:", 0) != 0) manifests_[repo + ":" + ref] = {media_type, r.body};
      return MakeResponse(201, {{"Docker-Content-Digest", digest}, {"Location", "/v2/" + repo + "/manifests/" + digest}});
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

  static std::string QueryValue(const std::string& query, const std::string& key) {
    for (size_t b = 0; b < query.size();) {
      size_t e = query.find('&', b);
      if (e == std::string::npos) e = query.size();
      std::string kv = query.substr(b, e - b);
      if (kv.rfind(key + "=", 0) == 0) {
        std::string v = kv.substr(key.size() + 1), out;
        for (size_t i = 0; i < v.size(); ++i) {
          if (v[i] == '%' && i + 2 < v.size()) {
            out += static_cast<char>(std::stoi(v.substr(i + 1, 2), nullptr, 16));
            i += 2;
          } else {
            out += v[i];
          }
        }
        return out;
      }
      b = e + 1;
    }
    return "";
  }

  // `rest` is what follows /blobs/uploads/: "" or "?mount=..", or "<id>?step=N[&digest=..]".
  Result<HttpResponse> Upload(const HttpRequest& r, const std::string& repo, const std::string& rest) {
    const size_t q = rest.find('?');
    const std::string id = rest.substr(0, q);
    const std::string query = q == std::string::npos ? "" : rest.substr(q + 1);
    if (r.method == "POST" && id.empty()) {
      const std::string mount = QueryValue(query, "mount");
      if (!mount.empty() && allow_mount && blobs_.count(QueryValue(query, "from") + "@" + mount)) {
        blobs_[repo + "@" + mount] = blobs_[QueryValue(query, "from") + "@" + mount];
        return MakeResponse(201, {{"Location", "/v2/" + repo + "/blobs/" + mount}, {"Docker-Content-Digest", mount}});
      }
      const std::string new_id = "s" + std::to_string(++next_session_);
      sessions_[new_id] = {repo, "", 0};
      std::map<std::string, std::string> headers = {{"Location", "/v2/" + repo + "/blobs/uploads/" + new_id + "?step=0"},
                                                    {"Range", "0-0"}};
      if (!chunk_min_length.empty()) headers["OCI-Chunk-Min-Length"] = chunk_min_length;
      return MakeResponse(202, headers);
    }
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second.repo != repo || QueryValue(query, "step") != std::to_string(it->second.step)) {
      return MakeResponse(404, {}, R"({"errors":[{"code":"BLOB_UPLOAD_UNKNOWN"}]})");
    }
    Session& session = it->second;
    if (r.method == "DELETE") {
      sessions_.erase(it);
      ++cancelled_;
      return MakeResponse(204);
    }
    if (r.method == "PATCH") {
      const std::string want = std::to_string(session.data.size()) + "-" +
                               std::to_string(session.data.size() + r.body.size() - 1);
      if (r.body.empty() || RequestHeader(r, "Content-Range") != want) {
        return MakeResponse(416, {}, R"({"errors":[{"code":"BLOB_UPLOAD_INVALID"}]})");
      }
      session.data += r.body;
      ++session.step;
      return MakeResponse(202, {{"Location", std::string("https://") + kHost + "/v2/" + repo + "/blobs/uploads/" + id +
                                                 "?step=" + std::to_string(session.step)},
                                {"Range", "0-" + std::to_string(session.data.size() - 1)}});
    }
    if (r.method == "PUT") {
      session.data += r.body;
      const std::string digest = QueryValue(query, "digest");
      if (Sha256Digest(session.data) != digest) {
        return MakeResponse(400, {}, R"({"errors":[{"code":"DIGEST_INVALID"}]})");
      }
      blobs_[repo + "@" + digest] = session.data;
      sessions_.erase(it);
      return MakeResponse(201, {{"Location", "/v2/" + repo + "/blobs/" + digest}, {"Docker-Content-Digest", digest}});
    }
    return MakeResponse(405);
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

  struct Session {
    std::string repo;
    std::string data;
    int step = 0;
  };

  std::map<std::string, Stored> manifests_;
  std::map<std::string, std::string> blobs_;
  std::map<std::string, Session> sessions_;
  int next_session_ = 0;
  int cancelled_ = 0;
};

// A RegistryClient for FakeRegistry::kHost (no credentials) over a fake registry, through an
// HttpClient that never sleeps and tries each request once: the usual test fixture base.
struct FakeRegistryClient {
  FakeRegistry reg;
  HttpClient http{reg.transport, [] {
                    HttpClientOptions o;
                    o.sleep = [](std::chrono::milliseconds) {};
                    o.max_attempts = 1;
                    return o;
                  }()};
  RegistryClient client{http, FakeRegistry::kHost, false, std::nullopt};
};

}  // namespace mg::testing
