// Platform strings "os/arch[/variant]" and their normalisation for matching.
#pragma once

#include <string>
#include <string_view>

namespace mg {

// Joins the parts; the variant is left out when empty.
std::string FormatPlatform(std::string_view os, std::string_view architecture, std::string_view variant);

// The canonical form used for comparisons: lower-case; aliases folded (x86_64 -> amd64,
// aarch64 -> arm64); default variants dropped or added so that equal platforms compare equal:
// "linux/arm64" == "linux/arm64/v8", "linux/amd64/v1" == "linux/amd64", "linux/arm" ==
// "linux/arm/v7". Not for display.
std::string NormalizePlatform(std::string_view platform);

bool SamePlatform(std::string_view a, std::string_view b);

}  // namespace mg
