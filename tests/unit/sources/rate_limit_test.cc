#include "sources/rate_limit.h"

#include <boost/test/unit_test.hpp>

#include "unit/http/fake_transport.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::Forge;
using mg::testing::MakeResponse;
using Clock = std::chrono::system_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

const Clock::time_point kNow = Clock::time_point(seconds(1700000000));  // 2023-11-14T22:13:20Z

mg::HttpClientOptions NoSleep() {
  mg::HttpClientOptions o;
  o.sleep = [](milliseconds) {};
  o.now = [] { return kNow; };
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rate_limit_test)

BOOST_AUTO_TEST_CASE(github_primary_limit_waits_until_reset) {
  auto r = MakeResponse(403, {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", "1700000090"}});
  auto limit = mg::DetectRateLimit(Forge::kGitHub, r, kNow);
  BOOST_REQUIRE(limit.has_value());
  BOOST_TEST(limit->wait.count() == 90000);
  BOOST_TEST(mg::FormatRfc3339(limit->resets) == "2023-11-14T22:14:50Z");
}

BOOST_AUTO_TEST_CASE(github_reset_in_the_past_means_no_wait) {
  auto r = MakeResponse(429, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1699999000"}});
  auto limit = mg::DetectRateLimit(Forge::kGitHub, r, kNow);
  BOOST_REQUIRE(limit.has_value());
  BOOST_TEST(limit->wait.count() == 0);
}

BOOST_AUTO_TEST_CASE(reset_epochs_far_ahead_are_capped_not_overflowed) {
  // 12 digits parse; as nanoseconds since the epoch they would overflow int64 (UB, a wrapped time).
  for (const char* reset : {"9223372037", "99999999999", "999999999999"}) {
    auto r = MakeResponse(403, {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", reset}});
    auto limit = mg::DetectRateLimit(Forge::kGitHub, r, kNow);
    BOOST_REQUIRE(limit.has_value());
    BOOST_TEST(limit->wait == std::chrono::duration_cast<milliseconds>(seconds(365LL * 24 * 3600)), reset);
    BOOST_TEST(mg::FormatRfc3339(limit->resets) == "2024-11-13T22:13:20Z", reset);
  }
  auto g = MakeResponse(429, {{"RateLimit-Reset", "99999999999"}});
  auto limit = mg::DetectRateLimit(Forge::kGitLab, g, kNow);
  BOOST_REQUIRE(limit.has_value());
  BOOST_TEST(limit->wait == std::chrono::duration_cast<milliseconds>(seconds(365LL * 24 * 3600)));
}

BOOST_AUTO_TEST_CASE(github_retry_after_wins_over_reset) {
  auto r = MakeResponse(403, {{"retry-after", "7"}, {"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1700000090"}});
  auto limit = mg::DetectRateLimit(Forge::kGitHub, r, kNow);
  BOOST_REQUIRE(limit.has_value());
  BOOST_TEST(limit->wait.count() == 7000);
}

BOOST_AUTO_TEST_CASE(github_plain_403_is_not_a_rate_limit) {
  BOOST_TEST(!mg::DetectRateLimit(Forge::kGitHub, MakeResponse(403, {}, R"({"message":"Forbidden"})"), kNow));
  BOOST_TEST(!mg::DetectRateLimit(Forge::kGitHub, MakeResponse(403, {{"x-ratelimit-remaining", "12"}}), kNow));
  BOOST_TEST(!mg::DetectRateLimit(Forge::kGitHub, MakeResponse(200, {{"x-ratelimit-remaining", "0"}}), kNow));
  // A secondary limit says so in its body.
  auto secondary = mg::DetectRateLimit(
      Forge::kGitHub, MakeResponse(403, {}, R"({"message":"You have exceeded a secondary rate limit"})"), kNow);
  BOOST_REQUIRE(secondary.has_value());
  BOOST_TEST(secondary->wait.count() == 60000);
}

BOOST_AUTO_TEST_CASE(gitlab_limits_are_429_only) {
  BOOST_TEST(!mg::DetectRateLimit(Forge::kGitLab, MakeResponse(403, {{"ratelimit-remaining", "0"}}), kNow));
  auto reset = mg::DetectRateLimit(
      Forge::kGitLab, MakeResponse(429, {{"RateLimit-Remaining", "0"}, {"RateLimit-Reset", "1700000005"}}), kNow);
  BOOST_REQUIRE(reset.has_value());
  BOOST_TEST(reset->wait.count() == 5000);
  auto ra = mg::DetectRateLimit(Forge::kGitLab, MakeResponse(429, {{"Retry-After", "3"}}), kNow);
  BOOST_REQUIRE(ra.has_value());
  BOOST_TEST(ra->wait.count() == 3000);
}

BOOST_AUTO_TEST_CASE(message_names_reset_time_and_token_variable) {
  mg::RateLimit limit{milliseconds(25 * 60 * 1000), kNow + std::chrono::minutes(25)};
  std::string m = mg::RateLimitMessage(Forge::kGitHub, "https://api.github.com/repos/a/b/releases", limit, kNow,
                                       "GITHUB_TOKEN", false);
  BOOST_TEST(m == "GitHub API rate limit exceeded for https://api.github.com/repos/a/b/releases; it resets at "
                  "2023-11-14T22:38:20Z (in 25 min); retry then, or set GITHUB_TOKEN to raise the limit");
  std::string sent = mg::RateLimitMessage(Forge::kGitLab, "u", limit, kNow, "MY_TOKEN", true);
  BOOST_TEST(sent.find("GitLab API rate limit exceeded for u") == 0u);
  BOOST_TEST(sent.find("the token from MY_TOKEN was sent") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(short_wait_is_slept_then_retried) {
  mg::testing::FakeTransport t;
  t.Push(MakeResponse(403, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1700000003"}}));
  t.Push(MakeResponse(200, {}, "[]"));
  mg::HttpClient http(t, NoSleep());
  milliseconds slept{0};
  mg::RateLimitPolicy policy;
  policy.sleep = [&](milliseconds d) { slept += d; };
  policy.now = [] { return kNow; };
  mg::HttpRequest req;
  req.url = "https://api.example/x";
  auto r = mg::SendWithRateLimit(http, req, Forge::kGitHub, "GITHUB_TOKEN", false, policy, nullptr);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->status == 200);
  BOOST_TEST(slept.count() == 3000);
  BOOST_TEST(t.request_count() == 2u);
}

BOOST_AUTO_TEST_CASE(long_wait_fails_at_once) {
  mg::testing::FakeTransport t;
  t.Push(MakeResponse(403, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1700003600"}}));
  mg::HttpClient http(t, NoSleep());
  mg::RateLimitPolicy policy;
  policy.max_wait = seconds(60);
  bool slept = false;
  policy.sleep = [&](milliseconds) { slept = true; };
  policy.now = [] { return kNow; };
  mg::HttpRequest req;
  req.url = "https://user:pw@api.example/x";
  auto r = mg::SendWithRateLimit(http, req, Forge::kGitHub, "GITHUB_TOKEN", false, policy, nullptr);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kUnavailable));
  BOOST_TEST(r.status().message().find("2023-11-14T23:13:20Z (in 60 min)") != std::string::npos,
             r.status().message());
  BOOST_TEST(r.status().message().find("https://api.example/x") != std::string::npos);
  BOOST_TEST(r.status().message().find("pw") == std::string::npos);
  BOOST_TEST(!slept);
  BOOST_TEST(t.request_count() == 1u);
}

BOOST_AUTO_TEST_CASE(gives_up_after_max_waits) {
  mg::testing::FakeTransport t;
  t.handler = [](const mg::HttpRequest&) {
    return MakeResponse(429, {{"ratelimit-reset", "1700000001"}}, "");
  };
  mg::HttpClientOptions o = NoSleep();
  o.max_attempts = 1;
  mg::HttpClient http(t, o);
  mg::RateLimitPolicy policy;
  policy.max_waits = 2;
  policy.sleep = [](milliseconds) {};
  policy.now = [] { return kNow; };
  mg::HttpRequest req;
  req.url = "https://gitlab.example/api/v4/x";
  auto r = mg::SendWithRateLimit(http, req, Forge::kGitLab, "GITLAB_TOKEN", false, policy, nullptr);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.status().message().find("GITLAB_TOKEN") != std::string::npos);
  BOOST_TEST(t.request_count() == 3u);
}

BOOST_AUTO_TEST_CASE(cancel_interrupts_the_wait) {
  mg::testing::FakeTransport t;
  t.Push(MakeResponse(403, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1700000030"}}));
  mg::HttpClient http(t, NoSleep());
  std::atomic<bool> cancel{false};
  int slices = 0;
  mg::RateLimitPolicy policy;
  policy.sleep = [&](milliseconds) {
    if (++slices == 3) cancel = true;
  };
  policy.now = [] { return kNow; };
  mg::HttpRequest req;
  req.url = "https://api.example/x";
  auto r = mg::SendWithRateLimit(http, req, Forge::kGitHub, "GITHUB_TOKEN", false, policy, &cancel);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kCancelled));
  BOOST_TEST(slices == 3);
  BOOST_TEST(t.request_count() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
