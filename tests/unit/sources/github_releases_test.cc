#include "sources/github_releases.h"

#include <stdlib.h>

#include <boost/test/unit_test.hpp>

#include "unit/http/fake_transport.h"
#include "util/json.h"
#include "util/strings.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::Candidate;
using mg::testing::MakeResponse;
using mg::testing::RequestHeader;

const std::string kBase = "https://gh.example/api/v3";
const std::string kFirst = kBase + "/repos/acme/app/releases?per_page=100";
const std::string kSha = "0123456789abcdef0123456789abcdef01234567";

mg::HttpClientOptions NoSleep() {
  mg::HttpClientOptions o;
  o.sleep = [](std::chrono::milliseconds) {};
  return o;
}

mg::Json Release(const std::string& tag, bool draft = false, bool pre = false, const std::string& commitish = "main") {
  return {{"tag_name", tag}, {"draft", draft}, {"prerelease", pre}, {"target_commitish", commitish}};
}

std::string Link(const std::string& next) {
  return "<" + kBase + "/repos/acme/app/releases?per_page=100&page=9>; rel=\"last\", <" + next + ">; rel=\"next\"";
}

struct Fixture {
  mg::testing::FakeTransport transport;
  mg::HttpClient http{transport, NoSleep()};
  mg::GithubReleasesSource source;
  mg::RateLimitPolicy policy;
  Fixture() {
    source.repo = "acme/app";
    source.api_base = kBase + "/";
    source.token_env = "MG_TEST_GH_TOKEN";
    unsetenv("MG_TEST_GH_TOKEN");
    policy.sleep = [](std::chrono::milliseconds) {};
  }
  ~Fixture() { unsetenv("MG_TEST_GH_TOKEN"); }
  mg::Result<std::vector<Candidate>> List(std::vector<std::pair<std::string, std::string>>* excluded = nullptr) {
    return mg::ListGithubReleases(http, source, policy, nullptr, excluded);
  }
};

std::vector<std::string> Versions(const std::vector<Candidate>& cs) {
  std::vector<std::string> out;
  for (const auto& c : cs) out.push_back(c.version);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(github_releases_test)

// The published window reads published_at; a release without one (or with a non-string) has "".
BOOST_FIXTURE_TEST_CASE(candidates_carry_published_at, Fixture) {
  mg::Json esr = Release("v9.11.8");
  esr["published_at"] = "2025-02-20T09:00:00Z";
  mg::Json odd = Release("v10.4.2");
  odd["published_at"] = 7;
  transport.Push(MakeResponse(200, {}, mg::Json::array({esr, odd, Release("v10.5.0")}).dump()));
  auto r = List();
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_REQUIRE(r->size() == 3u);
  BOOST_TEST((*r)[0].version == "10.4.2");
  BOOST_TEST((*r)[0].published == "");
  BOOST_TEST((*r)[2].version == "9.11.8");
  BOOST_TEST((*r)[2].published == "2025-02-20T09:00:00Z");
}

BOOST_FIXTURE_TEST_CASE(follows_next_links_and_filters_releases, Fixture) {
  const std::string page2 = "https://gh.example/api/v3/repositories/42/releases?per_page=100&after=abc";
  transport.Push(MakeResponse(200, {{"Link", Link(page2)}},
                              mg::Json::array({Release("v2.0.0", true), Release("v1.3.0-rc1", false, true),
                                               Release("v1.2.0", false, false, kSha)})
                                  .dump()));
  transport.Push(MakeResponse(200, {}, mg::Json::array({Release("1.1.0"), Release("v1.0.0.1"), Release("nightly"),
                                                        Release("v1.0.0-beta")})
                                           .dump()));
  std::vector<std::pair<std::string, std::string>> excluded;
  auto r = List(&excluded);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(Versions(*r) == (std::vector<std::string>{"1.1.0", "1.0.0.1", "1.2.0"}), mg::Join(Versions(*r), ","));
  BOOST_TEST((*r)[2].tag == "v1.2.0");
  // target_commitish is never taken for the tag's commit, SHA or branch name.
  BOOST_TEST((*r)[2].commit == "");
  BOOST_TEST((*r)[0].commit == "");
  // Every release left out, with its reason, in the API's order: a tag the pattern refuses is
  // named (the prerelease rc among them), never dropped without a word.
  const std::string mismatch = "tag does not match the tag pattern " + std::string(mg::kDefaultForgeTagPattern);
  BOOST_TEST(excluded == (std::vector<std::pair<std::string, std::string>>{{"2.0.0", "draft release"},
                                                                           {"v1.3.0-rc1", mismatch},
                                                                           {"nightly", mismatch},
                                                                           {"v1.0.0-beta", mismatch}}));

  auto reqs = transport.requests();
  BOOST_REQUIRE(reqs.size() == 2u);
  BOOST_TEST(reqs[0].url == kFirst);
  BOOST_TEST(reqs[1].url == page2);  // taken from Link as is, never built from page numbers
  BOOST_TEST(RequestHeader(reqs[0], "Accept") == "application/vnd.github+json");
  BOOST_TEST(RequestHeader(reqs[0], "X-GitHub-Api-Version") == "2022-11-28");
  BOOST_TEST(RequestHeader(reqs[0], "Authorization") == "");
  BOOST_TEST(reqs[0].max_body_bytes == size_t{16} << 20);
}

BOOST_FIXTURE_TEST_CASE(custom_pattern_and_prerelease_reason, Fixture) {
  source.tag_pattern = R"(^release-(\d+\.\d+)$)";
  transport.Push(MakeResponse(200, {}, mg::Json::array({Release("release-1.2"), Release("release-1.3", false, true),
                                                        Release("v1.4.0")})
                                           .dump()));
  std::vector<std::pair<std::string, std::string>> excluded;
  auto r = List(&excluded);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(Versions(*r) == std::vector<std::string>{"1.2"});
  BOOST_REQUIRE(excluded.size() == 2u);
  BOOST_TEST(excluded[0].second == "prerelease");
  BOOST_TEST(excluded[1].first == "v1.4.0");
  BOOST_TEST(excluded[1].second == "tag does not match the tag pattern ^release-(\\d+\\.\\d+)$");
}

BOOST_FIXTURE_TEST_CASE(token_is_sent_as_bearer_to_the_api_host_only, Fixture) {
  setenv("MG_TEST_GH_TOKEN", "ghp_secret123", 1);
  transport.Push(MakeResponse(200, {{"Link", "<https://elsewhere.example/page2>; rel=\"next\""}},
                              mg::Json::array({Release("v1.0.0")}).dump()));
  transport.Push(MakeResponse(200, {}, "[]"));
  auto r = List();
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  auto reqs = transport.requests();
  BOOST_REQUIRE(reqs.size() == 2u);
  BOOST_TEST(RequestHeader(reqs[0], "Authorization") == "Bearer ghp_secret123");
  BOOST_TEST(RequestHeader(reqs[1], "Authorization") == "");
}

BOOST_FIXTURE_TEST_CASE(errors_never_show_the_token, Fixture) {
  setenv("MG_TEST_GH_TOKEN", "ghp_secret123", 1);
  transport.Push(MakeResponse(401, {}, R"({"message":"Bad credentials ghp_secret123"})"));
  auto r = List();
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kPermissionDenied));
  BOOST_TEST(r.status().message().find("ghp_secret123") == std::string::npos, r.status().message());
  BOOST_TEST(r.status().message().find("MG_TEST_GH_TOKEN was rejected") != std::string::npos, r.status().message());
}

BOOST_FIXTURE_TEST_CASE(unknown_repository_is_not_found, Fixture) {
  transport.Push(MakeResponse(404, {}, R"({"message":"Not Found"})"));
  auto r = List();
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kNotFound));
  BOOST_TEST(r.status().message().find(kFirst) != std::string::npos, r.status().message());
  BOOST_TEST(r.status().message().find("no such repository") != std::string::npos, r.status().message());
}

BOOST_FIXTURE_TEST_CASE(plain_403_is_a_permission_error, Fixture) {
  transport.Push(MakeResponse(403, {}, R"({"message":"Resource not accessible"})"));
  auto r = List();
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kPermissionDenied));
  BOOST_TEST(r.status().message().find("Resource not accessible") != std::string::npos, r.status().message());
  BOOST_TEST(transport.request_count() == 1u);
}

BOOST_FIXTURE_TEST_CASE(wrongly_shaped_answers_are_corruption, Fixture) {
  transport.Push(MakeResponse(200, {}, "<html>nope</html>"));
  auto not_json = List();
  BOOST_REQUIRE(!not_json.ok());
  BOOST_TEST((not_json.status().code() == mg::Status::Code::kCorruption));
  BOOST_TEST(not_json.status().message().find("is not JSON") != std::string::npos, not_json.status().message());
  BOOST_TEST(not_json.status().message().find(kFirst) != std::string::npos);
  BOOST_TEST(not_json.status().message().find("expected a JSON array of releases") != std::string::npos);

  transport.Push(MakeResponse(200, {}, R"({"releases":[]})"));
  auto object = List();
  BOOST_REQUIRE(!object.ok());
  BOOST_TEST(object.status().message().find("is an object, expected a JSON array") != std::string::npos,
             object.status().message());

  transport.Push(MakeResponse(200, {}, R"([{"tag_name":"v1.0.0"},{"name":"v2"}])"));
  auto missing = List();
  BOOST_REQUIRE(!missing.ok());
  BOOST_TEST(missing.status().message().find("release [1]") != std::string::npos, missing.status().message());
  BOOST_TEST(missing.status().message().find("tag_name") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(pages_are_bounded, Fixture) {
  int n = 0;
  transport.handler = [&](const mg::HttpRequest&) {
    return MakeResponse(200, {{"link", "<" + kBase + "/p" + std::to_string(++n) + ">; rel=\"next\""}}, "[]");
  };
  auto r = List();
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.status().message().find("more than 50 pages") != std::string::npos, r.status().message());
  BOOST_TEST(transport.request_count() == 50u);
}

BOOST_FIXTURE_TEST_CASE(link_loop_is_detected, Fixture) {
  transport.handler = [&](const mg::HttpRequest&) {
    return MakeResponse(200, {{"link", "<" + kFirst + ">; rel=\"next\""}}, "[]");
  };
  auto r = List();
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.status().message().find("pagination loop") != std::string::npos, r.status().message());
  BOOST_TEST(transport.request_count() == 1u);
}

BOOST_FIXTURE_TEST_CASE(oversized_page_gives_a_clear_error, Fixture) {
  transport.Push(mg::Status::FailedPrecondition("GET " + kFirst + ": response body exceeds the limit of 16777216 bytes"));
  mg::HttpClientOptions o = NoSleep();
  o.max_attempts = 1;
  mg::HttpClient once(transport, o);
  auto r = mg::ListGithubReleases(once, source, policy, nullptr);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.status().message().find("larger than the 16 MiB allowed per page") != std::string::npos,
             r.status().message());
  BOOST_TEST(r.status().message().find(kFirst) != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(server_errors_are_retried_by_the_client, Fixture) {
  transport.Push(MakeResponse(502));
  transport.Push(MakeResponse(200, {}, mg::Json::array({Release("v3.0.0")}).dump()));
  auto r = List();
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(Versions(*r) == std::vector<std::string>{"3.0.0"});
}

BOOST_FIXTURE_TEST_CASE(bad_inputs_are_rejected_before_any_request, Fixture) {
  source.repo = "just-a-name";
  BOOST_TEST((List().status().code() == mg::Status::Code::kInvalidArgument));
  source.repo = "acme/app";
  source.tag_pattern = "^v\\d+$";
  auto no_group = List();
  BOOST_TEST((no_group.status().code() == mg::Status::Code::kInvalidArgument));
  BOOST_TEST(no_group.status().message().find("capture group") != std::string::npos);
  source.tag_pattern = "";
  source.api_base = "ftp://x";
  BOOST_TEST((List().status().code() == mg::Status::Code::kInvalidArgument));
  BOOST_TEST(transport.request_count() == 0u);
}

BOOST_AUTO_TEST_CASE(api_base_resolution) {
  unsetenv("MIRRORGRAPH_GITHUB_API");
  BOOST_TEST(mg::ResolveGithubApiBase("") == "https://api.github.com");
  setenv("MIRRORGRAPH_GITHUB_API", "http://127.0.0.1:1/api", 1);
  BOOST_TEST(mg::ResolveGithubApiBase("") == "http://127.0.0.1:1/api");
  BOOST_TEST(mg::ResolveGithubApiBase("https://ghe.example/api/v3") == "https://ghe.example/api/v3");
  unsetenv("MIRRORGRAPH_GITHUB_API");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
