#include "sbom/deb822.h"

#include "util/strings.h"

namespace mg {

void ForEachDeb822Paragraph(std::string_view text, const Deb822Options& options,
                            const std::function<bool(Deb822Paragraph&)>& fn) {
  Deb822Paragraph cur;
  bool stopped = false;  // fn asked to stop
  auto flush = [&] {
    if (!stopped && !cur.empty()) stopped = !fn(cur);
    cur.clear();
  };
  // Returns false once fn asked to stop: the rest of `text` is not read.
  ForEachLine(text, [&](std::string_view line) -> bool {
    if (Trim(line).empty()) {
      flush();
      return !stopped;
    }
    if (line.front() == '#') return true;
    if (line.front() == ' ' || line.front() == '\t') {
      if (cur.empty() || !options.continuations) return true;
      std::string& value = cur.back().second;
      if (value.size() > options.max_value_bytes) return true;
      std::string_view body = line.substr(1);
      if (Trim(body) == ".") body = {};
      value += '\n';
      value += body;
      return true;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return true;
    cur.emplace_back(AsciiLower(line.substr(0, colon)), std::string(Trim(line.substr(colon + 1))));
    return true;
  });
  flush();
}

const std::string* Deb822Field(const Deb822Paragraph& p, std::string_view name) {
  for (const auto& [n, v] : p) {
    if (n == name) return &v;
  }
  return nullptr;
}

}  // namespace mg
