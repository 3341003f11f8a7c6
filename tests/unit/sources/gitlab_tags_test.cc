#include "sources/gitlab_tags.h"

#include <stdlib.h>

#include <boost/test/unit_test.hpp>

#include "http/curl_transport.h"
#include "unit/http/fake_transport.h"
#include "unit/http/loopback_server.h"
#include "util/json.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::Candidate;
using mg::testing::MakeResponse;
using mg::testing::RequestHeader;

const std::string kBase = "https://framagit.example/api/v4";
const std::string kFirst = kBase + "/projects/framasoft%2Fframateam%2Fmostlymatter/repository/tags?per_page=100";

mg::HttpClientOptions NoSleep() {
  mg::HttpClientOptions o;
  o.sleep = [](std::chrono::milliseconds) {};
  return o;
}

mg::Json Tag(const std::string& name, const std::string& commit) {
  return {{"name", name}, {"commit", {{"id", commit}, {"short_id", commit.substr(0, 8)}}}};
}

struct Fixture {
  mg::testing::FakeTransport transport;
  mg::HttpClient http{transport, NoSleep()};
  mg::GitlabTagsSource source;
  mg::RateLimitPolicy policy;
  Fixture() {
    source.project = "framasoft/framateam/mostlymatter";
    source.api_base = kBase;
    source.token_env = "MG_TEST_GL_TOKEN";
    source.tag_pattern = R"(^v(\d+\.\d+\.\d+)-limitless$)";
    unsetenv("MG_TEST_GL_TOKEN");
    policy.sleep = [](std::chrono::milliseconds) {};
  }
  ~Fixture() { unsetenv("MG_TEST_GL_TOKEN"); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(gitlab_tags_test)

BOOST_FIXTURE_TEST_CASE(lists_tags_across_pages_with_the_pattern, Fixture) {
  const std::string page2 = kFirst + "&page=2";
  // x-total-pages says 1 (as a stale or absent header would); only Link counts.
  transport.Push(MakeResponse(200, {{"Link", "<" + page2 + ">; rel=\"next\", <" + kFirst + ">; rel=\"first\""},
                                    {"x-total-pages", "1"}},
                              mg::Json::array({Tag("v10.5.1-limitless", "aaa1"), Tag("v10.5.1", "bbb2")}).dump()));
  transport.Push(MakeResponse(200, {{"Link", "<" + kFirst + ">; rel=\"first\""}},
                              mg::Json::array({Tag("v9.11.8-limitless", "ccc3"), {{"name", "odd"}}}).dump()));
  std::vector<std::pair<std::string, std::string>> excluded;
  auto r = mg::ListGitlabTags(http, source, policy, nullptr, &excluded);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_REQUIRE(r->size() == 2u);
  const std::string why = "tag does not match the tag pattern " + source.tag_pattern;
  BOOST_TEST(excluded == (std::vector<std::pair<std::string, std::string>>{{"odd", why}, {"v10.5.1", why}}));
  BOOST_TEST(((*r)[0] == (Candidate{"10.5.1", "v10.5.1-limitless", "aaa1", ""})));
  BOOST_TEST(((*r)[1] == (Candidate{"9.11.8", "v9.11.8-limitless", "ccc3", ""})));
  auto reqs = transport.requests();
  BOOST_REQUIRE(reqs.size() == 2u);
  BOOST_TEST(reqs[0].url == kFirst);
  BOOST_TEST(reqs[1].url == page2);
  BOOST_TEST(RequestHeader(reqs[0], "PRIVATE-TOKEN") == "");
}

// The published window reads these dates: the tag's own (annotated), else its commit's.
BOOST_FIXTURE_TEST_CASE(candidates_carry_the_tag_or_commit_date, Fixture) {
  mg::Json annotated = Tag("v10.5.1-limitless", "aaa1");
  annotated["created_at"] = "2025-02-21T10:00:00.000+01:00";
  annotated["commit"]["committed_date"] = "2025-02-19T08:00:00.000+01:00";
  mg::Json lightweight = Tag("v9.11.8-limitless", "ccc3");
  lightweight["created_at"] = nullptr;
  lightweight["commit"]["committed_date"] = "2025-02-20T09:00:00.000+01:00";
  mg::Json bare = Tag("v9.11.7-limitless", "ddd4");
  transport.Push(MakeResponse(200, {}, mg::Json::array({annotated, lightweight, bare}).dump()));
  auto r = mg::ListGitlabTags(http, source, policy, nullptr);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_REQUIRE(r->size() == 3u);
  BOOST_TEST((*r)[0].version == "10.5.1");
  BOOST_TEST((*r)[0].published == "2025-02-21T10:00:00.000+01:00");
  BOOST_TEST((*r)[1].version == "9.11.7");
  BOOST_TEST((*r)[1].published == "");
  BOOST_TEST((*r)[2].version == "9.11.8");
  BOOST_TEST((*r)[2].published == "2025-02-20T09:00:00.000+01:00");
}

BOOST_FIXTURE_TEST_CASE(api_base_must_be_http_and_loses_trailing_slashes, Fixture) {
  source.api_base = "ftp://user:secret@forge.example/api/v4";
  auto bad = mg::ListGitlabTags(http, source, policy, nullptr);
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.status().message().find("is not an http:// or https:// URL") != std::string::npos);
  BOOST_TEST(bad.status().message().find("secret") == std::string::npos);
  BOOST_TEST(transport.requests().empty());

  source.api_base = std::string(kBase) + "//";
  transport.Push(MakeResponse(200, {}, mg::Json::array().dump()));
  auto ok = mg::ListGitlabTags(http, source, policy, nullptr);
  BOOST_REQUIRE_MESSAGE(ok.ok(), ok.status().ToString());
  BOOST_TEST(transport.requests().at(0).url == kFirst);
}

BOOST_FIXTURE_TEST_CASE(token_is_sent_as_private_token, Fixture) {
  setenv("MG_TEST_GL_TOKEN", "glpat-xyz", 1);
  transport.Push(MakeResponse(200, {}, "[]"));
  auto r = mg::ListGitlabTags(http, source, policy, nullptr);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->empty());
  BOOST_TEST(RequestHeader(transport.requests()[0], "PRIVATE-TOKEN") == "glpat-xyz");
  BOOST_TEST(RequestHeader(transport.requests()[0], "Authorization") == "");
  BOOST_TEST(!transport.requests()[0].follow_redirects);  // redirects are followed by hand (below)
}

// The token goes to the API's origin only: a redirect to another server (another port of the
// loopback: another origin) reaches it without the token, over the real libcurl transport.
BOOST_FIXTURE_TEST_CASE(a_redirect_to_another_server_never_gets_the_token, Fixture) {
  setenv("MG_TEST_GL_TOKEN", "glpat-CANARY-r3d1r", 1);
  using mg::testing::ServedReply;
  using mg::testing::ServedRequest;
  mg::testing::LoopbackServer other([](const ServedRequest& r) {
    if (r.target == "/tags") return ServedReply{200, "", mg::Json::array({Tag("v1.2.3-limitless", "abc1")}).dump()};
    return ServedReply{200, "", R"({"name":"v1.2.3-limitless"})"};
  });
  mg::testing::LoopbackServer api([&](const ServedRequest& r) {
    const std::string to = r.target.find("/repository/tags/") != std::string::npos ? "/tag" : "/tags";
    return ServedReply{302, "Location: " + other.Url(to) + "\r\n", ""};
  });
  mg::CurlTransport wire;
  mg::HttpClient real(wire, NoSleep());
  source.api_base = api.Url("/api/v4");
  auto listed = mg::ListGitlabTags(real, source, policy, nullptr);
  BOOST_REQUIRE_MESSAGE(listed.ok(), listed.status().ToString());
  BOOST_REQUIRE(listed->size() == 1u);
  BOOST_TEST((*listed)[0].tag == "v1.2.3-limitless");
  auto exists = mg::GitlabTagExists(real, api.Url("/api/v4"), source.project, "v1.2.3-limitless", "MG_TEST_GL_TOKEN");
  BOOST_REQUIRE_MESSAGE(exists.ok(), exists.status().ToString());
  BOOST_TEST(*exists);

  BOOST_REQUIRE(api.requests().size() == 2u);
  for (const ServedRequest& r : api.requests()) BOOST_TEST(r.Header("PRIVATE-TOKEN") == "glpat-CANARY-r3d1r");
  BOOST_REQUIRE(other.requests().size() == 2u);
  BOOST_TEST(other.requests()[0].target == "/tags");
  BOOST_TEST(other.requests()[1].target == "/tag");
  for (const ServedRequest& r : other.requests()) BOOST_TEST(r.Header("PRIVATE-TOKEN") == "");
}

// A forge that quotes the token in its error message: it is replaced before the message is
// clipped to 200 bytes, so no part of it survives (here it straddles the cut).
BOOST_FIXTURE_TEST_CASE(a_token_quoted_across_the_clip_of_an_error_never_shows, Fixture) {
  const std::string token = "Zq9xK7wP3mT5vB2nR8yL";
  setenv("MG_TEST_GL_TOKEN", token.c_str(), 1);
  const std::string body = mg::Json{{"message", std::string(195, 'm') + token + " is not valid"}}.dump();
  transport.handler = [&](const mg::HttpRequest&) { return MakeResponse(401, {}, body); };
  auto listed = mg::ListGitlabTags(http, source, policy, nullptr);
  auto exists = mg::GitlabTagExists(http, kBase, source.project, "v1", "MG_TEST_GL_TOKEN");
  for (const mg::Status& s : {listed.status(), exists.status()}) {
    BOOST_TEST((s.code() == mg::Status::Code::kPermissionDenied), s.ToString());
    BOOST_TEST(s.message().find("mmmm") != std::string::npos, s.message());
    BOOST_TEST(s.message().find(token.substr(0, 4)) == std::string::npos, s.message());
  }
}

BOOST_FIXTURE_TEST_CASE(unknown_project_and_bad_shapes, Fixture) {
  transport.Push(MakeResponse(404, {}, R"({"message":"404 Project Not Found"})"));
  auto nf = mg::ListGitlabTags(http, source, policy, nullptr);
  BOOST_REQUIRE(!nf.ok());
  BOOST_TEST((nf.status().code() == mg::Status::Code::kNotFound));
  BOOST_TEST(nf.status().message().find(kFirst) != std::string::npos, nf.status().message());
  BOOST_TEST(nf.status().message().find("404 Project Not Found") != std::string::npos);

  transport.Push(MakeResponse(200, {}, R"([{"id":1}])"));
  auto shape = mg::ListGitlabTags(http, source, policy, nullptr);
  BOOST_REQUIRE(!shape.ok());
  BOOST_TEST((shape.status().code() == mg::Status::Code::kCorruption));
  BOOST_TEST(shape.status().message().find("without a string \"name\"") != std::string::npos,
             shape.status().message());
}

BOOST_FIXTURE_TEST_CASE(rate_limited_429_waits_for_reset, Fixture) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  policy.now = [=] { return now; };
  std::chrono::milliseconds slept{0};
  policy.sleep = [&](std::chrono::milliseconds d) { slept += d; };
  mg::HttpClientOptions o = NoSleep();
  o.max_attempts = 1;  // the client's own 429 retries are tested in the http layer
  mg::HttpClient once(transport, o);
  transport.Push(MakeResponse(429, {{"RateLimit-Remaining", "0"}, {"RateLimit-Reset", "1700000002"}}));
  transport.Push(MakeResponse(200, {}, mg::Json::array({Tag("v1.0.0-limitless", "c")}).dump()));
  auto r = mg::ListGitlabTags(once, source, policy, nullptr);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->size() == 1u);
  BOOST_TEST(slept.count() == 2000);
}

BOOST_AUTO_TEST_CASE(tag_exists_checks) {
  mg::testing::FakeTransport transport;
  mg::HttpClient http(transport, NoSleep());
  transport.handler = [](const mg::HttpRequest& req) {
    if (req.url == kBase + "/projects/framasoft%2Fframateam%2Fmostlymatter/repository/tags/v10.5.1-limitless") {
      return MakeResponse(200, {}, R"({"name":"v10.5.1-limitless"})");
    }
    if (req.url.find("/projects/broken") != std::string::npos) return MakeResponse(418, {}, R"({"message":"teapot"})");
    return MakeResponse(404, {}, R"({"message":"404 Tag Not Found"})");
  };
  auto yes = mg::GitlabTagExists(http, kBase + "/", "framasoft/framateam/mostlymatter", "v10.5.1-limitless", "");
  BOOST_REQUIRE_MESSAGE(yes.ok(), yes.status().ToString());
  BOOST_TEST(*yes);
  auto no = mg::GitlabTagExists(http, kBase, "framasoft/framateam/mostlymatter", "v10.5.0-limitless", "");
  BOOST_REQUIRE(no.ok());
  BOOST_TEST(!*no);
  auto err = mg::GitlabTagExists(http, kBase, "broken", "v1", "");
  BOOST_REQUIRE(!err.ok());
  BOOST_TEST(err.status().message().find("HTTP 418") != std::string::npos, err.status().message());
  BOOST_TEST(err.status().message().find(kBase + "/projects/broken/repository/tags/v1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(project_validation_and_api_base) {
  BOOST_TEST(mg::ValidateGitlabProject("group/sub/name").ok());
  BOOST_TEST(!mg::ValidateGitlabProject("").ok());
  BOOST_TEST(!mg::ValidateGitlabProject("/group/name").ok());
  BOOST_TEST(!mg::ValidateGitlabProject("group//name").ok());
  unsetenv("MIRRORGRAPH_GITLAB_API");
  BOOST_TEST(mg::ResolveGitlabApiBase("") == "https://gitlab.com/api/v4");
  setenv("MIRRORGRAPH_GITLAB_API", "http://127.0.0.1:2/api", 1);
  BOOST_TEST(mg::ResolveGitlabApiBase("") == "http://127.0.0.1:2/api");
  unsetenv("MIRRORGRAPH_GITLAB_API");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
