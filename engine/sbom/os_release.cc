#include "sbom/os_release.h"

#include "util/strings.h"

namespace mg {
namespace {

std::string Unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') return std::string(v.substr(1, v.size() - 2));
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    std::string out;
    v = v.substr(1, v.size() - 2);
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '\\' && i + 1 < v.size()) ++i;
      out.push_back(v[i]);
    }
    return out;
  }
  return std::string(v);
}

}  // namespace

OsInfo ParseOsRelease(std::string_view text) {
  OsInfo os;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    std::string_view key = line.substr(0, eq);
    std::string value = Unquote(Trim(line.substr(eq + 1)));
    if (key == "ID") {
      os.id = value;
    } else if (key == "VERSION_ID") {
      os.version_id = value;
    } else if (key == "PRETTY_NAME") {
      os.pretty_name = value;
    } else if (key == "NAME") {
      os.name = value;
    }
  }
  return os;
}

}  // namespace mg
