#include "sbom/deb822.h"

#include "util/strings.h"

namespace mg {

void ForEachDeb822Paragraph(std::string_view text, const Deb822Options& options,
                            const std::function<bool(Deb822Paragraph&)>& fn) {
  Deb822Paragraph cur;
  // false once fn asked to stop.
  auto flush = [&] {
    bool go_on = cur.empty() || fn(cur);
    cur.clear();
    return go_on;
  };
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty()) {
      if (!flush()) return;
      continue;
    }
    if (line.front() == '#') continue;
    if (line.front() == ' ' || line.front() == '\t') {
      if (cur.empty() || !options.continuations) continue;
      std::string& value = cur.back().second;
      if (value.size() > options.max_value_bytes) continue;
      std::string_view body = line.substr(1);
      if (Trim(body) == ".") body = {};
      value += '\n';
      value += body;
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    cur.emplace_back(AsciiLower(line.substr(0, colon)), std::string(Trim(line.substr(colon + 1))));
  }
  flush();
}

const std::string* Deb822Field(const Deb822Paragraph& p, std::string_view name) {
  for (const auto& [n, v] : p) {
    if (n == name) return &v;
  }
  return nullptr;
}

}  // namespace mg
