#include "http/http_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <random>
#include <thread>

namespace mg {
namespace {

bool IsRetryableStatus(int status) {
  return status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505);
}

double DefaultRandom() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

// A longer Retry-After (a huge delta or a date far ahead) counts as this long.
constexpr std::chrono::milliseconds kLongestRetryAfter = std::chrono::hours(24 * 365);

}  // namespace

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view raw,
                                                         std::chrono::system_clock::time_point now) {
  size_t b = raw.find_first_not_of(" \t");
  if (b == std::string_view::npos) return std::nullopt;
  size_t e = raw.find_last_not_of(" \t");
  std::string_view value = raw.substr(b, e - b + 1);
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return kLongestRetryAfter;
    long long secs = std::stoll(std::string(value));
    return std::min(std::chrono::milliseconds(secs * 1000), kLongestRetryAfter);
  }
  static const char* kFormats[] = {
      "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate
      "%A, %d-%b-%y %H:%M:%S GMT",  // RFC 850
      "%a %b %d %H:%M:%S %Y",       // asctime
  };
  std::string text(value);
  for (const char* fmt : kFormats) {
    std::tm tm{};
    const char* end = strptime(text.c_str(), fmt, &tm);
    if (end == nullptr || *end != '\0') continue;
    time_t t = timegm(&tm);
    if (t == static_cast<time_t>(-1)) continue;
    return WaitUntilUnixTime(static_cast<long long>(t), now);
  }
  return std::nullopt;
}

std::chrono::milliseconds WaitUntilUnixTime(long long epoch_seconds, std::chrono::system_clock::time_point now) {
  const long long now_seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (epoch_seconds <= now_seconds - 1) return std::chrono::milliseconds(0);
  if (epoch_seconds - now_seconds >= std::chrono::duration_cast<std::chrono::seconds>(kLongestRetryAfter).count()) {
    return kLongestRetryAfter;
  }
  const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(epoch_seconds));
  return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(when - now), std::chrono::milliseconds(0));
}

HttpClient::HttpClient(HttpTransport& transport, HttpClientOptions options)
    : transport_(transport), options_(std::move(options)) {
  if (options_.max_attempts < 1) options_.max_attempts = 1;
  if (options_.max_per_host < 1) options_.max_per_host = 1;
  if (!options_.sleep) {
    if (const CancelToken* cancel = options_.cancel) {
      options_.sleep = [cancel](std::chrono::milliseconds d) { cancel->WaitFor(d); };
    } else {
      options_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
    }
  }
  if (!options_.random) options_.random = &DefaultRandom;
  if (!options_.now) options_.now = [] { return std::chrono::system_clock::now(); };
}

void HttpClient::AcquireHost(const std::string& key) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return in_flight_[key] < options_.max_per_host; });
  ++in_flight_[key];
}

void HttpClient::ReleaseHost(const std::string& key) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (--in_flight_[key] <= 0) in_flight_.erase(key);
  }
  cv_.notify_all();
}

std::chrono::milliseconds HttpClient::Backoff(int attempt) {
  // Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))].
  double ceiling = static_cast<double>(options_.base_delay.count());
  for (int i = 1; i < attempt && ceiling < options_.max_delay.count(); ++i) ceiling *= 2;
  ceiling = std::min(ceiling, static_cast<double>(options_.max_delay.count()));
  double r = std::clamp(options_.random(), 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(ceiling * r));
}

Status HttpClient::Pause(std::chrono::milliseconds delay, const std::string& what) {
  if (cancelled()) return Status::Cancelled(what + ": cancelled");
  options_.sleep(delay);
  if (cancelled()) return Status::Cancelled(what + ": cancelled");
  return Status::OK();
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  const std::string key = HostPortKey(request.url);
  const std::string what = DescribeRequest(request);
  // With a body sink, note whether an attempt delivered bytes: those cannot be taken back, so
  // that attempt is never retried.
  bool delivered = false;
  HttpRequest streaming;
  if (request.body_sink) {
    streaming = request;
    streaming.body_sink = [&delivered, &request](std::string_view piece) {
      delivered = true;
      return request.body_sink(piece);
    };
  }
  const HttpRequest& to_send = request.body_sink ? streaming : request;
  for (int attempt = 1;; ++attempt) {
    if (cancelled()) return Status::Cancelled(what + ": cancelled");
    AcquireHost(key);
    Result<HttpResponse> result = transport_.Send(to_send);
    ReleaseHost(key);
    if (request.body_sink && result.ok() && result->status >= 200 && result->status < 300 && !delivered &&
        !result->body.empty()) {
      // A transport that does not stream (a test fake) returned the body whole: hand it over.
      std::string body = std::move(result->body);
      result->body.clear();
      delivered = true;
      if (!request.body_sink(body)) return Status::Cancelled(what + ": the response body's consumer stopped the transfer");
    }

    const bool last = attempt >= options_.max_attempts;
    std::chrono::milliseconds delay;
    if (!result.ok()) {
      // Only transport failures are worth another attempt; an oversized answer would come again,
      // and bytes already streamed to a body sink cannot be taken back.
      if (result.status().code() != Status::Code::kUnavailable || delivered) return result;
      if (last) {
        if (options_.max_attempts == 1) return result;
        return result.status().WithContext("after " + std::to_string(attempt) + " attempts");
      }
      delay = Backoff(attempt);
      // The transport's message already names the method and URL.
      spdlog::debug("{}; retrying in {} ms", result.status().message(), delay.count());
    } else {
      const int status = result->status;
      if (!IsRetryableStatus(status) || last) return result;
      delay = Backoff(attempt);
      if (auto ra = result->Header("retry-after")) {
        if (auto parsed = ParseRetryAfter(*ra, options_.now())) {
          if (*parsed > options_.max_retry_after) {
            spdlog::debug("{}: HTTP {} with Retry-After {} ms beyond the {} ms cap; not retrying", what,
                          status, parsed->count(), options_.max_retry_after.count());
            return result;
          }
          delay = *parsed;
        }
      }
      spdlog::debug("{}: HTTP {}; retrying in {} ms (attempt {}/{})", what, status, delay.count(),
                    attempt + 1, options_.max_attempts);
    }
    MG_RETURN_IF_ERROR(Pause(delay, what));
  }
}

}  // namespace mg
