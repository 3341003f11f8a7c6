#include "build/source_fetch.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "http/url_credentials.h"
#include "util/atomic_file.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace mg {
namespace {

namespace fs = std::filesystem;

bool IsHex(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}


// Removes the URL's credentials from a line of git's output.
class Masker {
 public:
  explicit Masker(const std::string& url) : url_(url), redacted_(RedactUrlCredentials(url)) {}
  std::string operator()(std::string_view line) const { return ScrubUrlCredentials(std::string(line), url_); }
  const std::string& redacted() const { return redacted_; }

 private:
  std::string url_, redacted_;
};

// Empties `dir` (removing it when `created`); errors are ignored: this is cleanup after a failure.
void CleanUp(const fs::path& dir, bool created) {
  std::error_code ec;
  if (created) {
    fs::remove_all(dir, ec);
    return;
  }
  for (const auto& entry : fs::directory_iterator(dir, ec)) fs::remove_all(entry.path(), ec);
}

}  // namespace

Result<FetchedSource> FetchSource(const RecipeSource& source, const std::string& dest_dir,
                                  const std::string& expected_commit, const std::function<void(std::string_view)>& log,
                                  const std::atomic<bool>* cancel, std::chrono::milliseconds timeout) {
  const Masker mask(source.url);
  const std::string what = "fetching " + mask.redacted() + " at " + source.ref;
  if (source.type != "git") {
    return Status::InvalidArgument(what + ": source type \"" + source.type +
                                   "\" is not one this engine fetches (expected git)");
  }
  if (source.url.empty() || source.ref.empty())
    return Status::InvalidArgument(what + ": the source needs a url and a ref");
  const std::string expected = AsciiLower(expected_commit);
  if (!expected.empty() && (!IsHex(expected) || expected.size() < 7 || expected.size() > 64)) {
    return Status::InvalidArgument(what + ": expected commit \"" + expected_commit +
                                   "\" is not a commit SHA (7 to 64 hex digits)");
  }

  std::error_code ec;
  const fs::path dest(dest_dir);
  bool created = false;
  if (fs::exists(dest, ec)) {
    if (!fs::is_directory(dest, ec) || !fs::is_empty(dest, ec)) {
      return Status::FailedPrecondition(what + ": " + dest_dir + " exists and is not an empty directory");
    }
  } else {
    MG_RETURN_IF_ERROR(MakeDirs(dest_dir).WithContext(what));
    created = true;
  }

  auto run = [&](std::vector<std::string> argv, const std::string& cwd) -> Result<SubprocessResult> {
    SubprocessOptions opts;
    opts.argv = std::move(argv);
    opts.cwd = cwd;
    opts.env_overrides = {{"GIT_TERMINAL_PROMPT", "0"}, {"GCM_INTERACTIVE", "never"}, {"LC_ALL", "C"}};
    opts.timeout = timeout;
    opts.cancel = cancel;
    if (log) opts.on_output_line = [&](std::string_view line) { log(mask(line)); };
    return RunSubprocess(opts);
  };
  // The error of a git command that did not succeed, or OK.
  auto failure = [&](const Result<SubprocessResult>& r, const std::string& command) -> Status {
    if (!r.ok()) return r.status().WithContext(what);
    if (r->cancelled) return Status::Cancelled(what + ": cancelled");
    if (r->timed_out) {
      return Status::Unavailable(what + ": " + command + " timed out after " + std::to_string(timeout.count() / 1000) +
                                 " s");
    }
    if (r->exit_code == 0) return Status::OK();
    const std::string tail = mask(Trim(TailLines(r->stderr_text, 5)));
    const std::string detail = tail.empty() ? "" : ":\n" + tail;
    const std::string err = r->stderr_text;
    if (err.find("not found in upstream") != std::string::npos ||
        err.find("Could not find remote branch") != std::string::npos) {
      return Status::NotFound(what + ": the repository has no tag or branch \"" + source.ref + "\"" + detail);
    }
    if (err.find("does not appear to be a git repository") != std::string::npos ||
        err.find("Repository not found") != std::string::npos || err.find("does not exist") != std::string::npos) {
      return Status::NotFound(what + ": no git repository there" + detail);
    }
    return Status::Unavailable(what + ": " + command + " exited with " + std::to_string(r->exit_code) + detail);
  };

  Result<SubprocessResult> clone = run({"git", "clone", "--depth", "1", "--branch", source.ref, "--single-branch",
                                        "--no-tags", "-c", "advice.detachedHead=false", "--", source.url, dest_dir},
                                       "");
  if (Status s = failure(clone, "git clone"); !s.ok()) {
    CleanUp(dest, created);
    return s;
  }
  Result<SubprocessResult> head = run({"git", "rev-parse", "--verify", "HEAD^{commit}"}, dest_dir);
  if (Status s = failure(head, "git rev-parse"); !s.ok()) {
    CleanUp(dest, created);
    return s;
  }
  const std::string commit = AsciiLower(Trim(head->stdout_text));
  if (!IsHex(commit) || (commit.size() != 40 && commit.size() != 64)) {
    CleanUp(dest, created);
    return Status::Corruption(what + ": git rev-parse HEAD printed \"" + commit + "\", not a commit SHA");
  }
  if (!expected.empty() && !StartsWith(commit, expected)) {
    CleanUp(dest, created);
    return Status::FailedPrecondition("tag " + source.ref + " moved: discovered " + expected + ", fetched " + commit +
                                      " (" + mask.redacted() + "); rerun discover to pick up the new commit");
  }
  return FetchedSource{dest_dir, commit};
}

}  // namespace mg
