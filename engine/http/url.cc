#include "http/url.h"

#include <algorithm>
#include <cstdlib>

#include "http/http_types.h"

namespace mg {

bool ParseUrl(std::string_view url, ParsedUrl* out) {
  ParsedUrl u;
  size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return false;
  u.scheme = AsciiLower(url.substr(0, sep));
  std::string_view rest = url.substr(sep + 3);
  size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  u.path = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (!u.path.empty() && u.path[0] != '/') u.path = "/" + u.path;
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    u.userinfo = std::string(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(0, close + 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  } else {
    size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
  }
  if (host.empty()) return false;
  u.host = AsciiLower(host);
  if (!port.empty()) {
    int p = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return false;
      p = p * 10 + (c - '0');
      if (p > 65535) return false;
    }
    u.port = p;
  } else if (u.scheme == "https") {
    u.port = 443;
  } else if (u.scheme == "http") {
    u.port = 80;
  }
  *out = std::move(u);
  return true;
}

bool SameOrigin(std::string_view a, std::string_view b) {
  ParsedUrl x, y;
  return ParseUrl(a, &x) && ParseUrl(b, &y) && x.scheme == y.scheme && x.host == y.host && x.port == y.port;
}

namespace {

bool HasScheme(std::string_view reference) {
  size_t colon = reference.find(':');
  if (colon == 0 || colon == std::string_view::npos || reference.find_first_of("/?#") < colon) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(reference[0])) return false;
  for (char c : reference.substr(0, colon)) {
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

// RFC 3986 section 5.2.4.
std::string RemoveDotSegments(std::string_view path) {
  std::string in(path), out;
  auto drop_last = [&out] {
    const size_t slash = out.rfind('/');
    out.erase(slash == std::string::npos ? 0 : slash);
  };
  while (!in.empty()) {
    if (in.rfind("../", 0) == 0) {
      in.erase(0, 3);
    } else if (in.rfind("./", 0) == 0) {
      in.erase(0, 2);
    } else if (in.rfind("/./", 0) == 0 || in == "/.") {
      in.replace(0, in == "/." ? 2 : 3, "/");
    } else if (in.rfind("/../", 0) == 0 || in == "/..") {
      in.replace(0, in == "/.." ? 3 : 4, "/");
      drop_last();
    } else if (in == "." || in == "..") {
      in.clear();
    } else {
      size_t end = in.find('/', 1);
      if (end == std::string::npos) end = in.size();
      out.append(in, 0, end);
      in.erase(0, end);
    }
  }
  return out;
}

}  // namespace

std::string ResolveUrl(std::string_view base, std::string_view reference) {
  if (HasScheme(reference)) return std::string(reference);
  size_t sep = base.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::string(reference);
  const size_t auth_end = std::min(base.size(), base.find_first_of("/?#", sep + 3));
  const std::string_view origin = base.substr(0, auth_end);  // scheme://authority
  std::string_view rest = base.substr(auth_end);
  rest = rest.substr(0, rest.find('#'));
  const std::string_view base_path = rest.substr(0, rest.find('?'));
  if (reference.rfind("//", 0) == 0) return std::string(base.substr(0, sep + 1)) + std::string(reference);
  if (reference.empty()) return std::string(origin) + std::string(rest);
  if (reference[0] == '#') return std::string(origin) + std::string(rest) + std::string(reference);
  if (reference[0] == '?') return std::string(origin) + std::string(base_path) + std::string(reference);
  const size_t path_end = std::min(reference.size(), reference.find_first_of("?#"));
  std::string path(reference.substr(0, path_end));
  if (path.empty() || path[0] != '/') {
    const size_t slash = base_path.rfind('/');
    path = (slash == std::string_view::npos ? std::string("/") : std::string(base_path.substr(0, slash + 1))) + path;
  }
  return std::string(origin) + RemoveDotSegments(path) + std::string(reference.substr(path_end));
}

std::string RedactUrl(std::string_view url) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return std::string(url);
  size_t auth_start = sep + 3;
  size_t auth_end = url.find_first_of("/?#", auth_start);
  if (auth_end == std::string_view::npos) auth_end = url.size();
  std::string_view authority = url.substr(auth_start, auth_end - auth_start);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, auth_start));
  out += authority.substr(at + 1);
  out += url.substr(auth_end);
  return out;
}

std::string HostPortKey(std::string_view url) {
  ParsedUrl u;
  if (!ParseUrl(url, &u)) return std::string(url);
  return u.host + ":" + std::to_string(u.port);
}

std::string UrlEncode(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string UrlDecode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace mg
