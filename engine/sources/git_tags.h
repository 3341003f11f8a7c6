// The git-tags version source: lists a remote repository's tags with `git ls-remote`.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "sources/tag_pattern.h"
#include "util/semver.h"
#include "util/status.h"

namespace mg {

struct GitTagsSource {
  std::string url;          // anything git accepts: https://..., file:///..., a local path
  std::string tag_pattern;  // RE2 regex over the whole tag; capture group 1 = version
  std::chrono::milliseconds timeout{120000};
};

// Runs `git ls-remote --tags -- <url>` (no terminal prompts: GIT_TERMINAL_PROMPT=0) and returns
// one Candidate per tag whose name matches tag_pattern: version = the pattern's first capture,
// commit = the commit the tag points to (for an annotated tag, its peeled "^{}" commit, never the
// tag object). Sorted by tag (bytewise). When `excluded` is not null, each tag that does not match
// is appended as (tag, TagPattern::MismatchReason()), in tag order.
// Errors: InvalidArgument (bad pattern), NotFound (git is not installed), Unavailable (git failed:
// unreachable URL, missing repository, authentication required; the message holds the URL and
// the tail of git's stderr; also timeouts), Cancelled (*cancel became true), Corruption
// (unparseable git output). `cancel` may be null. Thread-safe.
Result<std::vector<Candidate>> ListGitTags(const GitTagsSource& source, const std::atomic<bool>* cancel,
                                           std::vector<std::pair<std::string, std::string>>* excluded = nullptr);

// Parses `git ls-remote` output into tag name -> commit (peeled entries win). Exposed for tests.
Result<std::vector<std::pair<std::string, std::string>>> ParseLsRemoteTags(std::string_view output);

}  // namespace mg
