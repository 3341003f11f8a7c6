#include "http/counting_transport.h"

#include <charconv>

#include "http/url.h"

namespace mg {
namespace {

// The forge rate-limit remaining value of `response`, or -1 when it has none (or not a number).
int64_t RateLimitRemaining(const HttpResponse& response, bool* has_header) {
  auto value = response.Header("x-ratelimit-remaining");
  if (!value) value = response.Header("ratelimit-remaining");
  *has_header = value.has_value();
  if (!value) return -1;
  std::string_view v = *value;
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  int64_t n = -1;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || v.empty() || n < 0) return -1;
  return n;
}

bool IsUpload(const std::string& method) { return method == "PUT" || method == "PATCH" || method == "POST"; }

}  // namespace

CountingTransport::CountingTransport(HttpTransport& inner, std::string default_role)
    : inner_(inner), default_role_(std::move(default_role)) {}

void CountingTransport::SetRole(const std::string& url, const std::string& role) {
  std::lock_guard<std::mutex> lock(mu_);
  roles_[HostPortKey(url)] = role;
}

Result<HttpResponse> CountingTransport::Send(const HttpRequest& request) {
  Result<HttpResponse> r = inner_.Send(request);
  const std::string host = HostPortKey(request.url);
  bool has_limit = false;
  int64_t remaining = r.ok() ? RateLimitRemaining(*r, &has_limit) : -1;
  std::lock_guard<std::mutex> lock(mu_);
  if (has_limit && !roles_.count(host)) roles_[host] = "forge";
  auto it = roles_.find(host);
  const std::string& role = it != roles_.end() ? it->second : default_role_;
  if (!r.ok()) {
    ++counts_.failures[role];
    return r;
  }
  ++counts_.responses[{role, std::to_string(r->status)}];
  if (remaining >= 0) counts_.rate_limit_remaining[host] = remaining;
  if (IsUpload(request.method) && r->status >= 200 && r->status < 300) {
    counts_.sent_bytes[role] += request.body.size();
  }
  return r;
}

HttpCounts CountingTransport::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

}  // namespace mg
