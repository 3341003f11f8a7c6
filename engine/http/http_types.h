// HTTP request and response values exchanged with an HttpTransport.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mg {

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT, PATCH, DELETE
  std::string url;             // absolute http:// or https:// URL
  // Sent in order. Values of "Authorization" (and any credentials) are never logged.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool follow_redirects = true;
  std::chrono::milliseconds timeout{60000};  // whole request, connect included
  size_t max_body_bytes = size_t{64} << 20;  // a larger response body is a transport error
};

struct HttpResponse {
  int status = 0;
  // Lower-case names; repeated headers joined by ", ". Headers of the final response only
  // (not of redirects or 1xx interim responses).
  std::map<std::string, std::string> headers;
  std::string body;           // empty for HEAD
  std::string effective_url;  // after redirects

  // The value of a header (name matched case-insensitively), or nullopt.
  std::optional<std::string> Header(std::string_view name) const;
};

// Case-insensitive ASCII lower-casing, for header names.
std::string AsciiLower(std::string_view s);

}  // namespace mg
