#include "sources/github_releases.h"

#include <algorithm>
#include <cstdlib>

#include "sources/forge_pages.h"
#include "sources/tag_pattern.h"
#include "util/strings.h"

namespace mg {
namespace {

bool IsRepoPart(std::string_view s) {
  return !s.empty() && s != "." && s != ".." && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

}  // namespace

std::string ResolveGithubApiBase(const std::string& configured) {
  if (!configured.empty()) return configured;
  const char* env = std::getenv("MIRRORGRAPH_GITHUB_API");
  if (env != nullptr && *env != '\0') return env;
  return kDefaultGithubApiBase;
}

Status ValidateGithubRepo(const std::string& repo) {
  size_t slash = repo.find('/');
  if (slash == std::string::npos || !IsRepoPart(std::string_view(repo).substr(0, slash)) ||
      !IsRepoPart(std::string_view(repo).substr(slash + 1))) {
    return Status::InvalidArgument("github-releases source: repo \"" + repo +
                                   "\" is not \"owner/name\" (e.g. \"mattermost/mattermost\")");
  }
  return Status::OK();
}

Result<std::vector<Candidate>> ListGithubReleases(HttpClient& http, const GithubReleasesSource& source,
                                                  const RateLimitPolicy& policy, const std::atomic<bool>* cancel,
                                                  std::vector<std::pair<std::string, std::string>>* excluded) {
  MG_RETURN_IF_ERROR(ValidateGithubRepo(source.repo));
  Result<TagPattern> pattern =
      TagPattern::Compile(source.tag_pattern.empty() ? kDefaultForgeTagPattern : source.tag_pattern);
  if (!pattern.ok()) return pattern.status();
  Result<std::string> checked_base = NormalizeApiBase(source.api_base, "github-releases source");
  if (!checked_base.ok()) return checked_base.status();
  const std::string& base = checked_base.value();

  ForgeListing l;
  l.forge = Forge::kGitHub;
  l.first_url = base + "/repos/" + source.repo + "/releases?per_page=100";
  l.headers = {{"Accept", "application/vnd.github+json"}, {"X-GitHub-Api-Version", "2022-11-28"}};
  std::string token = TokenFromEnv(source.token_env);
  if (!token.empty()) l.credential = {"Authorization", "Bearer " + token};
  l.token = token;
  l.token_env = source.token_env.empty() ? "GITHUB_TOKEN" : source.token_env;
  l.what = "listing the releases of GitHub repository " + source.repo;
  l.expected = "a JSON array of releases (objects with a string \"tag_name\")";

  std::vector<Candidate> out;
  Status s = FetchForgePages(http, l, policy, cancel, [&](const std::string& url, const Json& page) -> Status {
    for (size_t i = 0; i < page.size(); ++i) {
      const Json& rel = page[i];
      const Json* tag = rel.is_object() && rel.contains("tag_name") ? &rel["tag_name"] : nullptr;
      if (tag == nullptr || !tag->is_string()) {
        return Status::Corruption(l.what + ": release [" + std::to_string(i) + "] in the answer from " + url +
                                  " is " + (rel.is_object() ? "an object without a string \"tag_name\"" : JsonTypeName(rel)) +
                                  "; expected " + l.expected);
      }
      const std::string name = tag->get<std::string>();
      std::optional<std::string> version = pattern->Extract(name);
      if (!version) {
        if (excluded != nullptr) excluded->emplace_back(name, pattern->MismatchReason());
        continue;
      }
      auto flag = [&](const char* key) { return BoolField(rel, key); };
      if (flag("draft") || flag("prerelease")) {
        if (excluded != nullptr) excluded->emplace_back(*version, flag("draft") ? "draft release" : "prerelease");
        continue;
      }
      // No commit: target_commitish is where GitHub would create the tag, and is ignored when
      // the tag already exists, so even a SHA there need not be the tag's commit. The build
      // resolves the tag itself (docs/builders.md).
      out.push_back(Candidate{*version, name, "", StringField(rel, "published_at")});
    }
    return Status::OK();
  });
  if (!s.ok()) return s;
  std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.tag < b.tag; });
  out.erase(std::unique(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.tag == b.tag; }),
            out.end());
  return out;
}

}  // namespace mg
