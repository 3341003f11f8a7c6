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
  // A config may hide refs (transfer.hideRefs, uploadpack.hideRefs, or an include, in the
  // repository's, the user's or the system's config): only `git ls-remote`, which
  // obeys them, answers as ls-remote does (for-each-ref lists hidden refs too).
  bool hidden_refs = false;
};

// Reads the tags of the repository at `dir` (an absolute path whose components are no symbolic
// links, as realpath(3) gives it). Answers only for a repository shaped so that nothing but its
// files decides the answer:
//  - a work tree whose .git is a directory, or a bare repository (HEAD, objects/ and refs/ in it);
//    no gitlink file, no `commondir` (a linked worktree), both owned by this process's user (git
//    refuses others' without safe.directory);
//  - a HEAD that is a symbolic ref or an object id; a config that names no extension (reftable,
//    SHA-256, ...), no include, no hideRefs (nor the user's or the system's config), and
//    repository format version 0 or 1 (replacements,
//    refs/replace/, are ignored, as `git ls-remote` ignores them);
//  - refs/tags a directory (or absent), every tag name plain ([A-Za-z0-9._+-] components, none
//    starting with '.' or ending in ".lock", no ".."), every loose ref a regular file holding a
//    40-hex object id, packed-refs well formed as git requires (LF-terminated lines, "^" lines
//    only after a ref's line);
//  - every tag's peeled target recorded in packed-refs (its "peeled" trait, its "^" lines) or
//    readable from loose objects (a tag whose object is in a pack makes git answer), every tag
//    object well formed (object, type commit|tree|blob|tag, tag lines; what a "tag" type names is
//    a tag). Objects are not hash-checked, nor inflated past their first lines: a corrupt object
//    git would refuse may be peeled here.
// Loose refs are read before packed-refs, as git reads them, so a concurrent `git pack-refs`
// loses no tag. Only regular files are read (no link followed, no FIFO waited on), each capped.
// packed-refs' refs must be in strictly increasing byte order (git trusts its "sorted" trait).
// Never throws; reads files only;
// thread-safe.
RefFilesTags ReadTagsFromRepositoryFiles(const std::string& dir);

}  // namespace mg
