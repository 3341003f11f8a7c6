// A tiny YAML emitter for the generated CI pipelines: block mappings and sequences written line by
// line, with every scalar that comes from data (labels, unit ids, paths, the install script)
// written so that any YAML 1.1 or 1.2 reader reads back exactly that string.
//
// Keys and expressions written by the generators themselves are trusted text (Raw*); everything
// else goes through Scalar() or Literal(). Not thread-safe; cheap to build.
#pragma once

#include <string>
#include <string_view>

namespace mg {

// True when `s` can be written as a plain (unquoted) scalar and still read back as this string in
// YAML 1.1 and 1.2: non-empty, only [A-Za-z0-9_./@+-], starting with a letter, and not one of the
// words a reader turns into a boolean or null ("yes", "on", "null", ...).
bool IsPlainYamlScalar(std::string_view s);

// `s` as a double-quoted YAML scalar: '\\' and '"' escaped, control characters and YAML's extra
// line breaks (U+0085, U+2028, U+2029) and the BOM escaped. `s` must be valid UTF-8 (TOML and
// JSON input is); other bytes >= 0x80 are copied as they are.
std::string YamlDoubleQuoted(std::string_view s);

// `s` single-quoted ('' for a quote): only for text without control characters, YAML-only line
// breaks or the BOM (see YamlDoubleQuoted), which single quotes cannot escape.
std::string YamlSingleQuoted(std::string_view s);

// Plain when IsPlainYamlScalar(s); else single-quoted when that can hold it exactly (easier to read
// in scripts full of double quotes); else YamlDoubleQuoted(s).
std::string YamlScalar(std::string_view s);

// True when `text` can be a literal block scalar (`|`): no control character but tab and newline,
// no YAML-only line break, and its first line does not start with a space.
bool FitsLiteralBlock(std::string_view text);

class YamlText {
 public:
  // One line: `indent` spaces, then `text` (trusted). An empty `text` writes an empty line.
  YamlText& Line(int indent, std::string_view text);
  // `# text` (one line per line of `text`).
  YamlText& Comment(int indent, std::string_view text);
  // `key:` opening a nested block.
  YamlText& Key(int indent, std::string_view key);
  // `key: value`, value trusted (an expression, `{}`, a number we wrote).
  YamlText& Raw(int indent, std::string_view key, std::string_view value);
  // `key: <YamlScalar(value)>`.
  YamlText& Pair(int indent, std::string_view key, std::string_view value);
  // `- <YamlScalar(value)>`.
  YamlText& Item(int indent, std::string_view value);
  // `key: |` and `text`'s lines one level (2 spaces) deeper, when FitsLiteralBlock(text); else a
  // double-quoted scalar. A missing final newline is added (scripts end with one).
  YamlText& Literal(int indent, std::string_view key, std::string_view text);
  // The same as a sequence item: `- |`.
  YamlText& LiteralItem(int indent, std::string_view text);

  const std::string& str() const { return out_; }

 private:
  void Block(int indent, std::string_view lead, std::string_view text);
  std::string out_;
};

}  // namespace mg
