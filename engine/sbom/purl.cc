#include "sbom/purl.h"

#include <cctype>
#include "util/strings.h"

namespace mg {
namespace {

bool Unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == ':';
}


std::string Distro(const OsInfo& os) {
  if (os.id.empty() || os.version_id.empty()) return "";
  return os.id + "-" + os.version_id;
}

}  // namespace

std::string PurlEncode(std::string_view text, bool keep_slash) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (Unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string MakePurl(std::string_view type, std::string_view name_space, std::string_view name,
                     std::string_view version, const std::map<std::string, std::string>& qualifiers) {
  std::string out = "pkg:" + std::string(type) + "/";
  size_t start = 0;
  while (start < name_space.size()) {
    size_t slash = name_space.find('/', start);
    if (slash == std::string_view::npos) slash = name_space.size();
    if (slash > start) out += PurlEncode(name_space.substr(start, slash - start)) + "/";
    start = slash + 1;
  }
  out += PurlEncode(name);
  if (!version.empty()) out += "@" + PurlEncode(version);
  std::map<std::string, std::string> sorted;  // keys are lower-cased, then sorted
  for (const auto& [key, value] : qualifiers) {
    if (!value.empty()) sorted[AsciiLower(key)] = value;
  }
  char sep = '?';
  for (const auto& [key, value] : sorted) {
    out += sep + key + "=" + PurlEncode(value, /*keep_slash=*/true);
    sep = '&';
  }
  return out;
}

std::string PurlFor(const Package& p, const OsInfo& os) {
  if (p.type == "deb" || p.type == "apk") {
    std::string ns = os.id.empty() ? (p.type == "deb" ? "debian" : "alpine") : AsciiLower(os.id);
    return MakePurl(p.type, ns, p.name, p.version, {{"arch", p.arch}, {"distro", Distro(os)}});
  }
  if (p.type == "npm") {
    std::string name = AsciiLower(p.name);
    std::string scope;
    if (!name.empty() && name[0] == '@') {
      size_t slash = name.find('/');
      if (slash != std::string::npos) {
        scope = name.substr(0, slash);
        name = name.substr(slash + 1);
      }
    }
    return MakePurl("npm", scope, name, p.version);
  }
  if (p.type == "golang") {
    if (p.name == "stdlib") {
      std::string v = p.version;
      if (v.rfind("go", 0) == 0) v = v.substr(2);
      size_t space = v.find_first_of(" \t");
      if (space != std::string::npos) v = v.substr(0, space);
      return MakePurl("golang", "", "stdlib", v);
    }
    std::string version = p.version == "(devel)" ? "" : p.version;
    size_t slash = p.name.rfind('/');
    if (slash == std::string::npos) return MakePurl("golang", "", p.name, version);
    return MakePurl("golang", std::string_view(p.name).substr(0, slash), std::string_view(p.name).substr(slash + 1),
                    version);
  }
  return "";
}

std::string OciPurl(std::string_view repository, std::string_view digest, std::string_view arch, std::string_view tag) {
  std::string_view name = repository;
  if (size_t slash = name.rfind('/'); slash != std::string_view::npos) name = name.substr(slash + 1);
  return MakePurl("oci", "", AsciiLower(name), digest,
                  {{"arch", std::string(arch)}, {"repository_url", std::string(repository)}, {"tag", std::string(tag)}});
}

}  // namespace mg
