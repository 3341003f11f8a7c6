// SendWithCredential over the real libcurl transport and two loopback servers (two origins): the
// credential reaches the trusted origin only, whatever the redirects say.
#include "http/credentialed_send.h"

#include <boost/test/unit_test.hpp>

#include <vector>

#include "http/curl_transport.h"
#include "unit/http/loopback_server.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::testing::LoopbackServer;
using mg::testing::ServedReply;
using mg::testing::ServedRequest;

const std::pair<std::string, std::string> kCredential = {"PRIVATE-TOKEN", "glpat-CANARY-7f3k"};

// Sends every hop through one real transport.
struct Wire {
  mg::CurlTransport transport;
  std::vector<bool> attached;  // per hop: did it carry the credential
  mg::CredentialedHop hop = [this](const mg::HttpRequest& r, bool with_credential) {
    attached.push_back(with_credential);
    return transport.Send(r);
  };
};

}  // namespace

BOOST_AUTO_TEST_SUITE(credentialed_send_test)

BOOST_AUTO_TEST_CASE(a_redirect_to_another_origin_gets_no_credential) {
  LoopbackServer other([](const ServedRequest&) { return ServedReply{200, "", "landed"}; });
  LoopbackServer trusted([&](const ServedRequest&) {
    return ServedReply{302, "Location: " + other.Url("/landing?x=1") + "\r\n", ""};
  });
  Wire wire;
  mg::HttpRequest req;
  req.url = trusted.Url("/start");
  bool sent = true;
  auto r = mg::SendWithCredential(req, kCredential, trusted.Url("/"), wire.hop, &sent);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->status == 200);
  BOOST_TEST(r->body == "landed");
  BOOST_TEST(r->effective_url == other.Url("/landing?x=1"));
  BOOST_TEST(!sent);
  BOOST_TEST(wire.attached == (std::vector<bool>{true, false}));
  BOOST_REQUIRE(trusted.requests().size() == 1u);
  BOOST_TEST(trusted.requests()[0].Header("private-token") == kCredential.second);
  BOOST_REQUIRE(other.requests().size() == 1u);
  BOOST_TEST(other.requests()[0].target == "/landing?x=1");
  BOOST_TEST(other.requests()[0].Header("private-token") == "");
}

BOOST_AUTO_TEST_CASE(same_origin_redirects_keep_it_and_303_turns_a_post_into_a_get) {
  LoopbackServer trusted([](const ServedRequest& r) {
    if (r.target == "/api/submit") return ServedReply{303, "Location: next\r\n", ""};      // relative to /api/
    if (r.target == "/api/next") return ServedReply{307, "Location: /final?a=b\r\n", ""};  // origin-relative
    return ServedReply{200, "", "done"};
  });
  Wire wire;
  mg::HttpRequest req;
  req.method = "POST";
  req.url = trusted.Url("/api/submit");
  req.body = "form";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "text/plain"}};
  bool sent = false;
  auto r = mg::SendWithCredential(req, kCredential, trusted.Url("/api"), wire.hop, &sent);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->body == "done");
  BOOST_TEST(sent);
  auto seen = trusted.requests();
  BOOST_REQUIRE(seen.size() == 3u);
  const std::vector<std::string> targets = {"/api/submit", "/api/next", "/final?a=b"};
  const std::vector<std::string> methods = {"POST", "GET", "GET"};
  for (size_t i = 0; i < 3; ++i) {
    BOOST_TEST(seen[i].target == targets[i]);
    BOOST_TEST(seen[i].method == methods[i]);
    BOOST_TEST(seen[i].Header("private-token") == kCredential.second);
  }
  BOOST_TEST(seen[1].body == "");
  // The body's type went with the body; other headers stay.
  BOOST_TEST(seen[0].Header("content-type") == "application/x-www-form-urlencoded");
  BOOST_TEST(seen[1].Header("content-type") == "");
  BOOST_TEST(seen[1].Header("accept") == "text/plain");
}

// https -> http on the same host is another origin: the credential stays behind.
BOOST_AUTO_TEST_CASE(a_downgrade_to_http_gets_no_credential) {
  std::vector<mg::HttpRequest> hops;
  mg::CredentialedHop hop = [&](const mg::HttpRequest& r, bool) -> mg::Result<mg::HttpResponse> {
    hops.push_back(r);
    mg::HttpResponse resp;
    resp.status = hops.size() == 1 ? 301 : 200;
    if (hops.size() == 1) resp.headers["location"] = "http://forge.example/api/v4/x";
    return resp;
  };
  mg::HttpRequest req;
  req.url = "https://forge.example/api/v4/x";
  auto r = mg::SendWithCredential(req, kCredential, "https://forge.example/api/v4", hop);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_REQUIRE(hops.size() == 2u);
  for (const mg::HttpRequest& h : hops) BOOST_TEST(!h.follow_redirects);
  BOOST_TEST((hops[0].headers.back() == kCredential));
  BOOST_TEST(hops[1].url == "http://forge.example/api/v4/x");
  for (const auto& [name, value] : hops[1].headers) BOOST_TEST(value != kCredential.second);
}

BOOST_AUTO_TEST_CASE(endless_redirects_and_other_schemes_are_errors) {
  LoopbackServer trusted([](const ServedRequest& r) {
    if (r.target == "/loop") return ServedReply{302, "Location: /loop\r\n", ""};
    return ServedReply{308, "Location: file:///etc/passwd\r\n", ""};
  });
  Wire wire;
  mg::HttpRequest req;
  req.url = trusted.Url("/loop");
  auto loop = mg::SendWithCredential(req, kCredential, req.url, wire.hop);
  BOOST_REQUIRE(!loop.ok());
  BOOST_TEST((loop.status().code() == mg::Status::Code::kFailedPrecondition));
  BOOST_TEST(
      loop.status().message().find("GET " + trusted.Url("/loop") + ": more than 10 redirects") != std::string::npos,
      loop.status().message());
  BOOST_TEST(trusted.requests().size() == 11u);

  req.url = trusted.Url("/file");
  auto file = mg::SendWithCredential(req, kCredential, req.url, wire.hop);
  BOOST_REQUIRE(!file.ok());
  BOOST_TEST((file.status().code() == mg::Status::Code::kFailedPrecondition));
  BOOST_TEST(file.status().message().find("HTTP 308 redirects to GET file:///etc/passwd, which is not an http://") !=
                 std::string::npos,
             file.status().message());
  for (const auto* s : {&loop, &file}) {
    BOOST_TEST(s->status().message().find(kCredential.second) == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(without_a_credential_the_request_goes_out_as_it_is) {
  int calls = 0;
  mg::CredentialedHop hop = [&](const mg::HttpRequest& r, bool attached) -> mg::Result<mg::HttpResponse> {
    ++calls;
    BOOST_TEST(r.follow_redirects);
    BOOST_TEST(!attached);
    BOOST_TEST(r.headers.empty());
    mg::HttpResponse resp;
    resp.status = 302;
    resp.headers["location"] = "https://elsewhere.example/";
    return resp;
  };
  mg::HttpRequest req;
  req.url = "https://forge.example/api/v4/x";
  for (const auto& none :
       {std::pair<std::string, std::string>{}, std::pair<std::string, std::string>{"PRIVATE-TOKEN", ""}}) {
    auto r = mg::SendWithCredential(req, none, req.url, hop);
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r->status == 302);
  }
  BOOST_TEST(calls == 2);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
