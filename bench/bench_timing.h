// Timing helpers shared by the registry benchmarks (merge_bench, attest_bench): wall and CPU
// clocks, medians, and a transport decorator that records each HTTP exchange's latency.
// Header-only; bench code, not part of the engine.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "http/http_transport.h"
#include "util/json.h"

namespace bench {

using Clock = std::chrono::steady_clock;

inline double MsSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// User + system CPU time of this process so far, in ms.
inline double CpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto ms = [](const timeval& t) { return t.tv_sec * 1000.0 + t.tv_usec / 1000.0; };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

inline double Round2(double x) { return static_cast<int64_t>(x * 100 + 0.5) / 100.0; }

// Forwards to another transport and records each exchange's method and latency; exchanges with a
// URL under a labelled prefix are recorded as "<label> <method>" (e.g. "sigstore POST").
class TimingTransport : public mg::HttpTransport {
 public:
  explicit TimingTransport(mg::HttpTransport& inner) : inner_(inner) {}
  mg::Result<mg::HttpResponse> Send(const mg::HttpRequest& request) override {
    const auto t0 = Clock::now();
    auto r = inner_.Send(request);
    const double ms = MsSince(t0);
    std::lock_guard<std::mutex> lock(mu_);
    if (recording_) ms_[KeyOf(request)].push_back(ms);
    return r;
  }
  void Record(bool on) {
    std::lock_guard<std::mutex> lock(mu_);
    recording_ = on;
  }
  // Call before any exchange.
  void Label(std::string url_prefix, std::string label) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!url_prefix.empty()) labels_.emplace_back(std::move(url_prefix), std::move(label));
  }
  // {"GET": {"count": n, "median_ms": m}, "sigstore POST": ..., ...}
  mg::Json Summary() {
    std::lock_guard<std::mutex> lock(mu_);
    mg::Json out = mg::Json::object();
    for (const auto& [method, v] : ms_) out[method] = {{"count", v.size()}, {"median_ms", Round2(Median(v))}};
    return out;
  }

 private:
  std::string KeyOf(const mg::HttpRequest& request) const {
    for (const auto& [prefix, label] : labels_) {
      if (request.url.compare(0, prefix.size(), prefix) == 0) return label + " " + request.method;
    }
    return request.method;
  }

  mg::HttpTransport& inner_;
  std::mutex mu_;
  bool recording_ = false;
  std::vector<std::pair<std::string, std::string>> labels_;  // GUARDED_BY(mu_)
  std::map<std::string, std::vector<double>> ms_;  // GUARDED_BY(mu_)
};

}  // namespace bench
