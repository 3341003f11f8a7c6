// Paths inside a source checkout, as recipes name them (context, Dockerfile, an edit's file).
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace mg {

// Lexically normalises `path`, relative to a source checkout's root: "./a//b/" -> "a/b",
// "a/../b" -> "b", "." and "a/.." -> ".". Pure, thread-safe.
// InvalidArgument, prefixed with `field` ("recipe.context: ..."), when `path` is empty, absolute,
// leaves the root ("../x" leaves the source tree) or holds a NUL or a newline.
Result<std::string> NormalizeSourcePath(std::string_view path, std::string_view field);

}  // namespace mg
