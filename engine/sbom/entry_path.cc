#include "sbom/entry_path.h"

#include <vector>

namespace mg {
namespace {

// Splits `path` into segments and folds "." and ".."; `clamp` keeps ".." at the root instead of
// failing. Returns false when ".." climbs above the root and !clamp.
bool Fold(std::string_view path, bool clamp, std::vector<std::string_view>* segments) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(start, slash - start);
    if (seg == "..") {
      if (segments->empty()) {
        if (!clamp) return false;
      } else {
        segments->pop_back();
      }
    } else if (!seg.empty() && seg != ".") {
      segments->push_back(seg);
    }
    start = slash + 1;
  }
  return true;
}

std::string JoinSegments(const std::vector<std::string_view>& segments) {
  std::string out;
  for (std::string_view s : segments) {
    if (!out.empty()) out.push_back('/');
    out.append(s);
  }
  return out;
}

}  // namespace

Result<std::string> NormalizeEntryPath(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("tar entry with an empty name");
  if (name.front() == '/') {
    return Status::InvalidArgument("tar entry '" + std::string(name) +
                                   "' has an absolute path; layer entries must be relative to the image root");
  }
  std::vector<std::string_view> segments;
  if (!Fold(name, /*clamp=*/false, &segments)) {
    return Status::InvalidArgument("tar entry '" + std::string(name) + "' climbs above the image root with '..'");
  }
  return JoinSegments(segments);
}

std::string_view ParentPath(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string ResolveLinkTarget(std::string_view link_path, std::string_view target) {
  std::string joined;
  if (!target.empty() && target.front() == '/') {
    joined = std::string(target);
  } else {
    joined = std::string(ParentPath(link_path)) + "/" + std::string(target);
  }
  std::vector<std::string_view> segments;
  Fold(joined, /*clamp=*/true, &segments);
  return JoinSegments(segments);
}

}  // namespace mg
