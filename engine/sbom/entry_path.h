// Tar entry names as paths inside the image: never trusted, always normalised.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace mg {

// Normalises a layer's tar entry name to a relative path: leading "./" and repeated, "." and
// empty segments and a trailing '/' removed, "a/b/../c" folded to "a/c". "" is the root itself.
// Errors (InvalidArgument, naming the entry): an absolute name ("/etc/passwd"), a name that climbs
// above the root ("../x", "a/../../x"), an empty name. Pure and thread-safe.
Result<std::string> NormalizeEntryPath(std::string_view name);

// The parent of a normalised path ("" for a top-level name) and its last segment.
std::string_view ParentPath(std::string_view path);
std::string_view BaseName(std::string_view path);

// Resolves a symbolic link found at `link_path` (normalised) pointing to `target`, inside the
// image root: an absolute target starts at the root, ".." never climbs above it (as the kernel
// does under chroot). Returns the normalised result.
std::string ResolveLinkTarget(std::string_view link_path, std::string_view target);

}  // namespace mg
