#include "http/http_types.h"

#include "http/url.h"

namespace mg {

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  auto it = headers.find(AsciiLower(name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::string DescribeRequest(const HttpRequest& request) {
  std::string url = RedactUrl(request.url);
  if (request.redact_query) {
    if (size_t q = url.find('?'); q != std::string::npos) url = url.substr(0, q) + "?<redacted>";
  }
  return request.method + " " + url;
}

}  // namespace mg
