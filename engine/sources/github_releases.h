// The github-releases version source: a repository's published releases, from the GitHub REST API
// (github.com or GitHub Enterprise).
#pragma once

#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "http/http_client.h"
#include "sources/rate_limit.h"
#include "util/semver.h"
#include "util/status.h"

namespace mg {

// The tag pattern of forge sources when none is configured: an optional leading "v", then dotted
// numbers ("v10.1.2", "1.2", "2.0.0.1"). Suffixed tags ("v1.2.3-rc1") need a pattern of their own.
inline constexpr const char* kDefaultForgeTagPattern = R"(^v?(\d+(?:\.\d+)*)$)";

inline constexpr const char* kDefaultGithubApiBase = "https://api.github.com";

struct GithubReleasesSource {
  std::string repo;  // "owner/name"
  std::string api_base = kDefaultGithubApiBase;  // GitHub Enterprise: "https://host/api/v3"
  std::string token_env = "GITHUB_TOKEN";        // "" or unset variable: anonymous
  std::string tag_pattern;                        // "" = kDefaultForgeTagPattern
};

// Lists the published releases of `source.repo`: GET {api_base}/repos/{owner}/{name}/releases?
// per_page=100, then each Link rel="next" (at most 50 pages of at most 16 MiB each). Drafts and
// prereleases are left out; so are releases whose tag_name does not match the tag pattern. One
// Candidate per remaining release: version = the pattern's capture, tag = tag_name, commit = ""
// (target_commitish need not be the tag's commit; the build resolves the tag), published =
// published_at ("" when it is not a string).
// Sorted by tag (bytewise). When `excluded` is not null, each left-out release is appended, in
// the API's order: (version, "draft release") / (version, "prerelease") when its tag matched the
// pattern, (tag, TagPattern::MismatchReason()) when it did not.
// The token (from the environment variable token_env, read per call) is sent as
// "Authorization: Bearer" to the API's own host only; it is never logged nor put in a message.
// Rate limits: see SendWithRateLimit. Errors name the URL (credentials redacted) and what was
// expected: InvalidArgument (repo not "owner/name", bad pattern, api_base not http(s)), NotFound
// (404), PermissionDenied, Unavailable, FailedPrecondition, Corruption (see FetchForgePages; also
// a release without a string tag_name), Cancelled. `cancel` may be null. Thread-safe.
Result<std::vector<Candidate>> ListGithubReleases(HttpClient& http, const GithubReleasesSource& source,
                                                  const RateLimitPolicy& policy, const std::atomic<bool>* cancel,
                                                  std::vector<std::pair<std::string, std::string>>* excluded = nullptr);

// `configured` when not empty, else $MIRRORGRAPH_GITHUB_API when set and not empty, else
// kDefaultGithubApiBase.
std::string ResolveGithubApiBase(const std::string& configured);

// OK when `repo` is "owner/name" with both parts of [A-Za-z0-9._-]; InvalidArgument otherwise.
Status ValidateGithubRepo(const std::string& repo);

}  // namespace mg
