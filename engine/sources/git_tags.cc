#include "sources/git_tags.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "http/url.h"
#include "http/url_credentials.h"
#include "sources/git_ref_files.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace mg {
namespace {

// The largest `git ls-remote --tags` output read (about 2 million tags).
constexpr size_t kMaxTagListing = size_t{256} << 20;

constexpr std::string_view kTagsPrefix = "refs/tags/";
constexpr std::string_view kPeeled = "^{}";

bool IsHexSha(std::string_view s) { return (s.size() == 40 || s.size() == 64) && IsLowerHex(s); }

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

std::optional<std::string> LocalRepositoryPath(std::string_view url) {
  std::string_view path = url;
  if (!StartsWith(path, "file://")) {
    // A plain path is taken as it is (git decodes only URLs); relative, scp-like ("host:path"),
    // an option, or another scheme: git decides.
    if (!StartsWith(path, "/") || path.find("://") != std::string_view::npos) return std::nullopt;
    return std::string(path);
  }
  path.remove_prefix(7);
  if (StartsWith(path, "localhost/")) path.remove_prefix(9);
  if (!StartsWith(path, "/")) return std::nullopt;  // another host: git decides
  std::string decoded = UrlDecode(path);
  if (decoded.find('\0') != std::string::npos) return std::nullopt;
  return decoded;
}

Result<ForEachRefTags> ParseForEachRefTags(std::string_view output) {
  ForEachRefTags out;
  std::string bad;
  ForEachLine(output, [&](std::string_view line) {
    if (line.empty()) return true;
    // "<object> <peeled type> <peeled object> <ref>": both peeled fields are empty for a
    // lightweight tag.
    std::string_view f[3];
    size_t start = 0;
    for (std::string_view& field : f) {
      size_t sp = line.find(' ', start);
      if (sp == std::string_view::npos) {
        bad = std::string(line);
        return false;
      }
      field = line.substr(start, sp - start);
      start = sp + 1;
    }
    std::string_view ref = line.substr(start);
    const bool peeled = !f[1].empty();
    if (!IsHexSha(f[0]) || (peeled ? !IsHexSha(f[2]) : !f[2].empty()) || !StartsWith(ref, kTagsPrefix) ||
        ref.size() == kTagsPrefix.size()) {
      bad = std::string(line);
      return false;
    }
    if (f[1] == "tag") out.nested_tag = true;
    ref.remove_prefix(kTagsPrefix.size());
    out.tags.emplace_back(std::string(ref), std::string(peeled ? f[2] : f[0]));
    return true;
  });
  if (!bad.empty()) return Status::Corruption("unexpected line in git for-each-ref output: \"" + bad + "\"");
  std::sort(out.tags.begin(), out.tags.end());
  return out;
}

namespace {

// Runs one git listing; its output, or the error (with `what`, `command` — "git ls-remote" — and
// git's words).
Result<std::string> RunGitListing(const GitTagsSource& source, std::string_view command, std::vector<std::string> argv,
                                  std::map<std::string, std::string> env, const std::atomic<bool>* cancel,
                                  const std::string& what) {
  SubprocessOptions opts;
  opts.argv = std::move(argv);
  opts.env_overrides = std::move(env);
  opts.env_overrides.insert({{"GIT_TERMINAL_PROMPT", "0"}, {"GCM_INTERACTIVE", "never"}, {"LC_ALL", "C"}});
  opts.timeout = source.timeout;
  opts.cancel = cancel;
  // The whole listing is parsed: allow a large one, and refuse rather than read a cut one.
  opts.max_captured_bytes = kMaxTagListing;
  Result<SubprocessResult> run = RunSubprocess(opts);
  if (!run.ok()) return run.status().WithContext(what);
  if (run->cancelled) return Status::Cancelled(what + ": cancelled");
  if (run->timed_out) {
    return Status::Unavailable(what + ": " + std::string(command) + " timed out after " +
                               std::to_string(source.timeout.count() / 1000) + " s");
  }
  if (run->exit_code != 0) {
    const std::string tail = ScrubUrlCredentials(std::string(Trim(TailLines(run->stderr_text, 5))), source.url);
    return Status::Unavailable(what + ": " + std::string(command) + " exited with " + std::to_string(run->exit_code) +
                               (tail.empty() ? "" : ": " + tail));
  }
  if (run->stdout_dropped > 0) {
    return Status::FailedPrecondition(what + ": " + std::string(command) + " listed more than " +
                                      std::to_string(kMaxTagListing >> 20) + " MiB of tags");
  }
  return std::move(run->stdout_text);
}

// The variables that point git at another repository than its working directory's. git clears
// them before it starts upload-pack for a local ls-remote (git's local_repo_env); a for-each-ref
// would obey them (mirrorgraph started from a git hook has GIT_DIR set), so with any of them set
// the listing goes to ls-remote.
constexpr const char* kRepositoryEnv[] = {
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_CONFIG", "GIT_CONFIG_COUNT", "GIT_CONFIG_PARAMETERS",
    "GIT_DIR", "GIT_GRAFT_FILE", "GIT_IMPLICIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_NAMESPACE",
    "GIT_NO_REPLACE_OBJECTS", "GIT_OBJECT_DIRECTORY", "GIT_PREFIX", "GIT_REPLACE_REF_BASE", "GIT_SHALLOW_FILE",
    "GIT_WORK_TREE"};

// The tags of a repository on this machine: read from its files when they alone give the answer
// (sources/git_ref_files.h: no process at all), else by one `git for-each-ref` in it (no
// upload-pack, no shell: one process where ls-remote starts three). nullopt, and ls-remote
// answers, when a kRepositoryEnv variable is set, the path is no directory (ls-remote then says
// what is wrong, in git's words), its parent's path holds a ':', or the listing holds a tag of a
// tag (for-each-ref peels one level in git 2.39; ls-remote peels fully).
std::optional<Result<std::vector<std::pair<std::string, std::string>>>> ListLocalTags(
    const GitTagsSource& source, const std::string& path, const std::atomic<bool>* cancel, const std::string& what) {
  for (const char* name : kRepositoryEnv) {
    if (::getenv(name) != nullptr) return std::nullopt;
  }
  std::unique_ptr<char, decltype(&::free)> real(::realpath(path.c_str(), nullptr), &::free);
  struct stat st;
  if (!real || ::stat(real.get(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  const std::string dir = real.get();
  using Tags = std::vector<std::pair<std::string, std::string>>;
  RefFilesTags from_files = ReadTagsFromRepositoryFiles(dir);
  if (from_files.tags) return Result<Tags>(std::move(*from_files.tags));
  if (from_files.hidden_refs) return std::nullopt;  // ls-remote obeys hideRefs; for-each-ref would not
  // The ceiling (the real parent, as git resolves it) keeps git from taking a parent
  // directory's repository for this one. GIT_CEILING_DIRECTORIES is ':'-separated: a parent
  // with a ':' cannot be one, so ls-remote answers then.
  std::string parent = dir.substr(0, dir.rfind('/'));
  if (parent.find(':') != std::string::npos) return std::nullopt;
  Result<std::string> listed =
      RunGitListing(source, "git for-each-ref",
                    {"git", "-C", dir, "for-each-ref", "--format=" + std::string(kForEachRefTagFormat), "refs/tags/"},
                    // Replacements are ignored, as ls-remote (upload-pack) ignores them.
                    {{"GIT_CEILING_DIRECTORIES", parent.empty() ? "/" : parent}, {"GIT_NO_REPLACE_OBJECTS", "1"}},
                    cancel, what);
  if (!listed.ok()) return Result<Tags>(listed.status());
  Result<ForEachRefTags> parsed = ParseForEachRefTags(*listed);
  if (!parsed.ok()) return Result<Tags>(parsed.status().WithContext(what));
  if (parsed->nested_tag) return std::nullopt;
  return Result<Tags>(std::move(parsed->tags));
}

}  // namespace

Result<std::vector<Candidate>> ListGitTags(const GitTagsSource& source, const std::atomic<bool>* cancel,
                                           std::vector<std::pair<std::string, std::string>>* excluded) {
  Result<TagPattern> pattern = TagPattern::Compile(source.tag_pattern);
  if (!pattern.ok()) return pattern.status();
  if (source.url.empty()) return Status::InvalidArgument("git tags source: empty url");

  const std::string shown_url = RedactUrlCredentials(source.url);
  const std::string what = "listing tags of " + shown_url;
  if (cancel != nullptr && cancel->load()) return Status::Cancelled(what + ": cancelled");
  std::optional<Result<std::vector<std::pair<std::string, std::string>>>> local;
  if (std::optional<std::string> path = LocalRepositoryPath(source.url)) {
    local = ListLocalTags(source, *path, cancel, what);
  }
  if (!local) {
    Result<std::string> listed =
        RunGitListing(source, "git ls-remote", {"git", "ls-remote", "--tags", "--", source.url}, {}, cancel, what);
    if (!listed.ok()) return listed.status();
    local = ParseLsRemoteTags(*listed);
    if (!local->ok()) return local->status().WithContext(what);
  }
  Result<std::vector<std::pair<std::string, std::string>>>& tags = *local;
  if (!tags.ok()) return tags.status();

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
