// The github-releases and gitlab-tags sources through the real CurlTransport and HttpClient against
// tests/servers/fake_forge.py: exact version lists, pagination, tokens, rate limits, bad answers.
#include <stdlib.h>

#include <boost/test/unit_test.hpp>

#include "forge_fixture.h"
#include "http/curl_transport.h"
#include "sources/github_releases.h"
#include "sources/gitlab_tags.h"
#include "util/strings.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::Candidate;
using mg::Status;
using mg::testing::FakeForge;

namespace {

const char* kMattermost = "mattermost/mattermost";
const char* kMostlymatter = "framasoft/framateam/mostlymatter";
const char* kLimitless = R"(^v(\d+\.\d+\.\d+)-limitless$)";

std::string Sha(int n) {
  char buf[41];
  snprintf(buf, sizeof buf, "%040llx", static_cast<unsigned long long>(0xA11CE0000ULL + n));
  return buf;
}

struct Fixture {
  std::unique_ptr<FakeForge> forge;
  mg::CurlTransport transport;
  mg::HttpClient http{transport, Options()};
  mg::RateLimitPolicy policy;

  static mg::HttpClientOptions Options() {
    mg::HttpClientOptions o;
    o.base_delay = std::chrono::milliseconds(20);
    o.max_delay = std::chrono::milliseconds(100);
    return o;
  }
  Fixture() {
    auto f = FakeForge::Start();
    BOOST_REQUIRE_MESSAGE(f.ok(), f.status().ToString());
    forge = std::move(f.value());
    policy.max_wait = std::chrono::seconds(10);
    unsetenv("GITHUB_TOKEN");
    unsetenv("GITLAB_TOKEN");
  }
  ~Fixture() {
    unsetenv("MG_IT_TOKEN");
  }

  mg::Result<std::vector<Candidate>> Github(const std::string& mode, const std::string& repo = kMattermost,
                                            const std::string& token_env = "GITHUB_TOKEN") {
    mg::GithubReleasesSource s;
    s.repo = repo;
    s.api_base = forge->Base(mode);
    s.token_env = token_env;
    return mg::ListGithubReleases(http, s, policy, nullptr);
  }
  mg::Result<std::vector<Candidate>> Gitlab(const std::string& mode, const std::string& token_env = "GITLAB_TOKEN") {
    mg::GitlabTagsSource s;
    s.project = kMostlymatter;
    s.api_base = forge->Base(mode);
    s.token_env = token_env;
    s.tag_pattern = kLimitless;
    return mg::ListGitlabTags(http, s, policy, nullptr);
  }
  // The request paths the server saw, in order.
  std::vector<std::string> Paths() {
    auto r = forge->Requests();
    BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    std::vector<std::string> out;
    for (const auto& e : *r) out.push_back(e["path"].get<std::string>());
    return out;
  }
  std::string HeaderOfFirst(const std::string& name) {
    auto r = forge->Requests();
    BOOST_REQUIRE(r.ok() && !r->empty());
    return (*r)[0]["headers"].value(name, "");
  }
};

std::string Describe(const std::vector<Candidate>& cs) {
  std::string out;
  for (const auto& c : cs) out += c.version + "=" + c.tag + "@" + c.commit + " ";
  return out;
}

std::vector<std::string> Versions(const mg::Result<std::vector<Candidate>>& r) {
  std::vector<std::string> out;
  if (!r.ok()) return {"error: " + r.status().ToString()};
  for (const auto& c : *r) out.push_back(c.version);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(forge_sources_test)

BOOST_FIXTURE_TEST_CASE(github_releases_exact_list_across_pages, Fixture) {
  auto r = Github("api");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  // Drafts (v10.7.0) and prereleases (v10.6.0-rc1) out, desktop-v5.10 not a version, v stripped;
  // no commits: target_commitish (a SHA or a branch) need not be the tag's commit.
  std::vector<Candidate> want = {{"10.4.3", "v10.4.3", "", ""},
                                 {"10.5.0", "v10.5.0", "", ""},
                                 {"10.5.1", "v10.5.1", "", ""},
                                 {"9.11.8", "v9.11.8", "", ""}};
  BOOST_TEST((*r == want), Describe(*r));
  // Seven releases, two per page: four pages, each URL taken from the previous page's Link.
  std::vector<std::string> want_paths = {
      "/api/repos/mattermost/mattermost/releases?per_page=100",
      "/api/repos/mattermost/mattermost/releases?per_page=2&page=2",
      "/api/repos/mattermost/mattermost/releases?per_page=2&page=3",
      "/api/repos/mattermost/mattermost/releases?per_page=2&page=4"};
  BOOST_TEST(Paths() == want_paths, mg::Join(Paths(), " "));
  BOOST_TEST(HeaderOfFirst("accept") == "application/vnd.github+json");
  BOOST_TEST(HeaderOfFirst("x-github-api-version") == "2022-11-28");
  BOOST_TEST(HeaderOfFirst("authorization") == "");
}

BOOST_FIXTURE_TEST_CASE(github_vless_tags, Fixture) {
  auto r = Github("api", "outline/outline");
  BOOST_TEST(Versions(r) == (std::vector<std::string>{"0.81.1", "0.81.0", "0.82.0"}),
             mg::Join(Versions(r), ","));
}

BOOST_FIXTURE_TEST_CASE(gitlab_tags_exact_list_and_tag_checks, Fixture) {
  auto r = Gitlab("api");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  std::vector<Candidate> want = {{"10.4.3", "v10.4.3-limitless", Sha(10), ""},
                                 {"10.5.0", "v10.5.0-limitless", Sha(11), ""},
                                 {"10.5.1", "v10.5.1-limitless", Sha(12), ""},
                                 {"9.11.8", "v9.11.8-limitless", Sha(9), ""}};
  BOOST_TEST((*r == want), Describe(*r));
  auto paths = Paths();
  BOOST_REQUIRE(paths.size() == 3u);
  BOOST_TEST(paths[0] == "/api/projects/framasoft%2Fframateam%2Fmostlymatter/repository/tags?per_page=100");

  auto yes = mg::GitlabTagExists(http, forge->Base("api"), kMostlymatter, "v10.5.0-limitless", "GITLAB_TOKEN");
  BOOST_REQUIRE_MESSAGE(yes.ok(), yes.status().ToString());
  BOOST_TEST(*yes);
  auto no = mg::GitlabTagExists(http, forge->Base("api"), kMostlymatter, "v10.6.0-limitless", "GITLAB_TOKEN");
  BOOST_REQUIRE_MESSAGE(no.ok(), no.status().ToString());
  BOOST_TEST(!*no);
  auto err = mg::GitlabTagExists(http, forge->Base("forbidden"), kMostlymatter, "v10.5.0-limitless", "GITLAB_TOKEN");
  BOOST_TEST(!err.ok());
}

BOOST_FIXTURE_TEST_CASE(tokens_are_sent_and_never_shown, Fixture) {
  // Without a token the private API refuses; the message names the variable to set.
  auto anon = Github("private", kMattermost, "MG_IT_TOKEN");
  BOOST_REQUIRE(!anon.ok());
  BOOST_TEST((anon.status().code() == Status::Code::kPermissionDenied));
  BOOST_TEST(anon.status().message().find("set MG_IT_TOKEN") != std::string::npos, anon.status().message());

  setenv("MG_IT_TOKEN", "test-token", 1);
  BOOST_REQUIRE(forge->Reset().ok());
  auto gh = Github("private", kMattermost, "MG_IT_TOKEN");
  BOOST_TEST(Versions(gh).size() == 4u, mg::Join(Versions(gh), ","));
  auto requests = forge->Requests();
  BOOST_REQUIRE(requests.ok());
  BOOST_REQUIRE(requests->size() == 4u);
  for (const auto& req : *requests) BOOST_TEST(req["headers"].value("authorization", "") == "Bearer test-token");

  BOOST_REQUIRE(forge->Reset().ok());
  auto gl = Gitlab("private", "MG_IT_TOKEN");
  BOOST_TEST(Versions(gl).size() == 4u, mg::Join(Versions(gl), ","));
  BOOST_TEST(HeaderOfFirst("private-token") == "test-token");
  BOOST_TEST(HeaderOfFirst("authorization") == "");

  // A wrong token: refused, and the message does not contain it.
  setenv("MG_IT_TOKEN", "wrong-s3cret-value", 1);
  for (const auto& r : {Github("private", kMattermost, "MG_IT_TOKEN"), Gitlab("private", "MG_IT_TOKEN"),
                        Github("ratelimit-long", kMattermost, "MG_IT_TOKEN"), Github("malformed", kMattermost, "MG_IT_TOKEN"),
                        Github("truncated", kMattermost, "MG_IT_TOKEN")}) {
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.status().message().find("wrong-s3cret-value") == std::string::npos, r.status().message());
  }
}

BOOST_FIXTURE_TEST_CASE(short_rate_limits_are_waited_out, Fixture) {
  auto start = std::chrono::steady_clock::now();
  auto gh = Github("ratelimit-short");
  BOOST_TEST(Versions(gh).size() == 4u, mg::Join(Versions(gh), ","));
  auto gl = Gitlab("ratelimit-short");
  BOOST_TEST(Versions(gl).size() == 4u, mg::Join(Versions(gl), ","));
  BOOST_TEST((std::chrono::steady_clock::now() - start >= std::chrono::seconds(1)));
  // A reset already past: one retry at once.
  auto past = Github("ratelimit-past");
  BOOST_TEST(Versions(past).size() == 4u, mg::Join(Versions(past), ","));
  // 429 + Retry-After: 1 and a 500: the client retries them.
  auto r429 = Github("429");
  BOOST_TEST(Versions(r429).size() == 4u, mg::Join(Versions(r429), ","));
  auto r500 = Gitlab("500");
  BOOST_TEST(Versions(r500).size() == 4u, mg::Join(Versions(r500), ","));
}

BOOST_FIXTURE_TEST_CASE(long_rate_limits_fail_with_when_to_retry, Fixture) {
  auto start = std::chrono::steady_clock::now();
  auto gh = Github("ratelimit-long");
  BOOST_REQUIRE(!gh.ok());
  BOOST_TEST((gh.status().code() == Status::Code::kUnavailable));
  const std::string& m = gh.status().message();
  BOOST_TEST(m.find("GitHub API rate limit exceeded for " + forge->Base("ratelimit-long") +
                    "/repos/mattermost/mattermost/releases?per_page=100") != std::string::npos, m);
  BOOST_TEST(m.find("it resets at 20") != std::string::npos, m);
  BOOST_TEST(m.find("(in 60 min)") != std::string::npos, m);
  BOOST_TEST(m.find("set GITHUB_TOKEN to raise the limit") != std::string::npos, m);
  auto gl = Gitlab("ratelimit-long");
  BOOST_REQUIRE(!gl.ok());
  BOOST_TEST(gl.status().message().find("GitLab API rate limit exceeded") != std::string::npos, gl.status().message());
  BOOST_TEST(gl.status().message().find("GITLAB_TOKEN") != std::string::npos, gl.status().message());
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(30)));
}

BOOST_FIXTURE_TEST_CASE(bad_answers_are_clear_errors, Fixture) {
  auto url = [&](const std::string& mode) {
    return forge->Base(mode) + "/repos/mattermost/mattermost/releases?per_page=100";
  };
  auto forbidden = Github("forbidden");
  BOOST_TEST((forbidden.status().code() == Status::Code::kPermissionDenied));
  BOOST_TEST(forbidden.status().message().find("Resource not accessible") != std::string::npos);

  auto malformed = Github("malformed");
  BOOST_TEST((malformed.status().code() == Status::Code::kCorruption));
  BOOST_TEST(malformed.status().message().find(url("malformed") + " is not JSON") != std::string::npos,
             malformed.status().message());
  BOOST_TEST(malformed.status().message().find("expected a JSON array of releases") != std::string::npos);

  auto object = Github("object");
  BOOST_TEST(object.status().message().find("is an object, expected a JSON array of releases") != std::string::npos,
             object.status().message());

  auto missing = Gitlab("missing-name");
  BOOST_TEST(missing.status().message().find("tag [1]") != std::string::npos, missing.status().message());

  auto truncated = Github("truncated");
  BOOST_REQUIRE(!truncated.ok());
  BOOST_TEST((truncated.status().code() == Status::Code::kUnavailable));
  BOOST_TEST(truncated.status().message().find(url("truncated")) != std::string::npos, truncated.status().message());

  auto huge = Github("huge");
  BOOST_REQUIRE(!huge.ok());
  BOOST_TEST(huge.status().message().find("larger than the 16 MiB allowed per page") != std::string::npos,
             huge.status().message());
  BOOST_TEST(huge.status().message().find(url("huge")) != std::string::npos, huge.status().message());

  auto unknown = Github("api", "nobody/nothing");
  BOOST_TEST((unknown.status().code() == Status::Code::kNotFound));
  BOOST_TEST(unknown.status().message().find(forge->Base("api") + "/repos/nobody/nothing/releases") != std::string::npos,
             unknown.status().message());

  auto loop = Github("loop");
  BOOST_TEST(loop.status().message().find("pagination loop") != std::string::npos, loop.status().message());
  auto endless = Gitlab("endless");
  BOOST_TEST(endless.status().message().find("more than 50 pages") != std::string::npos, endless.status().message());
}

BOOST_FIXTURE_TEST_CASE(download_site_head_checks, Fixture) {
  auto head = [&](const std::string& file) {
    mg::HttpRequest req;
    req.method = "HEAD";
    req.url = forge->Base("api") + "/projects/mostlymatter/" + file;
    auto r = http.Send(req);
    BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return std::make_pair(r->status, r->effective_url);
  };
  BOOST_TEST(head("mostlymatter-amd64-v10.5.1").first == 200);
  auto redirected = head("mostlymatter-arm64-v10.5.1");
  BOOST_TEST(redirected.first == 200);
  BOOST_TEST(redirected.second == forge->Base("api") + "/storage/mostlymatter-arm64-v10.5.1");
  BOOST_TEST(head("mostlymatter-arm64-v10.5.0").first == 404);
  BOOST_TEST(head("mostlymatter-amd64-v99.0.0").first == 404);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
