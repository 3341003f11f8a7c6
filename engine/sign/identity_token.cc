#include "sign/identity_token.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "http/base64.h"
#include "http/url.h"
#include "util/json.h"
#include "util/strings.h"

namespace mg {
namespace {

constexpr size_t kMaxTokenBytes = 64 * 1024;
constexpr int64_t kExpirySlackSeconds = 30;

const char* DefaultEnv(const char* name) { return std::getenv(name); }

std::string HowToProvide() {
  return "keyless signing needs an OIDC identity token: in GitHub Actions give the job `permissions: "
         "id-token: write`; in GitLab CI declare `id_tokens: SIGSTORE_ID_TOKEN: {aud: sigstore}`; elsewhere "
         "set SIGSTORE_ID_TOKEN or [attestations] identity_token = \"env:NAME\" | \"file:PATH\"";
}

}  // namespace

Result<IdentityToken> ParseIdentityToken(std::string raw, std::string_view source) {
  const std::string where = "the identity token from " + std::string(source);
  if (raw.size() > kMaxTokenBytes) {
    return Status::InvalidArgument(where + " is " + std::to_string(raw.size()) + " bytes: not a JWT");
  }
  const size_t dot1 = raw.find('.');
  const size_t dot2 = dot1 == std::string::npos ? std::string::npos : raw.find('.', dot1 + 1);
  if (dot1 == std::string::npos || dot2 == std::string::npos || raw.find('.', dot2 + 1) != std::string::npos) {
    return Status::InvalidArgument(where + " is not a JWT (header.payload.signature)");
  }
  std::optional<std::string> payload = Base64DecodeAnyAlphabet(std::string_view(raw).substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload) return Status::InvalidArgument(where + ": its payload is not base64url");
  std::string error;
  Json claims = ParseJson(*payload, &error);
  if (!claims.is_object()) return Status::InvalidArgument(where + ": its payload is not a JSON object");
  IdentityToken token;
  token.issuer = StringField(claims, "iss");
  token.subject = StringField(claims, "sub");
  token.email = StringField(claims, "email");
  token.expires_at = IntField(claims, "exp").value_or(0);
  token.source = std::string(source);
  if (token.issuer.empty()) return Status::InvalidArgument(where + " has no \"iss\" (issuer) claim");
  if (token.subject.empty() && token.email.empty()) {
    return Status::InvalidArgument(where + " has neither a \"sub\" nor an \"email\" claim");
  }
  token.raw = std::move(raw);
  return token;
}

Result<IdentityTokenSource> IdentityTokenSource::Parse(std::string_view spec, Environment env) {
  if (!env) env = DefaultEnv;
  const std::string s(spec);
  if (s.empty() || s == "auto") return IdentityTokenSource(Kind::kAuto, "auto", "", env);
  if (s == "github") return IdentityTokenSource(Kind::kGitHub, s, "", env);
  if (s.rfind("env:", 0) == 0 && s.size() > 4) return IdentityTokenSource(Kind::kEnv, s, s.substr(4), env);
  if (s.rfind("file:", 0) == 0 && s.size() > 5) return IdentityTokenSource(Kind::kFile, s, s.substr(5), env);
  return Status::InvalidArgument("identity token source \"" + s +
                                 "\" is not one of \"auto\", \"github\", \"env:NAME\", \"file:PATH\"");
}

Result<IdentityToken> IdentityTokenSource::FromGitHub(HttpClient& http) const {
  const char* url = env_("ACTIONS_ID_TOKEN_REQUEST_URL");
  const char* bearer = env_("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
  if (url == nullptr || bearer == nullptr || *url == '\0' || *bearer == '\0') {
    return Status::FailedPrecondition("no GitHub Actions identity token: ACTIONS_ID_TOKEN_REQUEST_URL and "
                                      "ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set. " + HowToProvide());
  }
  HttpRequest request;
  request.url = std::string(url) + (std::string_view(url).find('?') == std::string_view::npos ? "?" : "&") +
                "audience=sigstore";
  request.headers = {{"Authorization", std::string("bearer ") + bearer}, {"Accept", "application/json"}};
  request.timeout = std::chrono::seconds(30);
  request.max_body_bytes = kMaxTokenBytes * 2;
  request.follow_redirects = false;  // the bearer token goes to ACTIONS_ID_TOKEN_REQUEST_URL only
  Result<HttpResponse> response = http.Send(request);
  const std::string what = "GitHub Actions' token service (" + RedactUrl(url) + ")";
  if (!response.ok()) return response.status().WithContext("requesting an identity token from " + what);
  if (response->status == 401 || response->status == 403) {
    return Status::PermissionDenied(what + " answered " + std::to_string(response->status) +
                                    ": does the job have `permissions: id-token: write`?");
  }
  if (response->status >= 300 && response->status < 400) {
    const std::optional<std::string> location = response->Header("location");
    return Status::FailedPrecondition(what + " answered " + std::to_string(response->status) + " redirecting to " +
                                      (location ? RedactUrl(*location) : std::string("nowhere")) +
                                      ", which is not followed: the request carries the job's token; point "
                                      "ACTIONS_ID_TOKEN_REQUEST_URL at the service itself");
  }
  if (response->status != 200) {
    return Status::Unavailable(what + " answered " + std::to_string(response->status));
  }
  Json body = ParseJson(response->body);
  std::string value = StringField(body, "value");
  if (value.empty()) return Status::Unavailable(what + " answered without a token (no \"value\")");
  return ParseIdentityToken(std::move(value), "GitHub Actions");
}

Result<IdentityToken> IdentityTokenSource::Fetch(HttpClient& http, int64_t now_seconds) const {
  Result<IdentityToken> token = Status::FailedPrecondition(HowToProvide());
  switch (kind_) {
    case Kind::kAuto: {
      const char* v = env_("SIGSTORE_ID_TOKEN");
      if (v != nullptr && *v != '\0') {
        token = ParseIdentityToken(std::string(Trim(v)), "SIGSTORE_ID_TOKEN");
      } else if (env_("ACTIONS_ID_TOKEN_REQUEST_URL") != nullptr) {
        token = FromGitHub(http);
      } else {
        return Status::FailedPrecondition("no identity token found (SIGSTORE_ID_TOKEN is not set and this is "
                                          "not a GitHub Actions job with id-token: write). " + HowToProvide());
      }
      break;
    }
    case Kind::kGitHub:
      token = FromGitHub(http);
      break;
    case Kind::kEnv: {
      const char* v = env_(arg_.c_str());
      if (v == nullptr || *v == '\0') {
        return Status::FailedPrecondition("no identity token: the environment variable " + arg_ +
                                          " (from [attestations] identity_token) is not set");
      }
      token = ParseIdentityToken(std::string(Trim(v)), arg_);
      break;
    }
    case Kind::kFile: {
      std::ifstream in(arg_, std::ios::binary);
      if (!in) {
        return Status::FailedPrecondition("no identity token: cannot read " + arg_ +
                                          " (from [attestations] identity_token)");
      }
      std::string text(kMaxTokenBytes + 1, '\0');
      in.read(text.data(), static_cast<std::streamsize>(text.size()));
      text.resize(static_cast<size_t>(in.gcount()));
      token = ParseIdentityToken(std::string(Trim(text)), arg_);
      break;
    }
  }
  if (!token.ok()) return token;
  if (token->expires_at != 0 && token->expires_at <= now_seconds + kExpirySlackSeconds) {
    const int64_t delta = now_seconds - token->expires_at;
    return Status::FailedPrecondition(
        "the identity token from " + token->source + " (issuer " + token->issuer + ") " +
        (delta >= 0 ? "expired " + std::to_string(delta) + " s ago" : "expires in " + std::to_string(-delta) + " s") +
        ": get a fresh one (tokens live minutes; fetch it right before the run)");
  }
  return token;
}

}  // namespace mg
