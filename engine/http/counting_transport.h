// CountingTransport: an HttpTransport that counts what passes through it (requests by host role
// and status code, bytes pushed, forge rate-limit headers) for the run's metrics (docs/metrics.md).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "http/http_transport.h"

namespace mg {

// What a CountingTransport saw, by value. Maps are sorted, so output built from them is
// deterministic.
struct HttpCounts {
  // (role, status code as text) -> responses. A transport failure (no response) is not here but
  // in `failures`.
  std::map<std::pair<std::string, std::string>, uint64_t> responses;
  std::map<std::string, uint64_t> failures;  // role -> sends that got no response
  // role -> request body bytes of PUT, PATCH and POST requests answered 2xx (uploads accepted).
  std::map<std::string, uint64_t> sent_bytes;
  // host:port -> the rate-limit remaining value of the last response from it that carried one
  // (GitHub's x-ratelimit-remaining, GitLab's ratelimit-remaining). Values that are not a
  // non-negative integer are ignored.
  std::map<std::string, int64_t> rate_limit_remaining;
};

// Roles: the role of a request is the one set for its host:port (SetRole), else "forge" when its
// host has answered with a forge rate-limit header (during this transport's life, this answer
// included), else `default_role`.
//
// Thread-safe: Send may be called concurrently; SetRole and counts() from any thread.
class CountingTransport : public HttpTransport {
 public:
  // `inner` must outlive this transport.
  explicit CountingTransport(HttpTransport& inner, std::string default_role = "upstream");

  // Counts requests to `url`'s host:port (HostPortKey) under `role`. Last call wins per host.
  void SetRole(const std::string& url, const std::string& role);

  Result<HttpResponse> Send(const HttpRequest& request) override;

  HttpCounts counts() const;

 private:
  HttpTransport& inner_;
  const std::string default_role_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> roles_;  // GUARDED_BY(mu_): host:port -> role
  HttpCounts counts_;                         // GUARDED_BY(mu_)
};

}  // namespace mg
