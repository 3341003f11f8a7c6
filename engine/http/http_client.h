// HttpClient: retries, backoff, Retry-After and per-host concurrency on top of an HttpTransport.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "http/http_transport.h"
#include "http/link_header.h"  // ParseLinkHeader, for callers paginating through HttpClient
#include "http/url.h"          // RedactUrl
#include "util/cancel_token.h"

namespace mg {

struct HttpClientOptions {
  int max_attempts = 4;                            // attempts in total, first one included
  std::chrono::milliseconds base_delay{200};       // backoff before retry n is U(0, min(cap, base*2^(n-1)))
  std::chrono::milliseconds max_delay{10000};      // the backoff cap
  std::chrono::milliseconds max_retry_after{60000};  // a longer Retry-After is returned, not waited
  int max_per_host = 8;                            // concurrent requests per host:port
  // When set (it must outlive the client): once cancelled, no attempt starts, a retry wait ends at
  // once, and Send and Pause return Cancelled. Aborting a transfer in progress is the transport's
  // job (CurlTransportOptions::cancel).
  const CancelToken* cancel = nullptr;
  // Test seams. Defaults: a wait on `cancel` (std::this_thread::sleep_for without one), a per-thread uniform [0,1) generator,
  // std::chrono::system_clock::now (for Retry-After dates).
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<double()> random;
  std::function<std::chrono::system_clock::time_point()> now;
};

// Thread-safe. `transport` must outlive the client.
//
// Retries (up to max_attempts in total) on transport errors, on 429 and on 5xx other than 501 and
// 505. Before a retry it waits the server's Retry-After (delta-seconds or HTTP-date) when present
// and within max_retry_after, else an exponential backoff with full jitter. A Retry-After beyond
// max_retry_after ends the retries at once: that 429/503 response is returned to the caller. When
// attempts run out the last response (or transport error) is returned. Only method, redacted URL
// and status are ever logged; never headers, bodies or credentials.
class HttpClient {
 public:
  explicit HttpClient(HttpTransport& transport, HttpClientOptions options = {});

  Result<HttpResponse> Send(const HttpRequest& request);

  // The backoff before retry number `attempt` (1 = the first retry): exponential with full jitter,
  // as Send uses. For callers that retry on answers of their own (a manifest PUT).
  std::chrono::milliseconds Backoff(int attempt);
  // Waits `delay` with the client's sleep; Cancelled (naming `what`) when the client's cancel
  // token is, or becomes, cancelled.
  Status Pause(std::chrono::milliseconds delay, const std::string& what);
  bool cancelled() const { return options_.cancel != nullptr && options_.cancel->cancelled(); }

  const HttpClientOptions& options() const { return options_; }

 private:
  void AcquireHost(const std::string& key);
  void ReleaseHost(const std::string& key);

  HttpTransport& transport_;
  HttpClientOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> in_flight_;  // GUARDED_BY(mu_): host:port -> requests in progress
};

// Parses a Retry-After value relative to `now`: delta-seconds ("120") or an HTTP-date
// ("Wed, 21 Oct 2015 07:28:00 GMT", also the RFC 850 and asctime forms). A date in the past is 0;
// anything longer than a year (a huge delta, a date far ahead) is one year.
// Returns nullopt when the value is neither.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

// The wait from `now` until the Unix time `epoch_seconds` a server named (a Retry-After date, a
// rate limit's reset): 0 when it is past, one year when it is further ahead (compared in seconds
// first: a date centuries away does not fit system_clock's nanoseconds). Pure.
std::chrono::milliseconds WaitUntilUnixTime(long long epoch_seconds, std::chrono::system_clock::time_point now);

}  // namespace mg
