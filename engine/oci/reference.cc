#include "oci/reference.h"

namespace mg {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsLowerHexChar(char c) { return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9'); }

bool IsValidComponent(std::string_view c) {
  if (c.empty() || !IsLowerAlnum(c.front()) || !IsLowerAlnum(c.back())) return false;
  size_t i = 0;
  while (i < c.size()) {
    if (IsLowerAlnum(c[i])) {
      ++i;
      continue;
    }
    // A separator run: ".", "_", "__" or "-+", always followed by an alphanumeric.
    size_t j = i;
    if (c[i] == '.') {
      j = i + 1;
    } else if (c[i] == '_') {
      j = i + 1;
      if (j < c.size() && c[j] == '_') ++j;
    } else if (c[i] == '-') {
      while (j < c.size() && c[j] == '-') ++j;
    } else {
      return false;
    }
    if (j >= c.size() || !IsLowerAlnum(c[j])) return false;
    i = j;
  }
  return true;
}

bool LooksLikeHost(std::string_view first) {
  return first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
         first == "localhost" || (!first.empty() && first.front() == '[');
}

}  // namespace

bool IsValidRepositoryName(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  size_t start = 0;
  while (true) {
    size_t slash = name.find('/', start);
    std::string_view comp = name.substr(start, slash == std::string_view::npos ? name.npos : slash - start);
    if (!IsValidComponent(comp)) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

bool IsValidTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  for (size_t i = 0; i < tag.size(); ++i) {
    char c = tag[i];
    bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!word && (i == 0 || (c != '.' && c != '-'))) return false;
  }
  return true;
}

bool IsValidDigest(std::string_view digest) {
  size_t hex_len = 0;
  if (digest.rfind("sha256:", 0) == 0) {
    hex_len = 64;
  } else if (digest.rfind("sha512:", 0) == 0) {
    hex_len = 128;
  } else {
    return false;
  }
  std::string_view hex = digest.substr(7);
  if (hex.size() != hex_len) return false;
  for (char c : hex) {
    if (!IsLowerHexChar(c)) return false;
  }
  return true;
}

bool IsValidRegistryHost(std::string_view host) {
  if (host.empty()) return false;
  std::string_view name = host;
  std::string_view port;
  if (host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos || close < 2) return false;
    for (char c : host.substr(1, close - 1)) {
      if (!(IsLowerHexChar(c) || (c >= 'A' && c <= 'F') || c == ':' || c == '.')) return false;
    }
    std::string_view rest = host.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
      if (port.empty()) return false;
    }
    name = {};
  } else {
    size_t colon = host.find(':');
    if (colon != std::string_view::npos) {
      name = host.substr(0, colon);
      port = host.substr(colon + 1);
      if (port.empty()) return false;
    }
  }
  for (char c : port) {
    if (c < '0' || c > '9') return false;
  }
  if (port.size() > 5) return false;
  if (host.front() == '[') return true;
  if (name.empty() || name.front() == '-' || name.front() == '.' || name.back() == '-' || name.back() == '.') {
    return false;
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return name.find("..") == std::string_view::npos;
}

std::string ImageReference::Reference() const {
  if (!digest.empty()) return digest;
  if (!tag.empty()) return tag;
  return "latest";
}

std::string ImageReference::ToString() const {
  std::string out = registry + "/" + repository;
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

Result<ImageReference> ParseImageReference(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("invalid image reference '" + std::string(text) + "': " + why);
  };
  if (text.empty()) return bad("empty");
  ImageReference ref;
  std::string_view rest = text;
  size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    ref.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (!IsValidDigest(ref.digest)) {
      return bad("digest must be sha256:<64 lower-case hex> or sha512:<128 lower-case hex>");
    }
  }
  size_t first_slash = rest.find('/');
  std::string_view first = rest.substr(0, first_slash);
  std::string_view path = rest;
  if (first_slash != std::string_view::npos && LooksLikeHost(first)) {
    ref.registry = std::string(first);
    path = rest.substr(first_slash + 1);
    if (!IsValidRegistryHost(ref.registry)) return bad("registry host '" + ref.registry + "' is not a valid host[:port]");
  } else {
    ref.registry = "docker.io";
  }
  // A tag is after the last ':' that follows the last '/'.
  size_t last_slash = path.rfind('/');
  size_t colon = path.rfind(':');
  if (colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash)) {
    ref.tag = std::string(path.substr(colon + 1));
    path = path.substr(0, colon);
    if (!IsValidTag(ref.tag)) return bad("tag '" + ref.tag + "' must match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");
  }
  ref.repository = std::string(path);
  if (ref.registry == "docker.io" && ref.repository.find('/') == std::string::npos) {
    ref.repository = "library/" + ref.repository;
  }
  if (!IsValidRepositoryName(ref.repository)) {
    return bad("repository '" + ref.repository +
               "' must be lower-case components of [a-z0-9] separated by '.', '_', '__' or '-', joined by '/'");
  }
  if (ref.registry.size() + 1 + ref.repository.size() > 255) return bad("name longer than 255 characters");
  return ref;
}

std::string CosignTag(std::string_view subject_digest, std::string_view suffix) {
  std::string tag(subject_digest);
  if (size_t colon = tag.find(':'); colon != std::string::npos) tag[colon] = '-';
  if (!suffix.empty() && suffix.front() != '.') tag += '.';
  tag += suffix;
  return tag;
}

}  // namespace mg
