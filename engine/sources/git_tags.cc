#include "sources/git_tags.h"

#include <algorithm>
#include <map>

#include "http/url_credentials.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace mg {
namespace {

// The largest `git ls-remote --tags` output read (about 2 million tags).
constexpr size_t kMaxTagListing = size_t{256} << 20;

constexpr std::string_view kTagsPrefix = "refs/tags/";
constexpr std::string_view kPeeled = "^{}";

bool IsHexSha(std::string_view s) {
  return (s.size() == 40 || s.size() == 64) &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> ParseLsRemoteTags(std::string_view output) {
  std::map<std::string, std::string> direct, peeled;
  for (const std::string& raw : Split(output, '\n')) {
    std::string_view line = Trim(raw);
    if (line.empty()) continue;
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos || !IsHexSha(line.substr(0, tab))) {
      return Status::Corruption("unexpected line in git ls-remote output: \"" + std::string(line) + "\"");
    }
    std::string_view sha = line.substr(0, tab);
    std::string_view ref = line.substr(tab + 1);
    if (!StartsWith(ref, kTagsPrefix)) continue;
    ref.remove_prefix(kTagsPrefix.size());
    if (EndsWith(ref, kPeeled)) {
      ref.remove_suffix(kPeeled.size());
      peeled[std::string(ref)] = std::string(sha);
    } else {
      direct[std::string(ref)] = std::string(sha);
    }
  }
  for (auto& [name, sha] : peeled) direct[name] = sha;
  return std::vector<std::pair<std::string, std::string>>(direct.begin(), direct.end());
}

Result<std::vector<Candidate>> ListGitTags(const GitTagsSource& source, const std::atomic<bool>* cancel,
                                           std::vector<std::pair<std::string, std::string>>* excluded) {
  Result<TagPattern> pattern = TagPattern::Compile(source.tag_pattern);
  if (!pattern.ok()) return pattern.status();
  if (source.url.empty()) return Status::InvalidArgument("git tags source: empty url");

  SubprocessOptions opts;
  opts.argv = {"git", "ls-remote", "--tags", "--", source.url};
  opts.env_overrides = {{"GIT_TERMINAL_PROMPT", "0"}, {"GCM_INTERACTIVE", "never"}, {"LC_ALL", "C"}};
  opts.timeout = source.timeout;
  opts.cancel = cancel;
  // The whole listing is parsed: allow a large one, and refuse rather than read a cut one.
  opts.max_captured_bytes = kMaxTagListing;
  Result<SubprocessResult> run = RunSubprocess(opts);
  const std::string shown_url = RedactUrlCredentials(source.url);
  const std::string what = "listing tags of " + shown_url;
  if (!run.ok()) return run.status().WithContext(what);
  if (run->cancelled) return Status::Cancelled(what + ": cancelled");
  if (run->timed_out) {
    return Status::Unavailable(what + ": git ls-remote timed out after " +
                               std::to_string(source.timeout.count() / 1000) + " s");
  }
  if (run->exit_code != 0) {
    const std::string tail = ScrubUrlCredentials(std::string(Trim(TailLines(run->stderr_text, 5))), source.url);
    return Status::Unavailable(what + ": git ls-remote exited with " + std::to_string(run->exit_code) +
                               (tail.empty() ? "" : ": " + tail));
  }
  if (run->stdout_dropped > 0) {
    return Status::FailedPrecondition(what + ": git ls-remote listed more than " +
                                      std::to_string(kMaxTagListing >> 20) + " MiB of tags");
  }
  Result<std::vector<std::pair<std::string, std::string>>> tags = ParseLsRemoteTags(run->stdout_text);
  if (!tags.ok()) return tags.status().WithContext(what);

  std::vector<Candidate> out;
  for (const auto& [tag, commit] : *tags) {
    std::optional<std::string> version = pattern->Extract(tag);
    if (!version) {
      if (excluded != nullptr) excluded->emplace_back(tag, pattern->MismatchReason());
      continue;
    }
    out.push_back(Candidate{*version, tag, commit, ""});  // ls-remote gives no dates
  }
  return out;  // already in tag order (std::map)
}

}  // namespace mg
