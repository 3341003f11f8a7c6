#include "util/json.h"

#include <array>
#include <charconv>

namespace mg {

namespace {
// Bytes copied as is into a JSON string literal: printable ASCII but '"' and '\\'.
constexpr auto kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c <= 0x7e; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();

// nlohmann's own compact serialisation: the reference CanonicalJson reproduces, and the writer
// of what the fast path below leaves to it (escapes, UTF-8 checks, floating point, binary).
std::string ReferenceDump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

void AppendCanonical(std::string* out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, member] : value.get_ref<const Json::object_t&>()) {  // std::map: sorted
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(out, key);
        out->push_back(':');
        AppendCanonical(out, member);
      }
      out->push_back('}');
      return;
    }
    case Json::value_t::array: {
      out->push_back('[');
      bool first = true;
      for (const Json& element : value.get_ref<const Json::array_t&>()) {
        if (!first) out->push_back(',');
        first = false;
        AppendCanonical(out, element);
      }
      out->push_back(']');
      return;
    }
    case Json::value_t::string: AppendJsonString(out, value.get_ref<const std::string&>()); return;
    case Json::value_t::boolean: out->append(value.get<bool>() ? "true" : "false"); return;
    case Json::value_t::null: out->append("null"); return;
    case Json::value_t::number_integer: {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value.get<int64_t>());
      out->append(buf, end);
      return;
    }
    case Json::value_t::number_unsigned: {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value.get<uint64_t>());
      out->append(buf, end);
      return;
    }
    default: out->append(ReferenceDump(value)); return;  // float, binary, discarded
  }
}
}  // namespace

// The tree walked here rather than by Json::dump, whose string writer decodes UTF-8 byte by byte:
// most of the time spent writing SBOM documents and DSSE envelopes (base64 text of hundreds of
// KiB). Byte-identical to ReferenceDump (unit.util.json_test, and checked on every fuzz input of
// plugin_fuzz).
std::string CanonicalJson(const Json& value) {
  std::string out;
  AppendCanonical(&out, value);
  return out;
}

std::string PrettyJson(const Json& value) { return value.dump(2, ' ', false, Json::error_handler_t::replace); }

void AppendJsonString(std::string* out, std::string_view s) {
  for (char c : s) {
    if (!kPlain[static_cast<unsigned char>(c)]) {
      *out += ReferenceDump(Json(std::string(s)));
      return;
    }
  }
  size_t at = out->size();
  out->resize(at + s.size() + 2);
  char* p = out->data() + at;
  *p = '"';
  s.copy(p + 1, s.size());
  p[s.size() + 1] = '"';
}

CanonicalJsonWriter& CanonicalJsonWriter::DynamicKey(std::string_view key) {
  Separate();
  AppendJsonString(out_, key);
  *out_ += ':';
  after_key_ = true;
  return *this;
}

CanonicalJsonWriter& CanonicalJsonWriter::String(std::string_view s) {
  Separate();
  AppendJsonString(out_, s);
  return *this;
}

// Integers as Json writes them: decimal, '-' for negatives, no leading zeros (std::to_chars).
CanonicalJsonWriter& CanonicalJsonWriter::Int(int64_t v) {
  Separate();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out_->append(buf, end);
  return *this;
}

CanonicalJsonWriter& CanonicalJsonWriter::Uint(uint64_t v) {
  Separate();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out_->append(buf, end);
  return *this;
}

CanonicalJsonWriter& CanonicalJsonWriter::Bool(bool v) {
  Separate();
  *out_ += v ? "true" : "false";
  return *this;
}

CanonicalJsonWriter& CanonicalJsonWriter::Null() {
  Separate();
  *out_ += "null";
  return *this;
}

CanonicalJsonWriter& CanonicalJsonWriter::Raw(std::string_view canonical_json) {
  Separate();
  out_->append(canonical_json);
  return *this;
}

namespace {

// The byte offset of the first bracket that opens a level deeper than kMaxJsonDepth, or npos.
// Brackets inside strings do not count; the text need not be valid JSON (the parser judges that).
size_t TooDeepAt(std::string_view text) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character, a quote included
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

}  // namespace

Json ParseJson(std::string_view text, std::string* error) {
  if (const size_t at = TooDeepAt(text); at != std::string_view::npos) {
    if (error != nullptr) {
      *error = "arrays and objects nested deeper than " + std::to_string(kMaxJsonDepth) + " levels (at byte " +
               std::to_string(at) + ")";
    }
    return Json(Json::value_t::discarded);
  }
  Json out = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded() && error != nullptr) {
    // Re-parse with exceptions only to recover the position-bearing message.
    try {
      Json unused = Json::parse(text);
      (void)unused;
    } catch (const Json::exception& e) {
      *error = e.what();
    }
  }
  return out;
}

const Json* FindField(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::optional<std::string> OptStringField(const Json& obj, std::string_view key) {
  const Json* v = FindField(obj, key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->get_ref<const std::string&>();
}

std::string StringField(const Json& obj, std::string_view key, std::string_view fallback) {
  std::optional<std::string> v = OptStringField(obj, key);
  return v ? std::move(*v) : std::string(fallback);
}

std::optional<int64_t> IntField(const Json& obj, std::string_view key) {
  const Json* v = FindField(obj, key);
  if (v == nullptr || !v->is_number_integer()) return std::nullopt;
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return v->get<int64_t>();
}

bool BoolField(const Json& obj, std::string_view key, bool fallback) {
  const Json* v = FindField(obj, key);
  return v != nullptr && v->is_boolean() ? v->get<bool>() : fallback;
}

const Json& ObjectField(const Json& obj, std::string_view key) {
  static const Json kEmpty = Json::object();
  const Json* v = FindField(obj, key);
  return v != nullptr && v->is_object() ? *v : kEmpty;
}

const Json& ArrayField(const Json& obj, std::string_view key) {
  static const Json kEmpty = Json::array();
  const Json* v = FindField(obj, key);
  return v != nullptr && v->is_array() ? *v : kEmpty;
}

std::vector<std::string> StringsField(const Json& obj, std::string_view key) {
  std::vector<std::string> out;
  for (const Json& e : ArrayField(obj, key)) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

std::string StringOr(const Json& v, std::string_view fallback) {
  return v.is_string() ? v.get<std::string>() : std::string(fallback);
}

}  // namespace mg
