#include "sources/rate_limit.h"

#include <algorithm>
#include <ctime>
#include <thread>

#include "util/strings.h"

namespace mg {
namespace {

using WallClock = std::chrono::system_clock;
using std::chrono::milliseconds;

std::optional<long long> ParseEpochSeconds(const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  std::string_view v = Trim(*value);
  if (v.empty() || v.size() > 12 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoll(std::string(v));
}

// An epoch far ahead (12 digits parse) waits a year (WaitUntilUnixTime), far beyond any policy's
// max_wait, which then reports it.
RateLimit WaitUntilEpoch(long long epoch, WallClock::time_point now) {
  const milliseconds wait = WaitUntilUnixTime(epoch, now);
  return RateLimit{wait, now + wait};
}

RateLimit WaitFor(milliseconds wait, WallClock::time_point now) { return RateLimit{wait, now + wait}; }

}  // namespace

const char* ForgeName(Forge forge) { return forge == Forge::kGitHub ? "GitHub" : "GitLab"; }

std::optional<RateLimit> DetectRateLimit(Forge forge, const HttpResponse& response, WallClock::time_point now) {
  const int status = response.status;
  std::optional<milliseconds> retry_after;
  if (auto ra = response.Header("retry-after")) retry_after = ParseRetryAfter(*ra, now);
  if (forge == Forge::kGitHub) {
    if (status != 403 && status != 429) return std::nullopt;
    if (retry_after) return WaitFor(*retry_after, now);
    auto remaining = response.Header("x-ratelimit-remaining");
    if (remaining && Trim(*remaining) == "0") {
      if (auto reset = ParseEpochSeconds(response.Header("x-ratelimit-reset"))) return WaitUntilEpoch(*reset, now);
      return WaitFor(std::chrono::seconds(60), now);
    }
    if (status == 429 || AsciiLower(response.body).find("rate limit") != std::string::npos) {
      return WaitFor(std::chrono::seconds(60), now);
    }
    return std::nullopt;
  }
  if (status != 429) return std::nullopt;
  if (retry_after) return WaitFor(*retry_after, now);
  if (auto reset = ParseEpochSeconds(response.Header("ratelimit-reset"))) return WaitUntilEpoch(*reset, now);
  return WaitFor(std::chrono::seconds(60), now);
}

std::string FormatRfc3339(WallClock::time_point t) {
  std::time_t secs = WallClock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string RateLimitMessage(Forge forge, const std::string& url, const RateLimit& limit, WallClock::time_point now,
                             const std::string& token_env, bool token_sent) {
  long long secs = std::chrono::duration_cast<std::chrono::seconds>(limit.wait + milliseconds(999)).count();
  std::string in = secs < 60 ? std::to_string(secs) + " s" : std::to_string((secs + 59) / 60) + " min";
  std::string msg = std::string(ForgeName(forge)) + " API rate limit exceeded for " + url + "; it resets at " +
                    FormatRfc3339(now + limit.wait) + " (in " + in + "); retry then";
  const std::string env = token_env.empty() ? (forge == Forge::kGitHub ? "GITHUB_TOKEN" : "GITLAB_TOKEN") : token_env;
  if (token_sent) {
    msg += " (the token from " + env + " was sent; its limit is spent)";
  } else {
    msg += ", or set " + env + " to raise the limit";
  }
  return msg;
}

Result<HttpResponse> SendWithRateLimit(HttpClient& http, const HttpRequest& request, Forge forge,
                                       const std::string& token_env, bool token_sent,
                                       const RateLimitPolicy& policy, const std::atomic<bool>* cancel) {
  auto now = [&] { return policy.now ? policy.now() : WallClock::now(); };
  auto cancelled = [&] { return cancel != nullptr && cancel->load(); };
  const std::string url = RedactUrl(request.url);
  for (int waits = 0;; ++waits) {
    if (cancelled()) return Status::Cancelled(request.method + " " + url + ": cancelled");
    Result<HttpResponse> response = http.Send(request);
    if (!response.ok()) return response;
    const WallClock::time_point t = now();
    std::optional<RateLimit> limit = DetectRateLimit(forge, *response, t);
    if (!limit) return response;
    if (limit->wait > policy.max_wait || waits >= policy.max_waits) {
      return Status::Unavailable(RateLimitMessage(forge, url, *limit, t, token_env, token_sent));
    }
    for (milliseconds left = limit->wait; left > milliseconds(0);) {
      if (cancelled()) return Status::Cancelled(request.method + " " + url + ": cancelled while rate limited");
      milliseconds slice = std::min(left, milliseconds(250));
      if (policy.sleep) {
        policy.sleep(slice);
      } else {
        std::this_thread::sleep_for(slice);
      }
      left -= slice;
    }
  }
}

}  // namespace mg
