#include "sources/gitlab_tags.h"

#include <algorithm>
#include <cstdlib>

#include "sources/forge_pages.h"
#include "sources/github_releases.h"  // kDefaultForgeTagPattern
#include "sources/tag_pattern.h"
#include "util/strings.h"

namespace mg {
namespace {

std::vector<std::pair<std::string, std::string>> GitlabHeaders() { return {{"Accept", "application/json"}}; }

}  // namespace

std::string ResolveGitlabApiBase(const std::string& configured) {
  if (!configured.empty()) return configured;
  const char* env = std::getenv("MIRRORGRAPH_GITLAB_API");
  if (env != nullptr && *env != '\0') return env;
  return kDefaultGitlabApiBase;
}

Status ValidateGitlabProject(const std::string& project) {
  bool ok = !project.empty() && project.front() != '/' && project.back() != '/' &&
            project.find("//") == std::string::npos &&
            std::none_of(project.begin(), project.end(), [](char c) { return c == ' ' || c == '\t' || c == '?' || c == '#'; });
  if (!ok) {
    return Status::InvalidArgument("gitlab-tags source: project \"" + project +
                                   "\" is not a project path like \"group/subgroup/name\"");
  }
  return Status::OK();
}

Result<std::vector<Candidate>> ListGitlabTags(HttpClient& http, const GitlabTagsSource& source,
                                              const RateLimitPolicy& policy, const std::atomic<bool>* cancel,
                                              std::vector<std::pair<std::string, std::string>>* excluded) {
  MG_RETURN_IF_ERROR(ValidateGitlabProject(source.project));
  Result<TagPattern> pattern =
      TagPattern::Compile(source.tag_pattern.empty() ? kDefaultForgeTagPattern : source.tag_pattern);
  if (!pattern.ok()) return pattern.status();
  Result<std::string> checked_base = NormalizeApiBase(source.api_base, "gitlab-tags source");
  if (!checked_base.ok()) return checked_base.status();
  const std::string& base = checked_base.value();

  ForgeListing l;
  l.forge = Forge::kGitLab;
  l.first_url = base + "/projects/" + UrlEncode(source.project) + "/repository/tags?per_page=100";
  l.headers = GitlabHeaders();
  std::string token = TokenFromEnv(source.token_env);
  if (!token.empty()) l.credential = {"PRIVATE-TOKEN", token};
  l.token = token;
  l.token_env = source.token_env.empty() ? "GITLAB_TOKEN" : source.token_env;
  l.what = "listing the tags of GitLab project " + source.project;
  l.expected = "a JSON array of tags (objects with a string \"name\")";

  std::vector<Candidate> out;
  std::vector<std::pair<std::string, std::string>> mismatched;
  Status s = FetchForgePages(http, l, policy, cancel, [&](const std::string& url, const Json& page) -> Status {
    for (size_t i = 0; i < page.size(); ++i) {
      const Json& tag = page[i];
      const Json* name = tag.is_object() && tag.contains("name") ? &tag["name"] : nullptr;
      if (name == nullptr || !name->is_string()) {
        return Status::Corruption(l.what + ": tag [" + std::to_string(i) + "] in the answer from " + url + " is " +
                                  (tag.is_object() ? "an object without a string \"name\"" : JsonTypeName(tag)) +
                                  "; expected " + l.expected);
      }
      std::optional<std::string> version = pattern->Extract(name->get<std::string>());
      if (!version) {
        mismatched.emplace_back(name->get<std::string>(), pattern->MismatchReason());
        continue;
      }
      const Json& commit_object = ObjectField(tag, "commit");
      const std::string commit = StringField(commit_object, "id");
      // When the tag was made (annotated tags; null for lightweight ones), else its commit's date.
      std::string published = StringField(tag, "created_at");
      if (published.empty()) published = StringField(commit_object, "committed_date");
      if (published.empty()) published = StringField(commit_object, "created_at");
      out.push_back(Candidate{*version, name->get<std::string>(), commit, published});
    }
    return Status::OK();
  });
  if (!s.ok()) return s;
  if (excluded != nullptr) {
    std::sort(mismatched.begin(), mismatched.end());
    mismatched.erase(std::unique(mismatched.begin(), mismatched.end()), mismatched.end());
    excluded->insert(excluded->end(), mismatched.begin(), mismatched.end());
  }
  std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.tag < b.tag; });
  out.erase(std::unique(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.tag == b.tag; }),
            out.end());
  return out;
}

Result<bool> GitlabTagExists(HttpClient& http, const std::string& api_base, const std::string& project,
                             const std::string& tag, const std::string& token_env, const RateLimitPolicy& policy,
                             const std::atomic<bool>* cancel) {
  MG_RETURN_IF_ERROR(ValidateGitlabProject(project));
  if (tag.empty()) return Status::InvalidArgument("gitlab tag check: empty tag name");
  Result<std::string> checked_base = NormalizeApiBase(api_base, "gitlab-tags source");
  if (!checked_base.ok()) return checked_base.status();
  const std::string& base = checked_base.value();
  HttpRequest req;
  req.url = base + "/projects/" + UrlEncode(project) + "/repository/tags/" + UrlEncode(tag);
  req.headers = GitlabHeaders();
  req.max_body_bytes = size_t{1} << 20;
  const std::string token = TokenFromEnv(token_env);
  const std::string what = "checking tag " + tag + " of GitLab project " + project;
  const std::string shown = RedactUrl(req.url);
  Result<HttpResponse> r = SendForgeRequest(http, req, {"PRIVATE-TOKEN", token}, req.url, Forge::kGitLab,
                                            token_env.empty() ? "GITLAB_TOKEN" : token_env, policy, cancel, nullptr);
  if (!r.ok()) {
    std::string msg = Scrub(r.status().message(), token);
    if (msg != r.status().message()) return Status::Unavailable(what + ": " + msg);
    return r.status().WithContext(what);
  }
  if (r->status == 200) return true;
  if (r->status == 404) return false;
  std::string api = ForgeErrorMessage(r->body, token);
  std::string head = what + ": " + shown + " answered HTTP " + std::to_string(r->status) +
                     (api.empty() ? "" : " (\"" + api + "\")") + "; expected 200 (the tag exists) or 404";
  if (r->status == 401 || r->status == 403) return Status::PermissionDenied(head);
  return Status::Unavailable(head);
}

}  // namespace mg
