#include "oci/registry_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "http/base64.h"
#include "http/url.h"
#include "oci/media_types.h"
#include "oci/reference.h"
#include "oci/www_authenticate.h"
#include "util/sha256.h"

namespace mg {
namespace {

constexpr size_t kMaxManifestBytes = size_t{8} << 20;
constexpr size_t kMaxTokenBytes = size_t{1} << 20;
constexpr auto kTokenMargin = std::chrono::seconds(10);

std::string ApiHost(const std::string& registry) {
  return registry == "docker.io" ? "registry-1.docker.io" : registry;
}

// " (CODE: message; ...)" from a distribution error body, or "".
std::string RegistryErrorSummary(const std::string& body) {
  if (body.empty()) return "";
  Json doc = ParseJson(body);
  std::string out;
  for (const Json& e : ArrayField(doc, "errors")) {
    // Registries are not consistent about types: a numeric code is shown as a number.
    const Json* c = FindField(e, "code");
    std::string code = c != nullptr && c->is_number_integer() ? std::to_string(c->get<int64_t>()) : StringField(e, "code");
    std::string message = StringField(e, "message");
    if (code.empty() && message.empty()) continue;
    if (!out.empty()) out += "; ";
    out += code;
    if (!message.empty()) out += (code.empty() ? "" : ": ") + message;
    if (out.size() > 300) break;
  }
  if (out.size() > 300) out = out.substr(0, 300) + "...";
  return out.empty() ? "" : " (" + out + ")";
}


}  // namespace

RegistryClient::RegistryClient(HttpClient& http, std::string registry, bool plain_http,
                               std::optional<Credentials> credentials, std::string credentials_source)
    : http_(http),
      registry_(std::move(registry)),
      base_url_(std::string(plain_http ? "http://" : "https://") + ApiHost(registry_)),
      credentials_(credentials && !credentials->empty() ? std::move(credentials) : std::nullopt),
      credentials_source_(credentials_source.empty() ? DefaultDockerConfigPath() : std::move(credentials_source)) {}

std::string RegistryClient::CredentialsHint() const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!withheld_.empty()) return withheld_;
  }
  if (credentials_) return "check the credentials for " + registry_ + " in " + credentials_source_;
  if (credentials_source_.rfind("docker-credential-", 0) == 0) {
    return "no credentials for " + registry_ + " were found in " + credentials_source_ +
           "; log in to " + registry_ + " so that helper stores them";
  }
  return "no credentials for " + registry_ + " were found in " + credentials_source_ +
         "; add an \"auths\" entry for it (e.g. with a registry login)";
}

std::string RegistryClient::BasicHeader() const {
  return "Basic " + Base64Encode(credentials_->username + ":" + credentials_->password);
}

std::optional<std::string> RegistryClient::CachedAuthorization(const std::string& scope) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tokens_.find(scope);
  if (it != tokens_.end()) {
    if (std::chrono::steady_clock::now() < it->second.expires) return "Bearer " + it->second.value;
    tokens_.erase(it);
  }
  if (basic_ && credentials_ && credentials_->has_basic()) return BasicHeader();
  return std::nullopt;
}

std::string RegistryClient::WhyWithhold(const std::string& realm) const {
  ParsedUrl r, base;
  if (!ParseUrl(realm, &r)) return "it is not an absolute URL";
  if (r.scheme == "https") return "";
  if (ParseUrl(base_url_, &base) && base.scheme == "http" && r.scheme == "http" && r.host == base.host) return "";
  if (r.scheme != "http") return "its scheme is " + r.scheme + ", not https";
  return base.scheme == "http" ? "it is plain http on " + r.host + ", not on the registry's host " + base.host
                               : "it is plain http while the registry is https";
}

Result<RegistryClient::Token> RegistryClient::FetchToken(const BearerChallenge& bearer, const std::string& scope) {
  // Credentials go to the realm only when WhyWithhold allows it; otherwise the token is asked for
  // anonymously, and a refusal says why the credentials were withheld.
  std::string withheld;
  if (credentials_) withheld = WhyWithhold(bearer.realm);
  const bool send_credentials = credentials_ && withheld.empty();
  {
    std::lock_guard<std::mutex> lock(mu_);
    withheld_ = withheld.empty() ? "" : "the credentials for " + registry_ + " were withheld from the token realm " +
                RedactUrl(bearer.realm) + " because " + withheld +
                " (credentials go to a realm only over https, or to the registry's own host when it is "
                "configured as plain http)";
  }
  HttpRequest req;
  req.timeout = std::chrono::seconds(60);
  req.max_body_bytes = kMaxTokenBytes;
  std::vector<std::string> scopes;
  for (size_t b = 0; b < scope.size();) {
    size_t e = scope.find(' ', b);
    if (e == std::string::npos) e = scope.size();
    if (e > b) scopes.push_back(scope.substr(b, e - b));
    b = e + 1;
  }
  if (send_credentials && !credentials_->identity_token.empty()) {
    // OAuth2 refresh-token grant (docker's "identitytoken").
    req.method = "POST";
    req.url = bearer.realm;
    req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    req.body = "grant_type=refresh_token&client_id=mirrorgraph&service=" + UrlEncode(bearer.service);
    for (const std::string& s : scopes) req.body += "&scope=" + UrlEncode(s);
    req.body += "&refresh_token=" + UrlEncode(credentials_->identity_token);
  } else {
    std::string query;
    if (!bearer.service.empty()) query += "service=" + UrlEncode(bearer.service);
    for (const std::string& s : scopes) query += std::string(query.empty() ? "" : "&") + "scope=" + UrlEncode(s);
    if (send_credentials && !credentials_->username.empty()) {
      query += std::string(query.empty() ? "" : "&") + "account=" + UrlEncode(credentials_->username);
    }
    req.url = bearer.realm;
    if (!query.empty()) req.url += (req.url.find('?') == std::string::npos ? "?" : "&") + query;
    if (send_credentials && credentials_->has_basic()) req.headers.push_back({"Authorization", BasicHeader()});
  }
  // A redirect could lead the credentials to plain http: not followed when they are sent.
  req.follow_redirects = !send_credentials;
  const std::string what = "token request to " + RedactUrl(bearer.realm) + " for " + registry_;
  Result<HttpResponse> resp = http_.Send(req);
  if (!resp.ok()) return resp.status().WithContext(what);
  if (resp->status == 401 || resp->status == 403) {
    return Status::PermissionDenied(what + ": HTTP " + std::to_string(resp->status) +
                                    RegistryErrorSummary(resp->body) + "; " + CredentialsHint());
  }
  if (resp->status != 200) {
    const bool redirect = resp->status >= 300 && resp->status < 400;
    return Status::Unavailable(what + ": HTTP " + std::to_string(resp->status) + RegistryErrorSummary(resp->body) +
                               (redirect ? " (a token request that carries credentials does not follow redirects)" : ""));
  }
  Json doc = ParseJson(resp->body);
  if (!doc.is_object()) return Status::Corruption(what + ": the answer is not a JSON object");
  Token token;
  token.value = StringField(doc, "token");
  if (token.value.empty()) token.value = StringField(doc, "access_token");
  if (token.value.empty()) return Status::Corruption(what + ": the answer holds no token");
  // Bounded both ways: a huge value must not overflow the clock arithmetic.
  const int64_t expires_in = std::clamp<int64_t>(IntField(doc, "expires_in").value_or(60), 60, 24 * 3600);
  token.expires = std::chrono::steady_clock::now() + std::chrono::seconds(expires_in) - kTokenMargin;
  return token;
}

Status RegistryClient::Authenticate(const HttpResponse& challenge_response, const std::string& scope,
                                    const HttpRequest& request) {
  const std::string what = DescribeRequest(request);
  std::vector<AuthChallenge> challenges = ParseWwwAuthenticate(challenge_response.Header("www-authenticate").value_or(""));
  const AuthChallenge* bearer = nullptr;
  const AuthChallenge* basic = nullptr;
  for (const AuthChallenge& c : challenges) {
    if (c.scheme == "bearer" && bearer == nullptr) bearer = &c;
    if (c.scheme == "basic" && basic == nullptr) basic = &c;
  }
  if (bearer != nullptr) {
    auto realm = bearer->params.find("realm");
    if (realm == bearer->params.end() || realm->second.empty()) {
      return Status::Corruption(what + ": Bearer challenge without a realm");
    }
    BearerChallenge b{realm->second, ""};
    if (auto s = bearer->params.find("service"); s != bearer->params.end()) b.service = s->second;
    std::string token_scope = scope;
    if (auto s = bearer->params.find("scope"); s != bearer->params.end() && !s->second.empty()) {
      token_scope = s->second;
    }
    Result<Token> token = FetchToken(b, token_scope);
    if (!token.ok()) return token.status();
    std::lock_guard<std::mutex> lock(mu_);
    bearer_ = b;
    tokens_[scope] = std::move(token).value();
    return Status::OK();
  }
  if (basic != nullptr) {
    if (!credentials_ || !credentials_->has_basic()) {
      return Status::PermissionDenied(what + ": HTTP 401, the registry requires Basic authentication; " +
                                      CredentialsHint());
    }
    std::lock_guard<std::mutex> lock(mu_);
    basic_ = true;
    return Status::OK();
  }
  return Status::PermissionDenied(what + ": HTTP 401 without a usable WWW-Authenticate challenge" +
                                  RegistryErrorSummary(challenge_response.body) + "; " + CredentialsHint());
}

Result<HttpResponse> RegistryClient::SendAuthorized(HttpRequest request, const std::string& repo,
                                                    std::string_view actions) {
  // A URL the registry named (an upload Location) on another origin gets no credentials and no
  // 401 answered: ErrorFor says why.
  if (!SameOrigin(request.url, base_url_)) return http_.Send(request);
  const std::string scope = "repository:" + repo + ":" + std::string(actions);
  std::optional<BearerChallenge> known;
  {
    std::lock_guard<std::mutex> lock(mu_);
    known = bearer_;
  }
  std::optional<std::string> auth = CachedAuthorization(scope);
  if (!auth && known) {
    // The registry uses tokens: fetch one for this scope up front instead of collecting a 401.
    Result<Token> token = FetchToken(*known, scope);
    if (token.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      tokens_[scope] = std::move(token).value();
    }
    auth = CachedAuthorization(scope);
  }
  const size_t base_headers = request.headers.size();
  if (auth) request.headers.push_back({"Authorization", *auth});
  Result<HttpResponse> resp = http_.Send(request);
  if (!resp.ok() || resp->status != 401) return resp;

  MG_RETURN_IF_ERROR(Authenticate(*resp, scope, request));
  request.headers.resize(base_headers);
  auth = CachedAuthorization(scope);
  if (auth) request.headers.push_back({"Authorization", *auth});
  return http_.Send(request);
}

Status RegistryClient::ErrorFor(const HttpRequest& request, const HttpResponse& response) const {
  const std::string what = DescribeRequest(request) + ": HTTP " + std::to_string(response.status);
  const std::string summary = RegistryErrorSummary(response.body);
  const int s = response.status;
  if ((s == 401 || s == 403) && !SameOrigin(request.url, base_url_)) {
    return Status::PermissionDenied(what + (s == 401 ? " unauthorized" : " forbidden") + summary +
                                    "; no credentials were sent: the URL is not on the registry's origin " + base_url_ +
                                    " (credentials go only to its scheme, host and port, and " + registry_ +
                                    " named this URL in a Location header); the registry must "
                                    "name upload URLs on its own origin or accept them without credentials");
  }
  if (s == 401) {
    return Status::PermissionDenied(what + " unauthorized" + summary + "; " + CredentialsHint());
  }
  if (s == 403) {
    return Status::PermissionDenied(what + " forbidden" + summary + "; the credentials lack access; " +
                                    CredentialsHint());
  }
  if (s == 404) return Status::NotFound(what + " not found" + summary);
  if (s == 429) {
    std::string after = response.Header("retry-after").value_or("");
    return Status::Unavailable(what + " rate limited" + summary +
                               (after.empty() ? "" : "; Retry-After: " + after) + "; try again later");
  }
  if (s >= 500) return Status::Unavailable(what + " server error" + summary + "; try again later");
  return Status::FailedPrecondition(what + " unexpected status" + summary);
}

Status RegistryClient::ValidateRepoAndReference(const std::string& repo, const std::string& reference) const {
  if (!IsValidRepositoryName(repo)) {
    return Status::InvalidArgument("invalid repository name '" + repo + "' for " + registry_);
  }
  if (!IsValidTag(reference) && !IsValidDigest(reference)) {
    return Status::InvalidArgument("invalid tag or digest '" + reference + "' for " + registry_ + "/" + repo);
  }
  return Status::OK();
}

Result<ManifestHead> RegistryClient::HeadManifest(const std::string& repo, const std::string& reference) {
  MG_RETURN_IF_ERROR(ValidateRepoAndReference(repo, reference));
  HttpRequest req;
  req.method = "HEAD";
  req.url = base_url_ + "/v2/" + repo + "/manifests/" + reference;
  req.headers.push_back({"Accept", ManifestAcceptHeader()});
  Result<HttpResponse> resp = SendAuthorized(req, repo, "pull");
  if (!resp.ok()) return resp.status();
  ManifestHead head;
  if (resp->status == 404) return head;
  if (resp->status != 200) return ErrorFor(req, *resp);
  head.exists = true;
  head.digest = resp->Header("docker-content-digest").value_or("");
  head.media_type = BareMediaType(resp->Header("content-type").value_or(""));
  if (auto len = resp->Header("content-length")) {
    try {
      head.size = std::stoll(*len);
    } catch (...) {
      head.size = -1;
    }
  }
  return head;
}

Result<Manifest> RegistryClient::GetManifest(const std::string& repo, const std::string& reference) {
  MG_RETURN_IF_ERROR(ValidateRepoAndReference(repo, reference));
  HttpRequest req;
  req.url = base_url_ + "/v2/" + repo + "/manifests/" + reference;
  req.headers.push_back({"Accept", ManifestAcceptHeader()});
  req.max_body_bytes = kMaxManifestBytes;
  Result<HttpResponse> resp = SendAuthorized(req, repo, "pull");
  if (!resp.ok()) return resp.status();
  if (resp->status != 200) return ErrorFor(req, *resp);
  const std::string what = DescribeRequest(req);
  Manifest m;
  m.bytes = std::move(resp->body);
  m.digest = Sha256Digest(m.bytes);
  if (IsValidDigest(reference)) {
    if (reference.rfind("sha256:", 0) != 0) {
      return Status::NotImplemented(what + ": only sha256 digests can be verified");
    }
    if (reference != m.digest) {
      return Status::Corruption(what + ": content digest mismatch: asked for " + reference + ", got " + m.digest);
    }
  }
  std::string header_digest = resp->Header("docker-content-digest").value_or("");
  if (header_digest.rfind("sha256:", 0) == 0 && header_digest != m.digest) {
    return Status::Corruption(what + ": content digest mismatch: Docker-Content-Digest " + header_digest +
                              ", content " + m.digest);
  }
  std::string error;
  m.json = ParseJson(m.bytes, &error);
  if (m.json.is_discarded() || !m.json.is_object()) {
    return Status::Corruption(what + ": the manifest is not a JSON object" + (error.empty() ? "" : ": " + error));
  }
  m.media_type = BareMediaType(resp->Header("content-type").value_or(""));
  if (!IsIndexMediaType(m.media_type) && !IsManifestMediaType(m.media_type)) {
    if (std::optional<std::string> mt = OptStringField(m.json, "mediaType")) {
      m.media_type = std::move(*mt);
    } else if (m.json.contains("manifests")) {
      m.media_type = kMediaTypeOciIndex;
    } else if (m.json.contains("config") && m.json.contains("layers")) {
      m.media_type = kMediaTypeOciManifest;
    }
  }
  return m;
}

Result<std::string> RegistryClient::GetBlob(const std::string& repo, const std::string& digest, size_t max_bytes) {
  if (!IsValidRepositoryName(repo)) {
    return Status::InvalidArgument("invalid repository name '" + repo + "' for " + registry_);
  }
  if (!IsValidDigest(digest)) return Status::InvalidArgument("invalid blob digest '" + digest + "'");
  HttpRequest req;
  req.url = base_url_ + "/v2/" + repo + "/blobs/" + digest;
  req.max_body_bytes = max_bytes;
  Result<HttpResponse> resp = SendAuthorized(req, repo, "pull");
  if (!resp.ok()) return resp.status();
  if (resp->status != 200) return ErrorFor(req, *resp);
  if (digest.rfind("sha256:", 0) != 0) {
    return Status::NotImplemented(DescribeRequest(req) + ": only sha256 digests can be verified");
  }
  std::string actual = Sha256Digest(resp->body);
  if (actual != digest) {
    return Status::Corruption(DescribeRequest(req) + ": content digest mismatch: got " + actual);
  }
  return std::move(resp->body);
}

}  // namespace mg
