#include "tasks/engine_host.h"

#include "http/url_credentials.h"
#include "mirrorgraph/plugin.h"
#include "sources/git_tags.h"
#include "sources/github_releases.h"
#include "sources/gitlab_tags.h"
#include "util/json.h"
#include "util/secret_env.h"

namespace mg {

void EngineHost::Log(int level, std::string_view msg) {
  if (!log_) return;
  const char* prefix = level >= MG_LOG_ERROR ? "error: " : level == MG_LOG_WARN ? "warning: " : "";
  log_(std::string(prefix) + std::string(msg));
}

Result<std::string> EngineHost::Http(std::string_view request_json) {
  if (http_ == nullptr) return Status::FailedPrecondition("HTTP is not available to this plugin call");
  std::string err;
  Json req = ParseJson(request_json, &err);
  std::optional<std::string> url = OptStringField(req, "url");
  if (!url) {
    return Status::InvalidArgument("host http: the request must be a JSON object with a \"url\" string" +
                                   (err.empty() ? "" : " (" + err + ")"));
  }
  HttpRequest r;
  r.method = StringField(req, "method", "GET");
  if (r.method != "GET" && r.method != "HEAD") {
    return Status::InvalidArgument("host http: method must be GET or HEAD, got " + r.method);
  }
  r.url = std::move(*url);
  r.follow_redirects = BoolField(req, "follow_redirects", true);
  for (const auto& [k, v] : ObjectField(req, "headers").items()) {
    if (v.is_string()) r.headers.emplace_back(k, v.get<std::string>());
  }
  auto resp = http_->Send(r);
  if (!resp.ok()) return resp.status();
  Json out = {{"status", resp->status}, {"headers", resp->headers}, {"url", resp->effective_url}};
  out["body"] = resp->body;
  return CanonicalJson(out);
}

namespace {

constexpr const char* kBuiltinSources = "git-tags, github-releases, gitlab-tags, gitlab-tag-exists";

Json CandidatesJson(const std::vector<Candidate>& candidates,
                    const std::vector<std::pair<std::string, std::string>>& excluded) {
  Json list = Json::array();
  for (const Candidate& c : candidates) {
    Json one = {{"version", c.version}, {"tag", c.tag}, {"commit", c.commit}};
    if (!c.published.empty()) one["published"] = c.published;
    list.push_back(std::move(one));
  }
  Json ex = Json::array();
  for (const auto& [version, reason] : excluded) ex.push_back({{"version", version}, {"reason", reason}});
  return Json{{"candidates", std::move(list)}, {"excluded", std::move(ex)}};
}

// The string at source[key]; `fallback` when absent. InvalidArgument when present but not a string.
Result<std::string> StringKey(const Json& source, const std::string& type, const char* key,
                              const std::string& fallback = "") {
  auto it = source.find(key);
  if (it == source.end()) return fallback;
  if (!it->is_string()) return Status::InvalidArgument(type + " source: \"" + key + "\" must be a string");
  return it->get<std::string>();
}

#define MG_ASSIGN_STRING(lhs, expr) \
  do {                              \
    auto _r = (expr);               \
    if (!_r.ok()) return _r.status(); \
    lhs = std::move(_r.value());    \
  } while (0)

RateLimitPolicy PolicyFor(const HttpClient& http) {
  RateLimitPolicy p;
  p.max_wait = std::chrono::duration_cast<std::chrono::seconds>(http.options().max_retry_after);
  return p;
}

}  // namespace

Result<Json> RunBuiltinSource(const Json& source, HttpClient* http, const std::atomic<bool>* cancel) {
  if (!source.is_object()) return Status::InvalidArgument("a source must be a JSON object");
  std::string type = StringField(source, "type");
  for (const auto& [key, value] : source.items()) {
    if (value.is_string() && UrlHasCredentials(value.get<std::string>())) {
      return Status::InvalidArgument(type + " source: \"" + key + "\": " + UrlCredentialsProblem(value.get<std::string>()));
    }
  }
  // A plugin may name a token variable the config did not (AddConfiguredSecretEnvNames).
  if (std::optional<std::string> token_env = OptStringField(source, "token_env")) {
    AddSecretEnvName(*token_env, SecretEnvKind::kForgeToken);
  }
  if (type == "git-tags") {
    GitTagsSource s;
    MG_ASSIGN_STRING(s.url, StringKey(source, type, "url"));
    MG_ASSIGN_STRING(s.tag_pattern, StringKey(source, type, "tag_pattern"));
    if (s.url.empty()) return Status::InvalidArgument("git-tags source: \"url\" is required");
    std::vector<std::pair<std::string, std::string>> excluded;
    auto tags = ListGitTags(s, cancel, &excluded);
    if (!tags.ok()) return tags.status();
    return CandidatesJson(tags.value(), excluded);
  }
  if (type == "github-releases") {
    GithubReleasesSource s;
    MG_ASSIGN_STRING(s.repo, StringKey(source, type, "repo"));
    if (s.repo.empty()) return Status::InvalidArgument("github-releases source: \"repo\" (owner/name) is required");
    std::string base;
    MG_ASSIGN_STRING(base, StringKey(source, type, "api_base"));
    s.api_base = ResolveGithubApiBase(base);
    MG_ASSIGN_STRING(s.token_env, StringKey(source, type, "token_env", s.token_env));
    MG_ASSIGN_STRING(s.tag_pattern, StringKey(source, type, "tag_pattern"));
    if (http == nullptr) return Status::FailedPrecondition("github-releases source: no HTTP client in this call");
    std::vector<std::pair<std::string, std::string>> excluded;
    auto releases = ListGithubReleases(*http, s, PolicyFor(*http), cancel, &excluded);
    if (!releases.ok()) return releases.status();
    return CandidatesJson(releases.value(), excluded);
  }
  if (type == "gitlab-tags") {
    GitlabTagsSource s;
    MG_ASSIGN_STRING(s.project, StringKey(source, type, "project"));
    if (s.project.empty()) return Status::InvalidArgument("gitlab-tags source: \"project\" (group/name) is required");
    std::string base;
    MG_ASSIGN_STRING(base, StringKey(source, type, "api_base"));
    s.api_base = ResolveGitlabApiBase(base);
    MG_ASSIGN_STRING(s.token_env, StringKey(source, type, "token_env", s.token_env));
    MG_ASSIGN_STRING(s.tag_pattern, StringKey(source, type, "tag_pattern"));
    if (http == nullptr) return Status::FailedPrecondition("gitlab-tags source: no HTTP client in this call");
    std::vector<std::pair<std::string, std::string>> excluded;
    auto tags = ListGitlabTags(*http, s, PolicyFor(*http), cancel, &excluded);
    if (!tags.ok()) return tags.status();
    return CandidatesJson(tags.value(), excluded);
  }
  if (type == "gitlab-tag-exists") {
    std::string project, tag, base, token_env;
    MG_ASSIGN_STRING(project, StringKey(source, type, "project"));
    MG_ASSIGN_STRING(tag, StringKey(source, type, "tag"));
    MG_ASSIGN_STRING(base, StringKey(source, type, "api_base"));
    MG_ASSIGN_STRING(token_env, StringKey(source, type, "token_env", "GITLAB_TOKEN"));
    if (project.empty() || tag.empty()) {
      return Status::InvalidArgument("gitlab-tag-exists: \"project\" (group/name) and \"tag\" are required");
    }
    if (http == nullptr) return Status::FailedPrecondition("gitlab-tag-exists: no HTTP client in this call");
    auto exists = GitlabTagExists(*http, ResolveGitlabApiBase(base), project, tag, token_env, PolicyFor(*http), cancel);
    if (!exists.ok()) return exists.status();
    return Json{{"exists", exists.value()}};
  }
  return Status::InvalidArgument("unknown source type '" + type + "' (built-in sources: " + kBuiltinSources + ")");
}

#undef MG_ASSIGN_STRING

Result<std::string> EngineHost::DiscoverSource(std::string_view source_json) {
  std::string err;
  Json src = ParseJson(source_json, &err);
  if (!src.is_object()) return Status::InvalidArgument("host discover_source: not a JSON object: " + err);
  auto out = RunBuiltinSource(src, http_, cancel_);
  if (!out.ok()) return out.status();
  return CanonicalJson(out.value());
}

}  // namespace mg
