// os-release(5) files: the image's operating system.
#pragma once

#include <string_view>

#include "sbom/package.h"

namespace mg {

// Parses KEY=value lines (values optionally in double or single quotes; in double quotes a
// backslash escapes the next character; comments and malformed lines are skipped). Fills ID,
// VERSION_ID, PRETTY_NAME and NAME; source_path is left to the caller. Never fails.
OsInfo ParseOsRelease(std::string_view text);

}  // namespace mg
