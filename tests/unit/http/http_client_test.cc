#include "http/http_client.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <optional>
#include <thread>

#include "unit/http/fake_transport.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace std::chrono_literals;
using mg::testing::FakeTransport;
using mg::testing::MakeResponse;

namespace {

struct Fixture {
  FakeTransport transport;
  std::vector<std::chrono::milliseconds> sleeps;
  mg::HttpClientOptions Options() {
    mg::HttpClientOptions o;
    o.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
    o.random = [] { return 1.0; };  // the top of the jitter range: deterministic delays
    return o;
  }
  mg::HttpRequest Get(std::string url = "https://reg.example/v2/") {
    mg::HttpRequest r;
    r.url = std::move(url);
    return r;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(http_client_test)

BOOST_FIXTURE_TEST_CASE(retries_500_then_succeeds, Fixture) {
  transport.Push(MakeResponse(500));
  transport.Push(MakeResponse(200, {}, "ok"));
  mg::HttpClient client(transport, Options());
  auto r = client.Send(Get());
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->status == 200);
  BOOST_TEST(r->body == "ok");
  BOOST_TEST(transport.request_count() == 2u);
  BOOST_REQUIRE(sleeps.size() == 1u);
  BOOST_TEST(sleeps[0].count() == 200);  // base delay, jitter at its top
}

BOOST_FIXTURE_TEST_CASE(backoff_doubles_and_is_capped, Fixture) {
  for (int i = 0; i < 6; ++i) transport.Push(MakeResponse(503));
  auto o = Options();
  o.max_attempts = 6;
  o.max_delay = 1000ms;
  mg::HttpClient client(transport, o);
  auto r = client.Send(Get());
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->status == 503);  // attempts exhausted: the last response is returned
  BOOST_TEST(transport.request_count() == 6u);
  std::vector<long> got;
  for (auto d : sleeps) got.push_back(d.count());
  std::vector<long> want{200, 400, 800, 1000, 1000};
  BOOST_TEST(got == want, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(full_jitter_draws_below_the_ceiling, Fixture) {
  transport.Push(MakeResponse(502));
  transport.Push(MakeResponse(200));
  auto o = Options();
  o.random = [] { return 0.25; };
  mg::HttpClient client(transport, o);
  BOOST_REQUIRE(client.Send(Get()).ok());
  BOOST_REQUIRE(sleeps.size() == 1u);
  BOOST_TEST(sleeps[0].count() == 50);
}

BOOST_FIXTURE_TEST_CASE(honours_retry_after_seconds_on_429, Fixture) {
  transport.Push(MakeResponse(429, {{"Retry-After", "1"}}));
  transport.Push(MakeResponse(200));
  mg::HttpClient client(transport, Options());
  auto r = client.Send(Get());
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->status == 200);
  BOOST_REQUIRE(sleeps.size() == 1u);
  BOOST_TEST(sleeps[0].count() == 1000);
}

BOOST_FIXTURE_TEST_CASE(honours_retry_after_http_date, Fixture) {
  auto o = Options();
  // Fixed "now": 2015-10-21 07:27:30 UTC; the server asks to wait until 07:28:00.
  o.now = [] { return std::chrono::system_clock::from_time_t(1445412450); };
  transport.Push(MakeResponse(503, {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}}));
  transport.Push(MakeResponse(200));
  mg::HttpClient client(transport, o);
  BOOST_REQUIRE(client.Send(Get()).ok());
  BOOST_REQUIRE(sleeps.size() == 1u);
  BOOST_TEST(sleeps[0].count() == 30000);
}

BOOST_FIXTURE_TEST_CASE(retry_after_beyond_cap_returns_at_once, Fixture) {
  transport.Push(MakeResponse(429, {{"Retry-After", "3600"}}));
  transport.Push(MakeResponse(200));
  mg::HttpClient client(transport, Options());
  auto r = client.Send(Get());
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->status == 429);
  BOOST_TEST(transport.request_count() == 1u);
  BOOST_TEST(sleeps.empty());
}

BOOST_FIXTURE_TEST_CASE(no_retry_on_404_or_other_4xx, Fixture) {
  transport.Push(MakeResponse(404));
  transport.Push(MakeResponse(400));
  mg::HttpClient client(transport, Options());
  auto a = client.Send(Get());
  BOOST_REQUIRE(a.ok());
  BOOST_TEST(a->status == 404);
  auto b = client.Send(Get());
  BOOST_REQUIRE(b.ok());
  BOOST_TEST(b->status == 400);
  BOOST_TEST(transport.request_count() == 2u);
  BOOST_TEST(sleeps.empty());
}

BOOST_FIXTURE_TEST_CASE(transport_errors_are_retried_then_reported, Fixture) {
  for (int i = 0; i < 4; ++i) transport.Push(mg::Status::Unavailable("GET https://reg.example/v2/: connection refused"));
  mg::HttpClient client(transport, Options());
  auto r = client.Send(Get());
  BOOST_REQUIRE(!r.ok());
  BOOST_CHECK_MESSAGE(r.status().code() == mg::Status::Code::kUnavailable, r.status().ToString());
  BOOST_TEST(r.status().message().find("https://reg.example/v2/") != std::string::npos);
  BOOST_TEST(r.status().message().find("after 4 attempts") != std::string::npos);
  BOOST_TEST(transport.request_count() == 4u);
  BOOST_TEST(sleeps.size() == 3u);
}

BOOST_FIXTURE_TEST_CASE(an_oversized_body_is_not_retried, Fixture) {
  transport.Push(mg::Status::FailedPrecondition("GET https://reg.example/x: response body exceeds the limit of 10 bytes"));
  transport.Push(MakeResponse(200));
  mg::HttpClient client(transport, Options());
  auto r = client.Send(Get());
  BOOST_REQUIRE(!r.ok());
  BOOST_CHECK(r.status().code() == mg::Status::Code::kFailedPrecondition);
  BOOST_TEST(transport.request_count() == 1u);
  BOOST_TEST(sleeps.empty());
}

BOOST_FIXTURE_TEST_CASE(transport_error_then_success, Fixture) {
  transport.Push(mg::Status::Unavailable("timeout"));
  transport.Push(MakeResponse(200));
  mg::HttpClient client(transport, Options());
  auto r = client.Send(Get());
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->status == 200);
}

BOOST_AUTO_TEST_CASE(per_host_limit_bounds_concurrency) {
  FakeTransport transport;
  std::atomic<int> current{0}, peak{0}, other_host{0};
  transport.handler = [&](const mg::HttpRequest& req) -> mg::Result<mg::HttpResponse> {
    if (req.url.find("a.example") == std::string::npos) {
      ++other_host;
      return MakeResponse(200);
    }
    int now = ++current;
    int prev = peak.load();
    while (now > prev && !peak.compare_exchange_weak(prev, now)) {
    }
    std::this_thread::sleep_for(20ms);
    --current;
    return MakeResponse(200);
  };
  mg::HttpClientOptions o;
  o.max_per_host = 2;
  mg::HttpClient client(transport, o);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      mg::HttpRequest r;
      r.url = i % 4 == 3 ? "https://b.example/x" : "https://a.example:443/x";
      (void)client.Send(r);
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(peak.load() <= 2);
  BOOST_TEST(peak.load() >= 1);
  BOOST_TEST(other_host.load() == 2);
  BOOST_TEST(transport.request_count() == 8u);
}

BOOST_FIXTURE_TEST_CASE(body_sink_gets_a_whole_body_from_a_non_streaming_transport, Fixture) {
  transport.Push(MakeResponse(500, {}, "busy"));  // not for the sink; retried
  transport.Push(MakeResponse(200, {}, "blob-bytes"));
  mg::HttpClient client(transport, Options());
  std::string got;
  auto req = Get();
  req.body_sink = [&](std::string_view piece) {
    got += piece;
    return true;
  };
  auto r = client.Send(req);
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->status == 200);
  BOOST_TEST(r->body.empty());
  BOOST_TEST(got == "blob-bytes");
  BOOST_TEST(transport.request_count() == 2u);
}

BOOST_FIXTURE_TEST_CASE(no_retry_once_the_sink_has_bytes, Fixture) {
  int calls = 0;
  transport.handler = [&](const mg::HttpRequest& r) -> mg::Result<mg::HttpResponse> {
    ++calls;
    if (calls == 1) return mg::Status::Unavailable("connection refused");  // nothing delivered: retried
    r.body_sink("partial");
    return mg::Status::Unavailable("connection reset");
  };
  mg::HttpClient client(transport, Options());
  std::string got;
  auto req = Get();
  req.body_sink = [&](std::string_view piece) {
    got += piece;
    return true;
  };
  auto r = client.Send(req);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.status().message().find("connection reset") != std::string::npos);
  BOOST_TEST(calls == 2);
  BOOST_TEST(got == "partial");  // delivered once, never twice
}

BOOST_AUTO_TEST_CASE(parse_retry_after_forms) {
  auto now = std::chrono::system_clock::from_time_t(1445412450);
  BOOST_TEST(mg::ParseRetryAfter("120", now)->count() == 120000);
  BOOST_TEST(mg::ParseRetryAfter(" 0 ", now)->count() == 0);
  BOOST_TEST(mg::ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now)->count() == 30000);
  BOOST_TEST(mg::ParseRetryAfter("Wednesday, 21-Oct-15 07:28:00 GMT", now)->count() == 30000);
  BOOST_TEST(mg::ParseRetryAfter("Wed Oct 21 07:28:00 2015", now)->count() == 30000);
  BOOST_TEST(mg::ParseRetryAfter("Tue, 20 Oct 2015 07:28:00 GMT", now)->count() == 0);  // past
  BOOST_TEST(!mg::ParseRetryAfter("soon", now).has_value());
  BOOST_TEST(!mg::ParseRetryAfter("", now).has_value());
  BOOST_TEST(!mg::ParseRetryAfter("-5", now).has_value());
}

// Dates centuries away do not fit system_clock's nanoseconds (found by headers_fuzz: signed
// overflow): long past is 0, far future is capped like a huge delta-seconds value.
BOOST_AUTO_TEST_CASE(parse_retry_after_far_dates) {
  auto now = std::chrono::system_clock::from_time_t(1445412450);
  const auto year = std::chrono::milliseconds(std::chrono::hours(24 * 365));
  BOOST_TEST(mg::ParseRetryAfter("Sun Nov  6 08:49:37 1", now)->count() == 0);
  BOOST_TEST(mg::ParseRetryAfter("Mon, 01 Jan 0001 00:00:00 GMT", now)->count() == 0);
  BOOST_TEST(mg::ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now)->count() == year.count());
  BOOST_TEST(mg::ParseRetryAfter("Fri, 31 Dec 2100 23:59:59 GMT", now)->count() == year.count());
  BOOST_TEST(mg::ParseRetryAfter("9999999999", now)->count() == year.count());
}

// A retry wait ends as soon as the client's token is cancelled (the default sleep waits on it), and
// no attempt follows; a cancelled client sends nothing.
BOOST_AUTO_TEST_CASE(cancel_ends_a_retry_wait_and_stops_sending) {
  FakeTransport transport;
  transport.handler = [](const mg::HttpRequest&) -> mg::Result<mg::HttpResponse> {
    return MakeResponse(503, {{"Retry-After", "10"}});  // three waits of 10 s without cancellation
  };
  mg::CancelToken cancel;
  mg::HttpClientOptions o;
  o.cancel = &cancel;
  mg::HttpClient client(transport, o);
  std::optional<mg::Result<mg::HttpResponse>> result;
  std::thread sender([&] {
    mg::HttpRequest req;
    req.url = "https://reg.example/v2/";
    result = client.Send(req);
  });
  while (transport.request_count() == 0) std::this_thread::sleep_for(1ms);
  cancel.Cancel();
  sender.join();
  BOOST_REQUIRE(result.has_value());
  BOOST_REQUIRE(!result->ok());
  BOOST_CHECK(result->status().code() == mg::Status::Code::kCancelled);
  BOOST_TEST(result->status().message() == "GET https://reg.example/v2/: cancelled");
  BOOST_TEST(transport.request_count() == 1u);

  mg::HttpRequest again;
  again.url = "https://reg.example/v2/";
  auto r = client.Send(again);
  BOOST_REQUIRE(!r.ok());
  BOOST_CHECK(r.status().code() == mg::Status::Code::kCancelled);
  BOOST_TEST(transport.request_count() == 1u);
  BOOST_CHECK(client.Pause(1h, "a manifest PUT").code() == mg::Status::Code::kCancelled);
}

BOOST_AUTO_TEST_CASE(describe_request_redacts_credentials_and_secret_queries) {
  mg::HttpRequest req;
  req.method = "PATCH";
  req.url = "https://u:p@reg.example/v2/a/blobs/uploads/u1?_state=SECRET";
  BOOST_TEST(mg::DescribeRequest(req) == "PATCH https://reg.example/v2/a/blobs/uploads/u1?_state=SECRET");
  req.redact_query = true;
  BOOST_TEST(mg::DescribeRequest(req) == "PATCH https://reg.example/v2/a/blobs/uploads/u1?<redacted>");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
