#include "sources/forge_pages.h"

#include <cstdlib>
#include <set>

#include "http/credentialed_send.h"
#include "http/url.h"
#include "util/quote_value.h"
#include "util/strings.h"

namespace mg {
namespace {

std::string MiB(size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

Status HttpError(const ForgeListing& l, const std::string& url, const HttpResponse& r, bool token_sent,
                 const std::string& secret) {
  std::string api = ForgeErrorMessage(r.body, secret);
  std::string detail = api.empty() ? "" : " (\"" + api + "\")";
  std::string head = l.what + ": " + url + " answered HTTP " + std::to_string(r.status) + detail;
  const std::string env = l.token_env.empty() ? "a token" : l.token_env;
  switch (r.status) {
    case 404:
      return Status::NotFound(head + "; no such " +
                              (l.forge == Forge::kGitHub ? "repository" : "project") +
                              " (check the name" + (token_sent ? "" : ", or set " + env + " if it is private") + ")");
    case 401:
      return Status::PermissionDenied(head + (token_sent ? "; the token from " + env + " was rejected"
                                                         : "; authentication required: set " + env));
    case 403:
      return Status::PermissionDenied(head + "; access denied" +
                                      (token_sent ? " to the token from " + env : " (set " + env + "?)"));
    default:
      if (r.status >= 500) return Status::Unavailable(head + "; the server failed, retry later");
      return Status::Unavailable(head + "; expected HTTP 200 with " + l.expected);
  }
}

}  // namespace

std::string TokenFromEnv(const std::string& name) {
  if (name.empty()) return "";
  const char* v = std::getenv(name.c_str());
  return v == nullptr ? "" : std::string(v);
}

Result<std::string> NormalizeApiBase(std::string base, std::string_view what) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!StartsWith(base, "http://") && !StartsWith(base, "https://")) {
    return Status::InvalidArgument(std::string(what) + ": api_base \"" + RedactUrl(base) +
                                   "\" is not an http:// or https:// URL");
  }
  return base;
}

std::string JsonTypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "a number";
    case Json::value_t::null: return "null";
    default: return "nothing";
  }
}

std::string ForgeErrorMessage(const std::string& body, const std::string& secret) {
  Json j = ParseJson(body);
  if (!j.is_object()) return "";
  auto it = j.find("message");
  if (it == j.end()) it = j.find("error");
  if (it == j.end() || !it->is_string()) return "";
  return QuoteResponseBody(it->get<std::string>(), secret);
}

std::string Scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
    text.replace(at, secret.size(), "***");
  }
  return text;
}

Result<HttpResponse> SendForgeRequest(HttpClient& http, const HttpRequest& request,
                                      const std::pair<std::string, std::string>& credential,
                                      const std::string& trusted_url, Forge forge, const std::string& token_env,
                                      const RateLimitPolicy& policy, const std::atomic<bool>* cancel,
                                      bool* credential_sent) {
  return SendWithCredential(
      request, credential, trusted_url,
      [&](const HttpRequest& hop, bool attached) {
        return SendWithRateLimit(http, hop, forge, token_env, attached, policy, cancel);
      },
      credential_sent);
}

Status FetchForgePages(HttpClient& http, const ForgeListing& l, const RateLimitPolicy& policy,
                       const std::atomic<bool>* cancel,
                       const std::function<Status(const std::string& url, const Json& page)>& on_page) {
  const std::string& secret = l.token.empty() ? l.credential.second : l.token;
  std::set<std::string> seen;
  std::string url = l.first_url;
  for (int page = 1; !url.empty(); ++page) {
    const std::string shown = RedactUrl(url);
    if (page > l.max_pages) {
      return Status::FailedPrecondition(l.what + ": more than " + std::to_string(l.max_pages) +
                                        " pages; stopped before " + shown +
                                        " (narrow the listing or raise the page limit)");
    }
    if (!seen.insert(url).second) {
      return Status::Corruption(l.what + ": pagination loop, the Link header points back to " + shown);
    }
    HttpRequest req;
    req.url = url;
    req.headers = l.headers;
    req.max_body_bytes = l.max_page_bytes;
    bool token_sent = false;
    Result<HttpResponse> resp =
        SendForgeRequest(http, req, l.credential, l.first_url, l.forge, l.token_env, policy, cancel, &token_sent);
    if (!resp.ok()) {
      const Status& s = resp.status();
      std::string msg = Scrub(s.message(), secret);
      if (msg.find("exceeds the limit") != std::string::npos) {
        return Status::FailedPrecondition(l.what + ": the answer from " + shown + " is larger than the " +
                                          MiB(l.max_page_bytes) + " allowed per page; expected " + l.expected);
      }
      if (msg != s.message()) return Status::Unavailable(l.what + ": " + msg);  // never expected
      return s.WithContext(l.what);
    }
    if (resp->status != 200) return HttpError(l, shown, *resp, token_sent, secret);
    std::string err;
    Json body = ParseJson(resp->body, &err);
    if (body.is_discarded()) {
      return Status::Corruption(l.what + ": the answer from " + shown + " is not JSON (" + Scrub(err, secret) +
                                "; " + std::to_string(resp->body.size()) + " bytes); expected " + l.expected);
    }
    if (!body.is_array()) {
      return Status::Corruption(l.what + ": the answer from " + shown + " is " + JsonTypeName(body) +
                                ", expected " + l.expected);
    }
    MG_RETURN_IF_ERROR(on_page(shown, body));
    url.clear();
    if (auto link = resp->Header("link")) {
      auto rels = ParseLinkHeader(*link);
      const std::string& base = resp->effective_url.empty() ? req.url : resp->effective_url;
      if (auto it = rels.find("next"); it != rels.end()) url = ResolveUrl(base, it->second);
    }
  }
  return Status::OK();
}

}  // namespace mg
