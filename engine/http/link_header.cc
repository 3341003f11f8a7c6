#include "http/link_header.h"

#include <vector>

namespace mg {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

void SkipSpace(std::string_view s, size_t* i) {
  while (*i < s.size() && IsSpace(s[*i])) ++*i;
}

}  // namespace

std::map<std::string, std::string> ParseLinkHeader(std::string_view s) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    SkipSpace(s, &i);
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    if (i >= s.size()) break;
    if (s[i] != '<') {
      // Malformed: skip to the next entry.
      size_t comma = s.find(',', i);
      if (comma == std::string_view::npos) break;
      i = comma + 1;
      continue;
    }
    size_t close = s.find('>', i);
    if (close == std::string_view::npos) break;
    std::string url(s.substr(i + 1, close - i - 1));
    i = close + 1;
    std::vector<std::string> rels;
    // Parameters: ; name=value | ; name="quoted, value"
    while (true) {
      SkipSpace(s, &i);
      if (i >= s.size() || s[i] != ';') break;
      ++i;
      SkipSpace(s, &i);
      size_t name_start = i;
      while (i < s.size() && s[i] != '=' && s[i] != ';' && s[i] != ',' && !IsSpace(s[i])) ++i;
      std::string name = AsciiLower(s.substr(name_start, i - name_start));
      SkipSpace(s, &i);
      std::string value;
      if (i < s.size() && s[i] == '=') {
        ++i;
        SkipSpace(s, &i);
        if (i < s.size() && s[i] == '"') {
          ++i;
          while (i < s.size() && s[i] != '"') {
            if (s[i] == '\\' && i + 1 < s.size()) ++i;
            value += s[i++];
          }
          if (i < s.size()) ++i;  // closing quote
        } else {
          size_t v = i;
          while (i < s.size() && s[i] != ';' && s[i] != ',' && !IsSpace(s[i])) ++i;
          value = std::string(s.substr(v, i - v));
        }
      }
      if (name == "rel") {
        size_t p = 0;
        while (p < value.size()) {
          while (p < value.size() && IsSpace(value[p])) ++p;
          size_t q = p;
          while (q < value.size() && !IsSpace(value[q])) ++q;
          if (q > p) rels.push_back(AsciiLower(std::string_view(value).substr(p, q - p)));
          p = q;
        }
      }
    }
    for (const std::string& rel : rels) out.emplace(rel, url);
    // Anything else up to the next comma belongs to this (malformed) entry.
    SkipSpace(s, &i);
    if (i < s.size() && s[i] != ',') {
      size_t comma = s.find(',', i);
      if (comma == std::string_view::npos) break;
      i = comma;
    }
  }
  return out;
}

}  // namespace mg
