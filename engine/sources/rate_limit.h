// Rate limits of forge APIs (GitHub, GitLab): recognising a rate-limited answer, waiting when the
// wait is short, and failing with a message that says when to retry when it is not.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "http/http_client.h"
#include "util/status.h"

namespace mg {

enum class Forge { kGitHub, kGitLab };

// "GitHub" / "GitLab", for messages.
const char* ForgeName(Forge forge);

struct RateLimitPolicy {
  // A rate limit that lifts within max_wait is waited out and the request retried; a longer one
  // fails at once. RunBuiltinSource sets it to the HttpClient's max_retry_after so that both
  // layers wait the same (the client already waits out a 429's Retry-After up to that cap).
  std::chrono::seconds max_wait{60};
  int max_waits = 3;  // rate-limit waits for one request before giving up
  // Test seams. Defaults: std::this_thread::sleep_for and std::chrono::system_clock::now. A wait
  // is slept in slices of at most 250 ms, checking the cancel flag between slices.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<std::chrono::system_clock::time_point()> now;
};

struct RateLimit {
  std::chrono::milliseconds wait{0};             // until a retry may succeed (>= 0)
  std::chrono::system_clock::time_point resets;  // now + wait
};

// When `response` is a rate-limited answer from `forge`, how long to wait; nullopt otherwise.
//   GitHub: a 403 or 429 with Retry-After (secondary limits), or with x-ratelimit-remaining: 0
//           (wait until x-ratelimit-reset, epoch seconds), or whose body says "rate limit"; a 429
//           without any of these waits 60 s. Any other 403 is not a rate limit (a permission error).
//   GitLab: a 429, waiting Retry-After, else until RateLimit-Reset (epoch seconds), else 60 s.
// A reset time in the past means no wait. Pure function.
std::optional<RateLimit> DetectRateLimit(Forge forge, const HttpResponse& response,
                                         std::chrono::system_clock::time_point now);

// "GitHub API rate limit exceeded for <url>; it resets at <RFC 3339> (in N min); retry then, or
// set GITHUB_TOKEN to raise the limit". `url` must already be redacted. `token_sent` says whether
// the request carried a token from `token_env`.
std::string RateLimitMessage(Forge forge, const std::string& url, const RateLimit& limit,
                             std::chrono::system_clock::time_point now, const std::string& token_env,
                             bool token_sent);

// UTC, second precision: "2024-05-01T12:00:00Z".
std::string FormatRfc3339(std::chrono::system_clock::time_point t);

// Sends `request` through `http` (which retries transport errors, 5xx and short 429s itself).
// When the answer is rate limited (DetectRateLimit) and the wait is within policy.max_wait, waits
// and sends again, at most policy.max_waits times; otherwise returns Unavailable with
// RateLimitMessage(). Cancelled when *cancel becomes true while waiting. Any other answer, error
// statuses included, is returned as is. `cancel` may be null. Thread-safe when `http` is.
Result<HttpResponse> SendWithRateLimit(HttpClient& http, const HttpRequest& request, Forge forge,
                                       const std::string& token_env, bool token_sent,
                                       const RateLimitPolicy& policy, const std::atomic<bool>* cancel);

}  // namespace mg
