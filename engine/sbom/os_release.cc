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
  ForEachLine(text, [&](std::string_view raw) {
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') return;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) return;
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
  });
  return os;
}

}  // namespace mg
