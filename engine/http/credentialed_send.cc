#include "http/credentialed_send.h"

#include <utility>

#include "http/url.h"
#include "util/strings.h"

namespace mg {
namespace {

bool IsFollowedRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

Result<HttpResponse> SendWithCredential(const HttpRequest& request,
                                        const std::pair<std::string, std::string>& credential,
                                        const std::string& trusted_url, const CredentialedHop& send,
                                        bool* credential_sent, int max_redirects) {
  if (credential_sent != nullptr) *credential_sent = false;
  if (credential.first.empty() || credential.second.empty()) return send(request, false);
  HttpRequest hop = request;
  hop.follow_redirects = false;
  const size_t base_headers = hop.headers.size();
  for (int redirects = 0;; ++redirects) {
    hop.headers.resize(base_headers);
    const bool attach = SameOrigin(hop.url, trusted_url);
    if (attach) hop.headers.push_back(credential);
    Result<HttpResponse> response = send(hop, attach);
    if (credential_sent != nullptr) *credential_sent = attach;
    if (!response.ok()) return response;
    if (response->effective_url.empty()) response->effective_url = hop.url;
    std::optional<std::string> location = response->Header("location");
    if (!IsFollowedRedirect(response->status) || !location || location->empty()) return response;
    HttpRequest next = hop;
    next.url = ResolveUrl(hop.url, *location);
    ParsedUrl parsed;
    if (!ParseUrl(next.url, &parsed) || (parsed.scheme != "http" && parsed.scheme != "https")) {
      return Status::FailedPrecondition(DescribeRequest(hop) + ": HTTP " + std::to_string(response->status) +
                                        " redirects to " + DescribeRequest(next) +
                                        ", which is not an http:// or https:// URL");
    }
    if (redirects >= max_redirects) {
      return Status::FailedPrecondition(DescribeRequest(request) + ": more than " + std::to_string(max_redirects) +
                                        " redirects (the last to " + DescribeRequest(next) + ")");
    }
    const bool to_get =
        response->status == 303 || (hop.method == "POST" && response->status != 307 && response->status != 308);
    if (to_get && hop.method != "HEAD") {
      next.method = "GET";
      next.body.clear();
      // The body's headers went with it.
      std::erase_if(next.headers, [](const std::pair<std::string, std::string>& h) {
        const std::string name = AsciiLower(h.first);
        return name == "content-type" || name == "content-length";
      });
    }
    hop = std::move(next);
  }
}

}  // namespace mg
