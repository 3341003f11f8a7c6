// Test doubles for the plugin layer: a HostServices with canned answers, and fixture locations.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/host_services.h"

namespace mg::testing {

// Records every call; answers with the handlers or canned results below. Thread-safe.
class FakeHost : public HostServices {
 public:
  void Log(int level, std::string_view msg) override {
    std::lock_guard<std::mutex> lock(mu_);
    logs_.push_back(std::to_string(level) + ":" + std::string(msg));
  }
  Result<std::string> Http(std::string_view request_json) override {
    std::lock_guard<std::mutex> lock(mu_);
    http_requests_.emplace_back(request_json);
    if (http_handler_) return http_handler_(request_json);
    return http_response_;
  }
  Result<std::string> DiscoverSource(std::string_view source_json) override {
    std::lock_guard<std::mutex> lock(mu_);
    discover_requests_.emplace_back(source_json);
    if (discover_handler_) return discover_handler_(source_json);
    return discover_response_;
  }

  void set_http_response(Result<std::string> r) { http_response_ = std::move(r); }
  void set_discover_response(Result<std::string> r) { discover_response_ = std::move(r); }
  // A handler answers instead of the canned response (called with the lock held: keep it simple).
  using Handler = std::function<Result<std::string>(std::string_view)>;
  void set_http_handler(Handler h) { http_handler_ = std::move(h); }
  void set_discover_handler(Handler h) { discover_handler_ = std::move(h); }
  std::vector<std::string> logs() const { std::lock_guard<std::mutex> l(mu_); return logs_; }
  std::vector<std::string> http_requests() const { std::lock_guard<std::mutex> l(mu_); return http_requests_; }
  std::vector<std::string> discover_requests() const { std::lock_guard<std::mutex> l(mu_); return discover_requests_; }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> logs_, http_requests_, discover_requests_;
  Result<std::string> http_response_ = Status::Unavailable("no network in unit tests");
  Result<std::string> discover_response_ = Status::Unavailable("no upstream in unit tests");
  Handler http_handler_, discover_handler_;
};

// The built test plugin mirrorgraph-<name>.so (tests/plugins_fixture).
inline std::string TestPluginPath(const std::string& name) {
  return std::string(MG_TEST_PLUGIN_DIR) + "/mirrorgraph-" + name + ".so";
}

}  // namespace mg::testing
