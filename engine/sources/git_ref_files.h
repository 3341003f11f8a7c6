// The tags of a git repository on this machine, read from its files (gitrepository-layout(5),
// git-pack-refs(1)) instead of by a git process: the loose refs under refs/tags/, packed-refs and
// its peel lines, and — for a tag whose target packed-refs does not record — the loose object it
// names (its zlib stream inflated as far as the header and the "object"/"type" lines).
//
// One `git for-each-ref` costs about 7 ms of CPU (fork, exec, git's start); reading the same
// answer from the files costs well under one. Linking libgit2 instead would cost ~9 ms at every
// start of every mirrorgraph process (docs/benchmarks.md §2, eleventh round).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mg {

struct RefFilesTags {
  // tag name (without "refs/tags/") -> the object it peels to fully (as `git ls-remote` peels:
  // through every level of annotated tag), sorted by tag (bytewise). nullopt when the files alone
  // do not give that answer exactly; then `why_not` says why, and git must answer.
  std::optional<std::vector<std::pair<std::string, std::string>>> tags;
  std::string why_not;
};

// Reads the tags of the repository at `dir` (an absolute path whose components are no symbolic
// links, as realpath(3) gives it). Answers only for a repository shaped so that nothing but its
// files decides the answer:
//  - a work tree whose .git is a directory, or a bare repository (HEAD, objects/ and refs/ in it);
//    no gitlink file, no `commondir` (a linked worktree), both owned by this process's user (git
//    refuses others' without safe.directory);
//  - a config that names no extension (reftable, SHA-256, ...), no include, and repository format
//    version 0 or 1; no refs/replace;
//  - every tag name plain ([A-Za-z0-9._+-] components, none starting with '.' or ending in
//    ".lock", no ".."), every loose ref a regular file holding a 40-hex object id, packed-refs
//    well formed;
//  - every tag's peeled target recorded in packed-refs (its "peeled" trait, its "^" lines) or
//    readable from loose objects (a tag whose object is in a pack makes git answer).
// Never throws; reads files only; thread-safe.
RefFilesTags ReadTagsFromRepositoryFiles(const std::string& dir);

}  // namespace mg
