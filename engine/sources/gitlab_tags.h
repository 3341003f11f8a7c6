// The gitlab-tags version source: a GitLab project's tags, from the GitLab REST API v4
// (gitlab.com, framagit.org, self-hosted).
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "http/http_client.h"
#include "sources/rate_limit.h"
#include "util/semver.h"
#include "util/status.h"

namespace mg {

inline constexpr const char* kDefaultGitlabApiBase = "https://gitlab.com/api/v4";

struct GitlabTagsSource {
  std::string project;  // full path, "framasoft/framateam/mostlymatter" (or a numeric id)
  std::string api_base = kDefaultGitlabApiBase;  // "https://framagit.org/api/v4"
  std::string token_env = "GITLAB_TOKEN";        // "" or unset variable: anonymous
  std::string tag_pattern;                        // "" = kDefaultForgeTagPattern
};

// Lists the tags of `source.project`: GET {api_base}/projects/{url-encoded path}/repository/tags?
// per_page=100, then each Link rel="next" (never x-total-pages, which GitLab omits past 10,000
// records; at most 50 pages of at most 16 MiB each). One Candidate per tag whose name matches the
// pattern: version = the capture, tag = name, commit = commit.id ("" when absent), published = the
// tag's created_at (annotated tags), else commit.committed_date, else commit.created_at ("" when
// none is a string). Sorted by tag.
// The token (environment variable token_env) is sent as "PRIVATE-TOKEN" to the API's own host
// only, never logged. Rate limits: see SendWithRateLimit. Errors as ListGithubReleases (a tag
// without a string "name" is Corruption). `cancel` may be null. When `excluded` is not null, each
// tag that does not match is appended as (tag, TagPattern::MismatchReason()), in tag order.
// Thread-safe.
Result<std::vector<Candidate>> ListGitlabTags(HttpClient& http, const GitlabTagsSource& source,
                                              const RateLimitPolicy& policy, const std::atomic<bool>* cancel,
                                              std::vector<std::pair<std::string, std::string>>* excluded = nullptr);

// Whether tag `tag` exists in `project`: GET {api_base}/projects/{id}/repository/tags/{url-encoded
// tag}: 200 -> true, 404 -> false, anything else an error naming the URL (rate limits handled as
// above). `api_base` is used as given (pass it through ResolveGitlabApiBase first).
Result<bool> GitlabTagExists(HttpClient& http, const std::string& api_base, const std::string& project,
                             const std::string& tag, const std::string& token_env,
                             const RateLimitPolicy& policy = {}, const std::atomic<bool>* cancel = nullptr);

// `configured` when not empty, else $MIRRORGRAPH_GITLAB_API when set and not empty, else
// kDefaultGitlabApiBase.
std::string ResolveGitlabApiBase(const std::string& configured);

// OK when `project` is a non-empty path of non-empty segments without spaces; InvalidArgument
// otherwise.
Status ValidateGitlabProject(const std::string& project);

}  // namespace mg
