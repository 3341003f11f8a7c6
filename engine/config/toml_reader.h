// Helpers for reading engine-owned TOML tables with positioned diagnostics (config and templates).
//
// Internal to the config and graph layers. Nothing here throws: toml++ parse errors become
// Diagnostics, and every type or value problem is recorded and reading goes on, so a user sees
// every problem of a file at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "config/diagnostics.h"
#include "util/status.h"

namespace mg {

SourcePos ToSourcePos(const std::string& file, const toml::source_region& region);

// "a string", "an integer", "a boolean", "a float", "a table", "an array", "a date", ...
const char* TomlTypeName(toml::node_type type);

// Reads a whole file. The error message is "cannot read <path>: <strerror>".
Result<std::string> ReadTextFile(const std::string& path);

// Parses `text`; a syntax error becomes one diagnostic at its position and the result is nullopt.
std::optional<toml::table> ParseToml(const std::string& text, const std::string& path, Diagnostics* diags);

// Sorts `found` by position (line, then column; stable) and appends it to `out`.
void AppendSorted(const Diagnostics& found, Diagnostics* out);

// Reads one table whose keys the engine owns. Each getter returns true only when the key is present
// and well-typed (then *out is set, otherwise *out is untouched); a wrong type is a diagnostic
// "<name>.<key>: expected a string, got an integer" at the value. `known` only drives
// ReportUnknownKeys(). `table` and `diags` must outlive the reader.
class TableReader {
 public:
  // `name` is the dotted table name used in messages ("defaults", "tasks.build"); "" for the root.
  TableReader(const toml::table& table, std::string name, std::string file, std::vector<std::string> known,
              Diagnostics* diags);

  bool String(std::string_view key, std::string* out);
  bool Bool(std::string_view key, bool* out);
  // Also requires value >= min and that the value fits an int (else a diagnostic, false).
  bool Int(std::string_view key, int64_t min, int* out);
  // An array whose elements are all strings; each bad element is reported at its own position.
  bool StringArray(std::string_view key, std::vector<std::string>* out);
  const toml::table* Table(std::string_view key);

  const toml::node* Node(std::string_view key) const { return table_.get(key); }
  const toml::table& table() const { return table_; }
  bool Has(std::string_view key) const { return table_.contains(key); }

  // "defaults.platforms" (or "platforms" at the root).
  std::string Qualified(std::string_view key) const;
  // Where the key's value is written; the table's position when absent.
  SourcePos ValuePos(std::string_view key) const;
  SourcePos TablePos() const { return ToSourcePos(file_, table_.source()); }
  const std::string& file() const { return file_; }

  void Error(const SourcePos& pos, std::string message) { diags_->Add(pos, std::move(message)); }
  // "<qualified key>: message" at the key's value.
  void ValueError(std::string_view key, const std::string& message);
  // "missing required key '<qualified>' (hint)" at the table.
  void RequireKey(std::string_view key, const std::string& hint);

  // Reports each key not in `known`: "unknown key 'platfroms' in [defaults]; did you mean
  // 'platforms'?" at the key itself.
  void ReportUnknownKeys() const;

 private:
  const toml::node* Typed(std::string_view key, toml::node_type type, const char* expected);

  const toml::table& table_;
  std::string name_;
  std::string file_;
  std::vector<std::string> known_;
  Diagnostics* diags_;
};

}  // namespace mg
