#include "exec/selection.h"

#include "util/strings.h"

namespace mg {

bool SelectedBy(const std::string& pattern, const Task& task) {
  if (pattern.empty()) return true;
  const TaskCoords& c = task.coords;
  std::vector<std::string> bases = {c.app};
  if (!c.image.empty() && c.image != c.app) bases.push_back(c.app + "/" + c.image);
  if (c.version.empty()) {
    std::string app_part = pattern.substr(0, pattern.find('@'));
    for (const std::string& b : bases) {
      if (GlobMatch(app_part, b)) return true;
    }
    return false;
  }
  for (const std::string& b : bases) {
    if (GlobMatch(pattern, b) || GlobMatch(pattern, b + "@" + c.version)) return true;
    if (!c.platform.empty() && GlobMatch(pattern, b + "@" + c.version + "/" + c.platform)) return true;
  }
  return false;
}

}  // namespace mg
