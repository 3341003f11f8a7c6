#include "oci/platform.h"

#include <vector>

#include "http/http_types.h"

namespace mg {

std::string FormatPlatform(std::string_view os, std::string_view architecture, std::string_view variant) {
  std::string out = std::string(os) + "/" + std::string(architecture);
  if (!variant.empty()) out += "/" + std::string(variant);
  return out;
}

std::string NormalizePlatform(std::string_view platform) {
  std::string lower = AsciiLower(platform);
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = lower.find('/', start);
    parts.push_back(lower.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (parts.size() < 2) return lower;
  std::string& arch = parts[1];
  std::string variant = parts.size() > 2 ? parts[2] : "";
  if (arch == "x86_64" || arch == "x86-64") arch = "amd64";
  if (arch == "aarch64") arch = "arm64";
  if (arch == "armhf") {
    arch = "arm";
    if (variant.empty()) variant = "v7";
  }
  if (arch == "armel") {
    arch = "arm";
    if (variant.empty()) variant = "v6";
  }
  if (arch == "arm64" && variant == "v8") variant.clear();
  if (arch == "amd64" && variant == "v1") variant.clear();
  if (arch == "arm" && variant.empty()) variant = "v7";
  std::string out = parts[0] + "/" + arch;
  if (!variant.empty()) out += "/" + variant;
  for (size_t i = 3; i < parts.size(); ++i) out += "/" + parts[i];
  return out;
}

bool SamePlatform(std::string_view a, std::string_view b) { return NormalizePlatform(a) == NormalizePlatform(b); }

}  // namespace mg
