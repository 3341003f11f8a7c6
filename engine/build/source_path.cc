#include "build/source_path.h"

#include <vector>

#include "util/strings.h"

namespace mg {

Result<std::string> NormalizeSourcePath(std::string_view path, std::string_view field) {
  const std::string quoted = "\"" + std::string(path) + "\"";
  auto bad = [&](const std::string& why) { return Status::InvalidArgument(std::string(field) + ": " + why); };
  if (path.empty()) return bad("is empty; use \".\" for the root of the source");
  if (path.find('\0') != std::string_view::npos || path.find('\n') != std::string_view::npos) {
    return bad("holds a NUL or newline character");
  }
  if (path.front() == '/') return bad(quoted + " is absolute; give a path relative to the root of the source");
  std::vector<std::string> parts;
  for (const std::string& part : Split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return bad(quoted + " leaves the source tree");
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  return parts.empty() ? std::string(".") : Join(parts, "/");
}

}  // namespace mg
