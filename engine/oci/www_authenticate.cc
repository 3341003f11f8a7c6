#include "oci/www_authenticate.h"

#include "http/http_types.h"

namespace mg {
namespace {

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

void SkipSpace(std::string_view s, size_t* i) {
  while (*i < s.size() && (s[*i] == ' ' || s[*i] == '\t')) ++*i;
}

std::string ReadToken(std::string_view s, size_t* i) {
  size_t b = *i;
  while (*i < s.size() && IsTokenChar(s[*i])) ++*i;
  return std::string(s.substr(b, *i - b));
}

}  // namespace

std::vector<AuthChallenge> ParseWwwAuthenticate(std::string_view s) {
  std::vector<AuthChallenge> out;
  size_t i = 0;
  while (i < s.size()) {
    SkipSpace(s, &i);
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    std::string scheme = ReadToken(s, &i);
    if (scheme.empty()) {
      ++i;  // skip a stray character
      continue;
    }
    AuthChallenge challenge;
    challenge.scheme = AsciiLower(scheme);
    // auth-params until a token that is not followed by '=' (the next challenge's scheme).
    while (i < s.size()) {
      SkipSpace(s, &i);
      while (i < s.size() && (s[i] == ',' || s[i] == ' ' || s[i] == '\t')) ++i;
      size_t name_start = i;
      std::string name = ReadToken(s, &i);
      SkipSpace(s, &i);
      if (name.empty() || i >= s.size() || s[i] != '=') {
        i = name_start;  // the next challenge's scheme (or junk the outer loop skips)
        break;
      }
      ++i;  // '='
      SkipSpace(s, &i);
      std::string value;
      if (i < s.size() && s[i] == '"') {
        ++i;
        while (i < s.size() && s[i] != '"') {
          if (s[i] == '\\' && i + 1 < s.size()) ++i;
          value += s[i++];
        }
        if (i < s.size()) ++i;
      } else {
        size_t b = i;
        while (i < s.size() && s[i] != ',' && s[i] != ' ' && s[i] != '\t') ++i;
        value = std::string(s.substr(b, i - b));
      }
      challenge.params[AsciiLower(name)] = value;
    }
    out.push_back(std::move(challenge));
  }
  return out;
}

}  // namespace mg
