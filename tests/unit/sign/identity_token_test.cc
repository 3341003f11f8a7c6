// IdentityTokenSource and ParseIdentityToken: where keyless signing's OIDC token comes from, its
// claims, expiry, and that the token never appears in a message.
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "http/base64.h"
#include "sign/identity_token.h"
#include "unit/http/fake_transport.h"
#include "util/json.h"

namespace mg::MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)
namespace {

using testing::FakeTransport;
using testing::MakeResponse;

std::string B64Url(const std::string& s) {
  std::string b = Base64Encode(s);
  for (char& c : b) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!b.empty() && b.back() == '=') b.pop_back();
  return b;
}

// A JWT with these claims; the signature part is junk (nobody here checks it).
std::string Jwt(const Json& claims) {
  return B64Url(R"({"alg":"ES256","typ":"JWT"})") + "." + B64Url(claims.dump()) + ".c2lnbmF0dXJlLWNhbmFyeQ";
}

constexpr int64_t kNow = 1'800'000'000;

struct Env {
  std::map<std::string, std::string> vars;
  IdentityTokenSource::Environment fn() {
    return [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

BOOST_AUTO_TEST_SUITE(identity_token_test)

BOOST_AUTO_TEST_CASE(claims_are_read_and_the_principal_prefers_the_email) {
  Result<IdentityToken> t = ParseIdentityToken(
      Jwt({{"iss", "https://issuer.example"}, {"sub", "repo:o/r:ref:refs/heads/main"}, {"exp", kNow + 300}}), "test");
  BOOST_REQUIRE(t.ok());
  BOOST_TEST(t->issuer == "https://issuer.example");
  BOOST_TEST(t->Principal() == "repo:o/r:ref:refs/heads/main");
  BOOST_TEST(t->expires_at == kNow + 300);
  Result<IdentityToken> e =
      ParseIdentityToken(Jwt({{"iss", "https://i"}, {"sub", "123"}, {"email", "a@example.com"}}), "test");
  BOOST_REQUIRE(e.ok());
  BOOST_TEST(e->Principal() == "a@example.com");
}

BOOST_AUTO_TEST_CASE(malformed_tokens_are_refused_without_quoting_them) {
  const std::string secret = "not-a-jwt-canary-5f1e";
  for (const std::string& raw : {secret, secret + "." + secret + "." + secret, Jwt({{"sub", "x"}}) /* no iss */,
                                 Jwt({{"iss", "https://i"}}) /* no sub */, std::string("a.b.c.d")}) {
    Result<IdentityToken> t = ParseIdentityToken(raw, "SIGSTORE_ID_TOKEN");
    BOOST_TEST(!t.ok(), raw);
    BOOST_TEST(t.status().message().find("SIGSTORE_ID_TOKEN") != std::string::npos);
    BOOST_TEST(t.status().message().find("canary") == std::string::npos, t.status().message());
  }
  BOOST_TEST(!ParseIdentityToken(std::string(100000, 'a'), "x").ok());
}

BOOST_AUTO_TEST_CASE(sources_parse_and_unknown_ones_are_refused) {
  for (const char* ok : {"auto", "", "github", "env:MY_TOKEN", "file:/run/token"}) {
    BOOST_TEST(IdentityTokenSource::Parse(ok).ok(), ok);
  }
  for (const char* bad : {"gitlab", "env:", "file:", "token"}) {
    Result<IdentityTokenSource> s = IdentityTokenSource::Parse(bad);
    BOOST_TEST(!s.ok(), bad);
    BOOST_TEST(s.status().message().find("env:NAME") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(auto_takes_sigstore_id_token_then_github) {
  FakeTransport transport;
  HttpClient http(transport);
  Env env;
  Result<IdentityTokenSource> src = IdentityTokenSource::Parse("auto", env.fn());
  BOOST_REQUIRE(src.ok());
  Result<IdentityToken> none = src->Fetch(http, kNow);
  BOOST_TEST((none.status().code() == Status::Code::kFailedPrecondition));
  BOOST_TEST(none.status().message().find("id-token: write") != std::string::npos);

  env.vars["ACTIONS_ID_TOKEN_REQUEST_URL"] = "http://127.0.0.1:1/token?api-version=2.0";
  env.vars["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "request-bearer-canary";
  const std::string gh = Jwt({{"iss", "https://token.actions.githubusercontent.com"}, {"sub", "repo:o/r"}, {"exp", kNow + 600}});
  transport.Push(MakeResponse(200, {}, Json{{"value", gh}}.dump()));
  Result<IdentityToken> from_github = src->Fetch(http, kNow);
  BOOST_REQUIRE_MESSAGE(from_github.ok(), from_github.status().ToString());
  BOOST_TEST(from_github->raw == gh);
  BOOST_TEST(from_github->source == "GitHub Actions");
  BOOST_REQUIRE_EQUAL(transport.request_count(), 1u);
  const HttpRequest sent = transport.requests()[0];
  BOOST_TEST(sent.url == "http://127.0.0.1:1/token?api-version=2.0&audience=sigstore");
  BOOST_TEST(testing::RequestHeader(sent, "Authorization") == "bearer request-bearer-canary");
  BOOST_TEST(!sent.follow_redirects);  // the bearer token never follows a redirect

  env.vars["SIGSTORE_ID_TOKEN"] = " " + Jwt({{"iss", "https://gitlab.example"}, {"sub", "project_path:g/p"}}) + "\n";
  Result<IdentityToken> explicit_token = src->Fetch(http, kNow);
  BOOST_REQUIRE(explicit_token.ok());
  BOOST_TEST(explicit_token->issuer == "https://gitlab.example");
  BOOST_TEST(transport.request_count() == 1u);  // no second request
}

BOOST_AUTO_TEST_CASE(github_refusals_say_what_to_fix) {
  FakeTransport transport;
  HttpClient http(transport, HttpClientOptions{.max_attempts = 1});
  Env env;
  env.vars["ACTIONS_ID_TOKEN_REQUEST_URL"] = "http://127.0.0.1:1/token";
  env.vars["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "request-bearer-canary";
  Result<IdentityTokenSource> src = IdentityTokenSource::Parse("github", env.fn());
  BOOST_REQUIRE(src.ok());
  transport.Push(MakeResponse(403, {}, "{}"));
  Result<IdentityToken> denied = src->Fetch(http, kNow);
  BOOST_TEST((denied.status().code() == Status::Code::kPermissionDenied));
  BOOST_TEST(denied.status().message().find("id-token: write") != std::string::npos);
  BOOST_TEST(denied.status().message().find("canary") == std::string::npos);
  transport.Push(MakeResponse(200, {}, "{\"value\": 7}"));
  BOOST_TEST((src->Fetch(http, kNow).status().code() == Status::Code::kUnavailable));
  transport.Push(MakeResponse(200, {}, "garbage"));
  BOOST_TEST((src->Fetch(http, kNow).status().code() == Status::Code::kUnavailable));
  // A redirect is not followed (the request carries the job's token) and says where it pointed.
  transport.Push(MakeResponse(307, {{"Location", "https://elsewhere.example/token"}}, ""));
  Result<IdentityToken> redirected = src->Fetch(http, kNow);
  BOOST_TEST((redirected.status().code() == Status::Code::kFailedPrecondition));
  BOOST_TEST(redirected.status().message().find("307 redirecting to https://elsewhere.example/token, which is not "
                                                "followed") != std::string::npos,
             redirected.status().message());
  BOOST_TEST(redirected.status().message().find("canary") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(env_and_file_sources_and_expiry) {
  FakeTransport transport;
  HttpClient http(transport);
  Env env;
  Result<IdentityTokenSource> from_env = IdentityTokenSource::Parse("env:MY_TOKEN", env.fn());
  BOOST_REQUIRE(from_env.ok());
  BOOST_TEST(from_env->Fetch(http, kNow).status().message().find("MY_TOKEN") != std::string::npos);
  env.vars["MY_TOKEN"] = Jwt({{"iss", "https://i"}, {"sub", "s"}, {"exp", kNow - 5}});
  Result<IdentityToken> expired = from_env->Fetch(http, kNow);
  BOOST_TEST((expired.status().code() == Status::Code::kFailedPrecondition));
  BOOST_TEST(expired.status().message().find("expired 5 s ago") != std::string::npos, expired.status().message());
  env.vars["MY_TOKEN"] = Jwt({{"iss", "https://i"}, {"sub", "s"}, {"exp", kNow + 10}});
  BOOST_TEST(from_env->Fetch(http, kNow).status().message().find("expires in 10 s") != std::string::npos);

  const std::string path = (std::filesystem::temp_directory_path() / ("mg-token-" + std::to_string(::getpid()))).string();
  Result<IdentityTokenSource> from_file = IdentityTokenSource::Parse("file:" + path, env.fn());
  BOOST_REQUIRE(from_file.ok());
  BOOST_TEST((from_file->Fetch(http, kNow).status().code() == Status::Code::kFailedPrecondition));
  std::ofstream(path) << Jwt({{"iss", "https://k8s"}, {"sub", "system:serviceaccount:ns:sa"}, {"exp", kNow + 600}}) << "\n";
  Result<IdentityToken> t = from_file->Fetch(http, kNow);
  BOOST_REQUIRE(t.ok());
  BOOST_TEST(t->subject == "system:serviceaccount:ns:sa");
  std::filesystem::remove(path);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace mg::MG_TEST_FILE_NS
