// HTTP request and response values exchanged with an HttpTransport.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/strings.h"  // AsciiLower, for header names

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
  // Optional streaming of a large response body (a registry blob). When set, the body of a 2xx
  // response is handed to the sink in pieces as it arrives, on the sending thread, instead of
  // being stored in HttpResponse::body (which stays empty; max_body_bytes does not apply to it).
  // Bodies of other responses (errors, redirects) are still stored, within max_body_bytes, so
  // callers can report them. Returning false stops the transfer: the send fails with Cancelled.
  // HttpClient does not retry an attempt after its sink has received bytes.
  std::function<bool(std::string_view piece)> body_sink;
  // The URL's query is a secret of the server's (an upload session's `_state`): messages and logs
  // show the URL without it (DescribeRequest).
  bool redact_query = false;
};

// "METHOD url" for messages and logs: credentials removed from the URL (RedactUrl), and its query
// replaced by "?<redacted>" when `request.redact_query`.
std::string DescribeRequest(const HttpRequest& request);

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

}  // namespace mg
