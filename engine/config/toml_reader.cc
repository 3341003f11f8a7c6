#include "config/toml_reader.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "util/quote_value.h"
#include "util/strings.h"

namespace mg {

SourcePos ToSourcePos(const std::string& file, const toml::source_region& region) {
  return SourcePos{file, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

const char* TomlTypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::none: return "nothing";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
  }
  return "an unknown value";
}

Result<std::string> ReadTextFile(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return Status::IOError("cannot read " + path + ": " + std::strerror(errno));
  std::string text;
  char buf[65536];
  while (true) {
    errno = 0;
    size_t n = std::fread(buf, 1, sizeof buf, f.get());
    text.append(buf, n);
    if (n < sizeof buf) {
      if (std::ferror(f.get())) {
        int err = errno != 0 ? errno : EIO;
        return Status::IOError("cannot read " + path + ": " + std::strerror(err));
      }
      break;
    }
  }
  return text;
}

std::optional<toml::table> ParseToml(const std::string& text, const std::string& path, Diagnostics* diags) {
  try {
    return toml::parse(std::string_view(text), std::string_view(path));
  } catch (const toml::parse_error& e) {
    std::string message(e.description());
    if (!message.empty()) message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
    // toml++ quotes keys it cannot place; a huge one is clipped like any quoted value.
    diags->Add(ToSourcePos(path, e.source()), "invalid TOML: " + ClipValue(message, 2 * kQuoteMaxBytes));
  } catch (const std::exception& e) {  // allocation failure and the like
    diags->Add(SourcePos{path, 0, 0}, std::string("cannot parse: ") + e.what());
  }
  return std::nullopt;
}

void AppendSorted(const Diagnostics& found, Diagnostics* out) {
  std::vector<Diagnostic> items = found.items();
  std::stable_sort(items.begin(), items.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.pos.line != b.pos.line) return a.pos.line < b.pos.line;
    return a.pos.column < b.pos.column;
  });
  for (Diagnostic& d : items) out->Add(std::move(d.pos), std::move(d.message));
}

TableReader::TableReader(const toml::table& table, std::string name, std::string file,
                         std::vector<std::string> known, Diagnostics* diags)
    : table_(table), name_(std::move(name)), file_(std::move(file)), known_(std::move(known)), diags_(diags) {}

std::string TableReader::Qualified(std::string_view key) const {
  return name_.empty() ? std::string(key) : name_ + "." + std::string(key);
}

SourcePos TableReader::ValuePos(std::string_view key) const {
  const toml::node* node = table_.get(key);
  return node != nullptr ? ToSourcePos(file_, node->source()) : TablePos();
}

void TableReader::ValueError(std::string_view key, const std::string& message) {
  diags_->Add(ValuePos(key), Qualified(key) + ": " + message);
}

void TableReader::RequireKey(std::string_view key, const std::string& hint) {
  std::string where = name_.empty() ? "" : " in [" + name_ + "]";
  diags_->Add(TablePos(), "missing required key '" + std::string(key) + "'" + where +
                              (hint.empty() ? "" : " (" + hint + ")"));
}

const toml::node* TableReader::Typed(std::string_view key, toml::node_type type, const char* expected) {
  const toml::node* node = table_.get(key);
  if (node == nullptr) return nullptr;
  if (node->type() != type) {
    ValueError(key, std::string("expected ") + expected + ", got " + TomlTypeName(node->type()));
    return nullptr;
  }
  return node;
}

bool TableReader::String(std::string_view key, std::string* out) {
  const toml::node* node = Typed(key, toml::node_type::string, "a string");
  if (node == nullptr) return false;
  *out = node->as_string()->get();
  return true;
}

bool TableReader::Bool(std::string_view key, bool* out) {
  const toml::node* node = Typed(key, toml::node_type::boolean, "a boolean (true or false)");
  if (node == nullptr) return false;
  *out = node->as_boolean()->get();
  return true;
}

bool TableReader::Int(std::string_view key, int64_t min, int* out) {
  const toml::node* node = Typed(key, toml::node_type::integer, "an integer");
  if (node == nullptr) return false;
  int64_t v = node->as_integer()->get();
  if (v < min) {
    ValueError(key, "must be at least " + std::to_string(min) + ", got " + std::to_string(v));
    return false;
  }
  if (v > std::numeric_limits<int>::max()) {
    ValueError(key, "value " + std::to_string(v) + " is too large");
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

bool TableReader::StringArray(std::string_view key, std::vector<std::string>* out) {
  const toml::node* node = Typed(key, toml::node_type::array, "an array of strings");
  if (node == nullptr) return false;
  std::vector<std::string> values;
  bool ok = true;
  size_t i = 0;
  for (const toml::node& element : *node->as_array()) {
    if (const auto* s = element.as_string()) {
      values.push_back(s->get());
    } else {
      diags_->Add(ToSourcePos(file_, element.source()),
                  Qualified(key) + "[" + std::to_string(i) + "]: expected a string, got " +
                      TomlTypeName(element.type()));
      ok = false;
    }
    ++i;
  }
  if (ok) *out = std::move(values);
  return ok;
}

const toml::table* TableReader::Table(std::string_view key) {
  const toml::node* node = Typed(key, toml::node_type::table, "a table");
  return node != nullptr ? node->as_table() : nullptr;
}

void TableReader::ReportUnknownKeys() const {
  for (const auto& [key, value] : table_) {
    std::string k(key.str());
    if (std::find(known_.begin(), known_.end(), k) != known_.end()) continue;
    std::string message = "unknown key " + QuoteValue(k, '\'') + (name_.empty() ? "" : " in [" + name_ + "]");
    if (auto guess = DidYouMean(k, known_)) {
      message += "; did you mean '" + *guess + "'?";
    } else {
      message += " (known keys: " + Join(known_, ", ") + ")";
    }
    diags_->Add(ToSourcePos(file_, key.source()), std::move(message));
  }
}

}  // namespace mg
