// Diagnostics: user-facing problems in input files, reported all at once as file:line:column.
#pragma once

#include <string>
#include <vector>

namespace mg {

struct SourcePos {
  std::string file;  // as the user named it (relative paths stay relative)
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown
};

struct Diagnostic {
  SourcePos pos;
  std::string message;  // what is wrong, and how to fix it ("did you mean 'platforms'?")
  // "file:line:column: message"; "file: message" when the line is unknown; just the message when
  // even the file is (e.g. "cannot read mirror.toml: ...").
  std::string ToString() const;
};

// Collects diagnostics in the order found. Not thread-safe.
class Diagnostics {
 public:
  void Add(SourcePos pos, std::string message) { items_.push_back({std::move(pos), std::move(message)}); }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  // One diagnostic per line, each ending in '\n'.
  std::string ToString() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace mg
