#include "sbom/package_db.h"

#include "sbom/deb822.h"
#include "util/strings.h"

namespace mg {
namespace {

std::string Field(const Deb822Paragraph& p, const char* name) {
  const std::string* v = Deb822Field(p, name);
  return v == nullptr ? std::string() : *v;
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
  Deb822Options first_lines;
  first_lines.continuations = false;
  ForEachDeb822Paragraph(text, first_lines, [&](const Deb822Paragraph& f) {
    Package p;
    p.type = "deb";
    p.name = Field(f, "package");
    p.version = Field(f, "version");
    if (p.name.empty() || p.version.empty() || !Installed(Field(f, "status"))) return true;
    p.arch = Field(f, "architecture");
    p.license = Field(f, "license");
    p.source_path = std::string(source_path);
    out.push_back(std::move(p));
    return true;
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
  ForEachLine(text, [&](std::string_view line) {
    if (line.empty()) return flush();
    if (line.size() < 2 || line[1] != ':') return;
    std::string value(Trim(line.substr(2)));
    switch (line[0]) {
      case 'P': p.name = value; break;
      case 'V': p.version = value; break;
      case 'A': p.arch = value; break;
      case 'L': p.license = value; break;
      default: break;
    }
  });
  flush();
  return out;
}

}  // namespace mg
