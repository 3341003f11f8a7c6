// CountingTransport: responses by host role and status code, failures, accepted upload bytes and
// the forge rate-limit headers, with the answer passed through unchanged.
#include "http/counting_transport.h"

#include <boost/test/unit_test.hpp>

#include <thread>
#include <vector>

#include "unit/http/fake_transport.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::CountingTransport;
using mg::HttpCounts;
using mg::HttpRequest;
using mg::Status;
using mg::testing::FakeTransport;
using mg::testing::MakeResponse;

namespace {

HttpRequest Req(std::string method, std::string url, std::string body = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = std::move(body);
  return r;
}

uint64_t Responses(const HttpCounts& c, const std::string& role, const std::string& code) {
  auto it = c.responses.find({role, code});
  return it == c.responses.end() ? 0 : it->second;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(counting_transport_test)

BOOST_AUTO_TEST_CASE(counts_responses_by_role_and_code_and_passes_them_through) {
  FakeTransport inner;
  inner.handler = [](const HttpRequest& r) -> mg::Result<mg::HttpResponse> {
    if (r.url.find("/missing") != std::string::npos) return MakeResponse(404, {}, "nope");
    return MakeResponse(200, {}, "ok");
  };
  CountingTransport t(inner);
  t.SetRole("http://127.0.0.1:5000", "registry");
  auto a = t.Send(Req("GET", "http://127.0.0.1:5000/v2/"));
  BOOST_REQUIRE(a.ok());
  BOOST_TEST(a->status == 200);
  BOOST_TEST(a->body == "ok");
  (void)t.Send(Req("HEAD", "http://127.0.0.1:5000/v2/x/manifests/missing"));
  (void)t.Send(Req("HEAD", "http://127.0.0.1:5000/v2/y/manifests/missing"));
  (void)t.Send(Req("GET", "https://downloads.example/file"));  // no role set: the default
  (void)t.Send(Req("GET", "http://127.0.0.1:5001/v2/"));       // another port: another host
  HttpCounts c = t.counts();
  BOOST_TEST(Responses(c, "registry", "200") == 1u);
  BOOST_TEST(Responses(c, "registry", "404") == 2u);
  BOOST_TEST(Responses(c, "upstream", "200") == 2u);
  BOOST_TEST(c.responses.size() == 3u);
  BOOST_TEST(c.failures.empty());
  BOOST_TEST(inner.request_count() == 5u);
}

BOOST_AUTO_TEST_CASE(a_transport_failure_is_counted_as_a_failure_and_returned) {
  FakeTransport inner;
  inner.Push(Status::Unavailable("GET http://127.0.0.1:9/: connection refused"));
  CountingTransport t(inner, "other");
  auto r = t.Send(Req("GET", "http://127.0.0.1:9/"));
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.status().message() == "GET http://127.0.0.1:9/: connection refused");
  HttpCounts c = t.counts();
  BOOST_TEST(c.failures["other"] == 1u);
  BOOST_TEST(c.responses.empty());
}

BOOST_AUTO_TEST_CASE(upload_bytes_count_only_when_accepted) {
  FakeTransport inner;
  inner.Push(MakeResponse(202));  // PATCH accepted
  inner.Push(MakeResponse(201));  // PUT accepted
  inner.Push(MakeResponse(400));  // PUT refused: not counted
  inner.Push(MakeResponse(200));  // GET with a body: not an upload
  CountingTransport t(inner);
  t.SetRole("http://reg:5000", "registry");
  (void)t.Send(Req("PATCH", "http://reg:5000/v2/a/blobs/uploads/1", std::string(1000, 'x')));
  (void)t.Send(Req("PUT", "http://reg:5000/v2/a/blobs/uploads/1?digest=sha256:0", std::string(24, 'y')));
  (void)t.Send(Req("PUT", "http://reg:5000/v2/a/manifests/1", std::string(500, 'z')));
  (void)t.Send(Req("GET", "http://reg:5000/v2/", std::string(7, 'g')));
  HttpCounts c = t.counts();
  BOOST_TEST(c.sent_bytes["registry"] == 1024u);
  BOOST_TEST(c.sent_bytes.size() == 1u);
}

BOOST_AUTO_TEST_CASE(forge_rate_limit_headers_record_the_last_value_and_mark_the_host_a_forge) {
  FakeTransport inner;
  inner.Push(MakeResponse(200, {{"X-RateLimit-Remaining", "4999"}}));
  inner.Push(MakeResponse(200, {{"X-RateLimit-Remaining", "4998"}}));
  inner.Push(MakeResponse(304));  // no header: the host stays a forge, the value stays
  inner.Push(MakeResponse(200, {{"RateLimit-Remaining", " 7 "}}));  // GitLab's name, padded
  inner.Push(MakeResponse(200, {{"RateLimit-Remaining", "lots"}}));   // not a number: ignored
  inner.Push(MakeResponse(200, {{"RateLimit-Remaining", "-3"}}));     // negative: ignored
  CountingTransport t(inner);
  (void)t.Send(Req("GET", "https://api.github.com/repos/o/r/releases"));
  (void)t.Send(Req("GET", "https://api.github.com/repos/o/r/releases?page=2"));
  (void)t.Send(Req("GET", "https://api.github.com/repos/o/r/releases?page=3"));
  (void)t.Send(Req("GET", "https://gitlab.example/api/v4/projects/1/repository/tags"));
  (void)t.Send(Req("GET", "https://gitlab.example/api/v4/projects/1/repository/tags?page=2"));
  (void)t.Send(Req("GET", "https://gitlab.example/api/v4/projects/1/repository/tags?page=3"));
  HttpCounts c = t.counts();
  BOOST_TEST(c.rate_limit_remaining["api.github.com:443"] == 4998);
  BOOST_TEST(c.rate_limit_remaining["gitlab.example:443"] == 7);
  BOOST_TEST(c.rate_limit_remaining.size() == 2u);
  BOOST_TEST(Responses(c, "forge", "200") == 5u);
  BOOST_TEST(Responses(c, "forge", "304") == 1u);
  BOOST_TEST(Responses(c, "upstream", "200") == 0u);
}

BOOST_AUTO_TEST_CASE(a_set_role_is_not_replaced_by_the_forge_guess) {
  FakeTransport inner;
  inner.Push(MakeResponse(200, {{"X-RateLimit-Remaining", "10"}}));
  CountingTransport t(inner);
  t.SetRole("https://reg.example", "registry");
  (void)t.Send(Req("GET", "https://reg.example/v2/"));
  HttpCounts c = t.counts();
  BOOST_TEST(Responses(c, "registry", "200") == 1u);
  BOOST_TEST(Responses(c, "forge", "200") == 0u);
}

BOOST_AUTO_TEST_CASE(concurrent_sends_are_all_counted) {
  FakeTransport inner;
  inner.handler = [](const HttpRequest&) -> mg::Result<mg::HttpResponse> { return MakeResponse(200); };
  CountingTransport t(inner);
  t.SetRole("http://reg:5000", "registry");
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&t] {
      for (int i = 0; i < 250; ++i) (void)t.Send(Req("GET", "http://reg:5000/v2/"));
    });
  }
  for (auto& th : threads) th.join();
  BOOST_TEST(Responses(t.counts(), "registry", "200") == 1000u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
