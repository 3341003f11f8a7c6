// Declarative Dockerfile edits from a recipe (docs/plugins.md, "Recipes"). Every edit MUST match:
// an upstream change that breaks one fails the build with a message showing what the edit expected
// and the file's relevant lines, never a silently unedited build.
//
// Edit objects (each may carry "description" and "file"; "file" is relative to the source root,
// default: the recipe's Dockerfile):
//   {"kind":"unpin-base-digests"}
//       strips "@sha256:<64 hex>" from the image of every FROM line (image and tag stay; "FROM
//       --platform=... img@sha256:... AS x" too) and from the default of an ARG that a FROM line
//       uses as its whole image ("ARG BASE=img@sha256:..." + "FROM ${BASE}").
//   {"kind":"insert-after","pattern":<ECMAScript regex>,"line":<text>,"count":N?}
//       inserts `line` after every line the pattern matches (matched line by line).
//   {"kind":"replace","pattern":<ECMAScript regex>,"replace":<text>,"count":N?}
//       replaces every match in the file (matched over the whole text, "^" and "$" at line ends)
//       by `replace`, taken literally: "$1" and "$&" are not expanded.
//   {"kind":"replace-base","from":<image name>,"to":<image reference>}
//       replaces the whole reference of `from` (from[:tag][@digest]) by `to` in FROM lines, in
//       COPY --from=..., and in the default of an ARG that a FROM line uses as its whole image.
//       "docker.io/" and "library/" are ignored when comparing names; stage names never match.
// "count", when given, is the exact number of matches required; otherwise at least one is.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/json.h"
#include "util/status.h"

namespace mg {

// Checks one edit object's shape: a known kind, its required fields with the right types, a
// pattern that compiles, a count >= 1, a "file" inside the source, no unknown keys. `field`
// prefixes messages ("recipe.edits[2]" -> "recipe.edits[2].pattern: ..."). InvalidArgument.
Status ValidateEdit(const Json& edit, std::string_view field);

// Pure: applies one edit to `text` (the content of `file_name`, used in messages only) and returns
// the new text. CRLF files stay CRLF; a final newline stays as it was.
// Errors: InvalidArgument for a malformed edit (see ValidateEdit); FailedPrecondition when the edit
// does not match (or matches a number of times other than its count), with a message naming the
// file and the edit's kind and showing the expected text or pattern and the relevant lines with
// their numbers (the FROM lines, or the lines most similar to the pattern).
Result<std::string> ApplyEdit(std::string_view text, const Json& edit, const std::string& file_name);

// Applies every edit in order to files under `source_root` (each edit's "file" is relative to it,
// default `default_file`), then rewrites the changed files in place (atomically, keeping their
// permissions). All or nothing: when one edit fails, no file is written. Returns one sentence per
// applied edit ("unpin-base-digests: 2 FROM lines in server/build/Dockerfile").
// Errors, prefixed with "edits[i]": InvalidArgument (a malformed edit, or a path that escapes the
// root, through ".." or a symlink); FailedPrecondition (a file that does not exist, an edit that
// does not match); IOError (reading or writing).
Result<std::vector<std::string>> ApplyEdits(const std::string& source_root, const std::vector<Json>& edits,
                                            const std::string& default_file);

}  // namespace mg
