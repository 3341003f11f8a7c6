// Fetching a recipe's source: one shallow git checkout at the discovered tag, and the commit it
// resolved to (recorded in the task result; provenance needs it).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "build/recipe.h"
#include "util/status.h"

namespace mg {

struct FetchedSource {
  std::string dir;     // the checkout (dest_dir as given)
  std::string commit;  // 40-hex (64-hex in a SHA-256 repository) commit SHA of the checkout, lower-case
};

// Fetches `source` (type "git") at `source.ref` into `dest_dir` (must not exist or be empty; it is
// created with its parents):
//   git clone --depth 1 --branch <ref> --single-branch --no-tags -c advice.detachedHead=false -- <url> <dest>
// (local paths, file://, http(s):// and ssh URLs alike; never prompts for credentials; git
// inherits no secret variable but the forge tokens, util/secret_env.h), then
// resolves HEAD to its commit SHA. Annotated and lightweight tags both resolve to the commit.
// If `expected_commit` is non-empty (a full SHA or a prefix of 7+ hex digits) and the checkout's
// commit differs: FailedPrecondition ("tag v1.2.0 moved: discovered <a>, fetched <b>").
// git's output goes to `log` (may be empty) line by line, credentials in the URL masked; `cancel`
// (may be null) kills git; `timeout` (0 = none) bounds each git command.
// Errors name the URL (credentials removed) and the ref, with git's last stderr lines:
// InvalidArgument (unknown source type, a malformed expected_commit), FailedPrecondition (dest_dir
// not empty, the commit moved), NotFound (no such tag or repository), Unavailable (any other git
// failure, a timeout), Cancelled, IOError. On any error dest_dir is left empty (or absent, when
// this call created it). Thread-safe: concurrent calls with different dest_dirs are independent.
Result<FetchedSource> FetchSource(const RecipeSource& source, const std::string& dest_dir,
                                  const std::string& expected_commit, const std::function<void(std::string_view)>& log,
                                  const std::atomic<bool>* cancel, std::chrono::milliseconds timeout);

}  // namespace mg
