#include "http/curl_transport.h"

#include "http/libcurl.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "unit/http/loopback_server.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

// The routes of the loopback server the transport is exercised against.
mg::testing::ServedReply Route(const mg::testing::ServedRequest& r) {
  if (r.target == "/hello") return {200, "X-Multi: a\r\nX-Multi: b\r\nContent-Type: text/plain\r\n", "hello"};
  if (r.target == "/slow") {  // keeps requests of several threads in flight at once
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return {200, "", "slow"};
  }
  if (r.target == "/big") return {200, "", std::string(4096, 'x')};
  if (r.target == "/redirect") return {302, "Location: /hello\r\nX-Hop: 1\r\n", ""};
  if (r.target == "/stall") return {.stall = true};  // never answers: holds the connection until the server stops
  if (r.target == "/echo") return {201, "X-Method: " + r.method + "\r\n", r.body};
  return {404, "", "nope"};
}

struct TinyServer : mg::testing::LoopbackServer {
  TinyServer() : LoopbackServer(Route) {}
};

int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(curl_transport_test)

BOOST_AUTO_TEST_CASE(get_collects_status_headers_and_body) {
  TinyServer server;
  mg::CurlTransport transport;
  mg::HttpRequest req;
  req.url = server.Url("/hello");
  auto r = transport.Send(req);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->status == 200);
  BOOST_TEST(r->body == "hello");
  BOOST_TEST(r->headers.at("x-multi") == "a, b");
  BOOST_TEST(*r->Header("Content-Type") == "text/plain");
  BOOST_TEST(r->effective_url == server.Url("/hello"));
}

BOOST_AUTO_TEST_CASE(head_has_no_body) {
  TinyServer server;
  mg::CurlTransport transport;
  mg::HttpRequest req;
  req.method = "HEAD";
  req.url = server.Url("/hello");
  auto r = transport.Send(req);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->status == 200);
  BOOST_TEST(r->body.empty());
  BOOST_TEST(*r->Header("content-length") == "5");
}

BOOST_AUTO_TEST_CASE(follows_redirects_keeping_final_headers_only) {
  TinyServer server;
  mg::CurlTransport transport;
  mg::HttpRequest req;
  req.url = server.Url("/redirect");
  auto r = transport.Send(req);
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->status == 200);
  BOOST_TEST(r->body == "hello");
  BOOST_TEST(!r->Header("x-hop").has_value());
  BOOST_TEST(r->effective_url == server.Url("/hello"));
  req.follow_redirects = false;
  auto r2 = transport.Send(req);
  BOOST_REQUIRE(r2.ok());
  BOOST_TEST(r2->status == 302);
  BOOST_TEST(*r2->Header("location") == "/hello");
}

BOOST_AUTO_TEST_CASE(put_sends_the_body) {
  TinyServer server;
  mg::CurlTransport transport;
  mg::HttpRequest req;
  req.method = "PUT";
  req.url = server.Url("/echo");
  req.body = std::string("{\"a\":1}\0z", 9);
  req.headers = {{"Content-Type", "application/json"}};
  auto r = transport.Send(req);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->status == 201);
  BOOST_TEST(*r->Header("x-method") == "PUT");
  BOOST_TEST(r->body == req.body);
}

BOOST_AUTO_TEST_CASE(reuses_connections_across_requests_and_threads) {
  TinyServer server;
  mg::CurlTransport transport;
  for (int i = 0; i < 5; ++i) {
    mg::HttpRequest req;
    req.url = server.Url("/hello");
    BOOST_REQUIRE(transport.Send(req).ok());
  }
  BOOST_TEST(server.connections() == 1);
  std::thread t([&] {
    mg::HttpRequest req;
    req.url = server.Url("/hello");
    BOOST_CHECK(transport.Send(req).ok());
  });
  t.join();
  BOOST_TEST(server.connections() == 1);  // the shared connection cache served the other thread
}

// More requests in flight than libcurl's default pool size (5): each thread's connection stays
// open for its next request instead of being closed when another request finishes.
BOOST_AUTO_TEST_CASE(concurrent_requests_keep_their_connections) {
  TinyServer server;
  mg::CurlTransport transport;
  constexpr int kThreads = 8, kRequests = 25;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRequests; ++i) {
        mg::HttpRequest req;
        req.method = "HEAD";
        req.url = server.Url("/slow");
        mg::Result<mg::HttpResponse> r = transport.Send(req);
        if (r.ok() && r->status == 200) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  BOOST_TEST(good.load() == kThreads * kRequests);
  BOOST_TEST(server.connections() <= kThreads);
}

BOOST_AUTO_TEST_CASE(body_over_the_limit_is_an_error) {
  TinyServer server;
  mg::CurlTransport transport;
  mg::HttpRequest req;
  req.url = server.Url("/big");
  req.max_body_bytes = 1000;
  auto r = transport.Send(req);
  BOOST_REQUIRE(!r.ok());
  BOOST_CHECK(r.status().code() == mg::Status::Code::kFailedPrecondition);
  BOOST_TEST(r.status().message().find("exceeds the limit of 1000 bytes") != std::string::npos);
  BOOST_TEST(r.status().message().find(server.Url("/big")) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(body_sink_streams_success_bodies_only) {
  TinyServer server;
  mg::CurlTransport transport;
  mg::HttpRequest req;
  req.url = server.Url("/big");
  req.max_body_bytes = 1000;  // does not apply to a streamed body
  std::string got;
  int pieces = 0;
  req.body_sink = [&](std::string_view piece) {
    got += piece;
    ++pieces;
    return true;
  };
  auto r = transport.Send(req);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->status == 200);
  BOOST_TEST(r->body.empty());
  BOOST_TEST(got == std::string(4096, 'x'));
  BOOST_TEST(pieces >= 1);

  got.clear();
  req.url = server.Url("/missing");
  auto missing = transport.Send(req);
  BOOST_REQUIRE(missing.ok());
  BOOST_TEST(missing->status == 404);
  BOOST_TEST(missing->body == "nope");  // an error body stays in the response
  BOOST_TEST(got.empty());

  req.url = server.Url("/big");
  req.body_sink = [](std::string_view) { return false; };
  auto stopped = transport.Send(req);
  BOOST_REQUIRE(!stopped.ok());
  BOOST_CHECK(stopped.status().code() == mg::Status::Code::kCancelled);
  BOOST_TEST(stopped.status().message().find("consumer stopped the transfer") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(connection_refused_names_the_redacted_url) {
  mg::CurlTransport transport;
  mg::HttpRequest req;
  req.url = "http://alice:hunter2@127.0.0.1:" + std::to_string(UnusedPort()) + "/v2/";
  req.timeout = std::chrono::seconds(10);
  auto r = transport.Send(req);
  BOOST_REQUIRE(!r.ok());
  BOOST_CHECK(r.status().code() == mg::Status::Code::kUnavailable);
  BOOST_TEST(r.status().message().find("/v2/") != std::string::npos);
  BOOST_TEST(r.status().message().find("hunter2") == std::string::npos);
  BOOST_TEST(r.status().message().find("alice") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(rejects_other_schemes) {
  mg::CurlTransport transport;
  mg::HttpRequest req;
  req.url = "file:///etc/passwd";
  auto r = transport.Send(req);
  BOOST_REQUIRE(!r.ok());
  BOOST_CHECK(r.status().code() == mg::Status::Code::kInvalidArgument);
}

// A cancelled token aborts a transfer in progress (the server never answers) and stops new ones.
BOOST_AUTO_TEST_CASE(cancel_aborts_a_transfer_in_progress) {
  TinyServer server;
  mg::CancelToken cancel;
  mg::CurlTransportOptions options;
  options.cancel = &cancel;
  mg::CurlTransport transport(options);
  mg::HttpRequest req;
  req.url = server.Url("/stall");
  req.timeout = std::chrono::seconds(30);  // without cancellation the send would end by this timeout
  std::optional<mg::Result<mg::HttpResponse>> result;
  std::thread sender([&] { result = transport.Send(req); });
  while (server.stalled() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  cancel.Cancel();
  sender.join();
  BOOST_REQUIRE(result.has_value());
  BOOST_REQUIRE(!result->ok());
  BOOST_CHECK(result->status().code() == mg::Status::Code::kCancelled);
  BOOST_TEST(result->status().message().find("cancelled") != std::string::npos, result->status().message());

  req.url = server.Url("/hello");
  auto after = transport.Send(req);
  BOOST_REQUIRE(!after.ok());
  BOOST_CHECK(after.status().code() == mg::Status::Code::kCancelled);
  BOOST_TEST(server.connections() == 1);  // nothing new was sent
}

// A request whose query is a server's secret (an upload session's _state) is named without it.
BOOST_AUTO_TEST_CASE(errors_name_a_redacted_query_without_it) {
  mg::CurlTransport transport;
  mg::HttpRequest req;
  req.method = "PUT";
  req.url = "http://127.0.0.1:" + std::to_string(UnusedPort()) + "/v2/a/blobs/uploads/u1?_state=SECRETSTATE&digest=x";
  req.redact_query = true;
  auto r = transport.Send(req);
  BOOST_REQUIRE(!r.ok());
  const std::string message = r.status().message();
  BOOST_TEST(message.find("PUT http://127.0.0.1:") != std::string::npos, message);
  BOOST_TEST(message.find("/v2/a/blobs/uploads/u1?<redacted>") != std::string::npos, message);
  BOOST_TEST(message.find("SECRETSTATE") == std::string::npos, message);
}

// Without libcurl every request is the loader's error — what to install — naming the request
// (credentials and a secret query left out), never a crash, and the transport still ends cleanly.
BOOST_AUTO_TEST_CASE(without_libcurl_every_request_says_what_to_install) {
  mg::CurlTransportOptions options;
  options.libcurl_soname = "libmirrorgraph-no-such-curl.so.4";
  mg::CurlTransport transport(options);
  for (int i = 0; i < 2; ++i) {
    mg::HttpRequest req;
    req.method = "PUT";
    req.url = "https://alice:hunter2@registry.invalid/v2/a/blobs/uploads/u1?_state=SECRETSTATE";
    req.redact_query = true;
    auto r = transport.Send(req);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST((r.status().code() == mg::Status::Code::kFailedPrecondition));
    const std::string message = r.status().message();
    BOOST_TEST(message.find("PUT https://registry.invalid/v2/a/blobs/uploads/u1?<redacted>") != std::string::npos, message);
    BOOST_TEST(message.find("cannot load libmirrorgraph-no-such-curl.so.4") != std::string::npos, message);
    BOOST_TEST(message.find("libcurl4 package") != std::string::npos, message);
    for (const char* secret : {"hunter2", "alice", "SECRETSTATE"}) {
      BOOST_TEST(message.find(secret) == std::string::npos, message);
    }
  }
  // A library that loads but is not libcurl is refused the same way.
  options.libcurl_soname = "libz.so.1";
  mg::CurlTransport not_curl(options);
  mg::HttpRequest req;
  req.url = "http://127.0.0.1:1/v2/";
  auto r = not_curl.Send(req);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kFailedPrecondition));
  BOOST_TEST(r.status().message().find("libz.so.1 has no function curl_easy_init") != std::string::npos, r.status().message());
}

// A transport given the installed libcurl by name works like the engine's.
BOOST_AUTO_TEST_CASE(a_named_libcurl_serves_requests) {
  TinyServer server;
  mg::CurlTransportOptions options;
  options.libcurl_soname = mg::kLibCurlSoname;
  mg::CurlTransport transport(options);
  mg::HttpRequest req;
  req.url = server.Url("/hello");
  auto r = transport.Send(req);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
