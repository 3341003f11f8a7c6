// The git-tags version source: lists a repository's tags with git (ls-remote, or for-each-ref in a
// repository on this machine).
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
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

// Lists the tags of `url` and returns one Candidate per tag whose name matches tag_pattern:
// version = the pattern's first capture, commit = the commit the tag points to (for an annotated
// tag, its peeled "^{}" commit, never the tag object). Sorted by tag (bytewise). When `excluded`
// is not null, each tag that does not match is appended as (tag, TagPattern::MismatchReason()),
// in tag order.
// Errors: InvalidArgument (bad pattern), NotFound (git is not installed), Unavailable (git failed:
// unreachable URL, missing repository, authentication required; the message holds the URL and
// the tail of git's stderr; also timeouts), Cancelled (*cancel became true), Corruption
// (unparseable git output). `cancel` may be null. Thread-safe.
// How: a repository on this machine (LocalRepositoryPath, an existing directory) is read from
// its files when they alone decide the answer (ReadTagsFromRepositoryFiles: a plain repository
// whose tags' targets packed-refs or loose objects record; no process), else by
// one `git -C <path> for-each-ref` (GIT_CEILING_DIRECTORIES keeps git from walking up to a
// parent's repository; GIT_NO_REPLACE_OBJECTS, as ls-remote ignores replacements); anything else by
// `git ls-remote --tags -- <url>`, and so are a missing local directory, a local tag of a tag, a
// parent path with a ':', a config that may hide refs (hideRefs or an include, which ls-remote
// obeys: RefFilesTags::hidden_refs) and a caller environment with a repository variable (GIT_DIR,
// GIT_WORK_TREE, ...: git clears those for ls-remote). Both run without terminal prompts
// (GIT_TERMINAL_PROMPT=0) and without the secret variables but the forge tokens
// (ChildKind::kCredentialProgram, util/secret_env.h).
Result<std::vector<Candidate>> ListGitTags(const GitTagsSource& source, const std::atomic<bool>* cancel,
                                           std::vector<std::pair<std::string, std::string>>* excluded = nullptr);

// The path of a repository on this machine named by `url`: "file:///p", "file://localhost/p"
// (percent-decoded, as git decodes URLs) or an absolute path "/p" (as it is). nullopt for
// anything else (remote URLs, relative or scp-like paths), which only `git ls-remote` interprets.
std::optional<std::string> LocalRepositoryPath(std::string_view url);

// The --format of the local listing: "<object> <peeled type> <peeled object> <ref>".
inline constexpr std::string_view kForEachRefTagFormat = "%(objectname) %(*objecttype) %(*objectname) %(refname)";

// Parses `git for-each-ref --format=<kForEachRefTagFormat> refs/tags/` into tag name -> commit (an annotated tag's peeled object), sorted by tag.
// nested_tag: some annotated tag points at another tag, whose own target this one level of
// peeling does not reach. Exposed for tests.
struct ForEachRefTags {
  std::vector<std::pair<std::string, std::string>> tags;
  bool nested_tag = false;
};
Result<ForEachRefTags> ParseForEachRefTags(std::string_view output);

// Parses `git ls-remote` output into tag name -> commit (peeled entries win). Exposed for tests.
Result<std::vector<std::pair<std::string, std::string>>> ParseLsRemoteTags(std::string_view output);

}  // namespace mg
