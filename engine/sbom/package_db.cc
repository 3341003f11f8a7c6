#include "sbom/package_db.h"

#include <map>

#include "util/strings.h"

namespace mg {
namespace {

// Calls `fn(fields)` for each stanza of `text`; field names lower-cased, values trimmed, only
// the first line of multi-line values kept.
template <typename Fn>
void ForEachStanza(std::string_view text, Fn fn) {
  std::map<std::string, std::string> fields;
  size_t start = 0;
  auto flush = [&] {
    if (!fields.empty()) fn(fields);
    fields.clear();
  };
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty()) {
      flush();
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t' || line.front() == '#') continue;  // continuation
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    fields.emplace(std::move(name), std::string(Trim(line.substr(colon + 1))));
  }
  flush();
}

std::string Field(const std::map<std::string, std::string>& fields, const char* name) {
  auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

bool Installed(std::string_view status) {
  std::vector<std::string> words;
  for (const std::string& w : Split(status, ' ')) {
    if (!w.empty()) words.push_back(w);
  }
  return words.size() == 3 && (words[0] == "install" || words[0] == "hold") && words[1] == "ok" &&
         words[2] == "installed";
}

}  // namespace

std::vector<Package> ParseDpkgStatus(std::string_view text, std::string_view source_path) {
  std::vector<Package> out;
  ForEachStanza(text, [&](const std::map<std::string, std::string>& f) {
    Package p;
    p.type = "deb";
    p.name = Field(f, "package");
    p.version = Field(f, "version");
    if (p.name.empty() || p.version.empty() || !Installed(Field(f, "status"))) return;
    p.arch = Field(f, "architecture");
    p.license = Field(f, "license");
    p.source_path = std::string(source_path);
    out.push_back(std::move(p));
  });
  return out;
}

std::vector<Package> ParseApkInstalled(std::string_view text, std::string_view source_path) {
  std::vector<Package> out;
  Package p;
  auto flush = [&] {
    if (!p.name.empty() && !p.version.empty()) {
      p.type = "apk";
      p.source_path = std::string(source_path);
      out.push_back(std::move(p));
    }
    p = Package();
  };
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      flush();
      continue;
    }
    if (line.size() < 2 || line[1] != ':') continue;
    std::string value(Trim(line.substr(2)));
    switch (line[0]) {
      case 'P': p.name = value; break;
      case 'V': p.version = value; break;
      case 'A': p.arch = value; break;
      case 'L': p.license = value; break;
      default: break;
    }
  }
  flush();
  return out;
}

}  // namespace mg
