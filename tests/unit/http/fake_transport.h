// FakeTransport: a scripted HttpTransport for unit tests. Records every request.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "http/http_transport.h"

namespace mg::testing {

inline HttpResponse MakeResponse(int status, std::map<std::string, std::string> headers = {}, std::string body = "") {
  HttpResponse r;
  r.status = status;
  for (auto& [k, v] : headers) r.headers[AsciiLower(k)] = v;
  r.body = std::move(body);
  return r;
}

// Answers from `handler` when set, else from the scripted queue in order (an exhausted queue
// answers 599 so a test sees the surprise). Thread-safe.
class FakeTransport : public HttpTransport {
 public:
  Result<HttpResponse> Send(const HttpRequest& request) override {
    std::function<Result<HttpResponse>(const HttpRequest&)> h;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
      h = handler;
      if (!h) {
        if (script_.empty()) return MakeResponse(599, {}, "fake transport: script exhausted");
        Result<HttpResponse> r = script_.front();
        script_.pop_front();
        if (r.ok()) r->effective_url = request.url;
        return r;
      }
    }
    Result<HttpResponse> r = h(request);
    if (r.ok() && r->effective_url.empty()) r->effective_url = request.url;
    return r;
  }

  void Push(Result<HttpResponse> r) {
    std::lock_guard<std::mutex> lock(mu_);
    script_.push_back(std::move(r));
  }
  std::vector<HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  size_t request_count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }

  std::function<Result<HttpResponse>(const HttpRequest&)> handler;  // set before use

 private:
  mutable std::mutex mu_;
  std::deque<Result<HttpResponse>> script_;
  std::vector<HttpRequest> requests_;
};

// The value of header `name` (case-insensitive) in `request`, or "".
inline std::string RequestHeader(const HttpRequest& request, std::string_view name) {
  for (const auto& [k, v] : request.headers) {
    if (AsciiLower(k) == AsciiLower(name)) return v;
  }
  return "";
}

}  // namespace mg::testing
