#include "ci/yaml.h"

#include <array>
#include <cstdio>
#include "util/strings.h"

namespace mg {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// Words YAML 1.1 readers (PyYAML, js-yaml's older schemas, GitLab's Ruby Psych) read as booleans
// or null, compared in lower case.
constexpr std::array<std::string_view, 11> kSpecialWords = {"y",  "n",   "yes",   "no",   "true", "false",
                                                            "on", "off", "null", "nil", "none"};


// The length of the 3-byte UTF-8 sequences U+2028 / U+2029 / U+FEFF at `s[i]`, or 0; and of
// U+0085 (2 bytes).
std::string_view YamlOnlyBreakEscape(std::string_view s, size_t i, size_t* len) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  if (i + 1 < s.size() && at(i) == 0xC2 && at(i + 1) == 0x85) {
    *len = 2;
    return "\\N";
  }
  if (i + 2 < s.size() && at(i) == 0xE2 && at(i + 1) == 0x80 && (at(i + 2) == 0xA8 || at(i + 2) == 0xA9)) {
    *len = 3;
    return at(i + 2) == 0xA8 ? "\\L" : "\\P";
  }
  if (i + 2 < s.size() && at(i) == 0xEF && at(i + 1) == 0xBB && at(i + 2) == 0xBF) {
    *len = 3;
    return "\\uFEFF";
  }
  *len = 0;
  return {};
}

}  // namespace

bool IsPlainYamlScalar(std::string_view s) {
  if (s.empty() || !IsAsciiLetter(s[0])) return false;
  for (char c : s) {
    if (!IsAsciiLetter(c) && !IsAsciiDigit(c) && c != '_' && c != '.' && c != '/' && c != '@' && c != '+' &&
        c != '-') {
      return false;
    }
  }
  const std::string lower = AsciiLower(s);
  for (std::string_view w : kSpecialWords) {
    if (lower == w) return false;
  }
  return true;
}

std::string YamlDoubleQuoted(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    if (std::string_view esc = YamlOnlyBreakEscape(s, i, &len); len > 0) {
      out += esc;
      i += len - 1;
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

std::string YamlSingleQuoted(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string YamlScalar(std::string_view s) {
  if (IsPlainYamlScalar(s)) return std::string(s);
  bool single_ok = !s.empty();
  for (size_t i = 0; i < s.size() && single_ok; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    (void)YamlOnlyBreakEscape(s, i, &len);  // only whether one is there matters
    single_ok = c >= 0x20 && c != 0x7f && len == 0;
  }
  return single_ok ? YamlSingleQuoted(s) : YamlDoubleQuoted(s);
}

bool FitsLiteralBlock(std::string_view text) {
  if (text.empty() || text[0] == ' ' || text[0] == '\n') return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) return false;
    size_t len = 0;
    (void)YamlOnlyBreakEscape(text, i, &len);  // only whether one is there matters
    if (len > 0) return false;
  }
  // Trailing blank lines would be clipped by `|`: keep them out rather than change the text.
  size_t end = text.size();
  while (end > 0 && text[end - 1] == '\n') --end;
  return text.size() - end <= 1;
}

YamlText& YamlText::Line(int indent, std::string_view text) {
  if (!text.empty()) out_.append(static_cast<size_t>(indent), ' ').append(text);
  out_ += '\n';
  return *this;
}

YamlText& YamlText::Comment(int indent, std::string_view text) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    out_.append(static_cast<size_t>(indent), ' ').append(line.empty() ? "#" : "# ").append(line) += '\n';
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return *this;
}

YamlText& YamlText::Key(int indent, std::string_view key) {
  out_.append(static_cast<size_t>(indent), ' ').append(key).append(":\n");
  return *this;
}

YamlText& YamlText::Raw(int indent, std::string_view key, std::string_view value) {
  out_.append(static_cast<size_t>(indent), ' ').append(key).append(": ").append(value) += '\n';
  return *this;
}

YamlText& YamlText::Pair(int indent, std::string_view key, std::string_view value) {
  return Raw(indent, key, YamlScalar(value));
}

YamlText& YamlText::Item(int indent, std::string_view value) {
  out_.append(static_cast<size_t>(indent), ' ').append("- ").append(YamlScalar(value)) += '\n';
  return *this;
}

void YamlText::Block(int indent, std::string_view lead, std::string_view text) {
  out_.append(static_cast<size_t>(indent), ' ').append(lead);
  if (!FitsLiteralBlock(text)) {
    std::string t(text);
    if (!t.empty() && t.back() != '\n') t += '\n';
    out_.append(" ").append(YamlDoubleQuoted(t)) += '\n';
    return;
  }
  out_ += " |\n";
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    Line(indent + 2, line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
}

YamlText& YamlText::Literal(int indent, std::string_view key, std::string_view text) {
  Block(indent, std::string(key) + ":", text);
  return *this;
}

YamlText& YamlText::LiteralItem(int indent, std::string_view text) {
  Block(indent, "-", text);
  return *this;
}

}  // namespace mg
