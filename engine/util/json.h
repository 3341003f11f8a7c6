// JSON values and their canonical form.
//
// Json is nlohmann::json with std::map objects, so keys are always sorted. CanonicalJson() is the
// one serialisation used for task keys, cache entries and reports: compact, sorted keys, UTF-8,
// no floating-point numbers (task parameters are strings, integers, booleans, arrays, objects).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mg {

using Json = nlohmann::json;

// Compact, key-sorted serialisation. Invalid UTF-8 is replaced, never thrown on.
std::string CanonicalJson(const Json& value);

// Indented (2 spaces), key-sorted serialisation for people and --json output. Invalid UTF-8 (a
// builder's output quoted in a message) is replaced by U+FFFD, never thrown on.
std::string PrettyJson(const Json& value);

// Appends `s` as a JSON string literal exactly as CanonicalJson(Json(std::string(s))) writes it,
// without building a Json: for hot paths that write canonical text directly (task keys, journal
// lines, task parameters). Printable ASCII is copied as is; anything else takes the slow path.
void AppendJsonString(std::string* out, std::string_view s);

// An object key written in the source: checked at compile time to need no escaping (printable
// ASCII but '"' and '\\'), so the writer copies it as is. Keys from data use DynamicKey().
class LiteralKey {
 public:
  template <size_t N>
  consteval LiteralKey(const char (&key)[N]) : key_(key, N - 1) {  // NOLINT: implicit by design
    for (char c : key_) {
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') throw "a JSON key literal that needs escaping: use DynamicKey";
    }
  }
  std::string_view view() const { return key_; }

 private:
  std::string_view key_;
};

// Writes CanonicalJson's exact bytes piece by piece, without building a Json: the one writer for
// hot paths that produce canonical text directly (task parameters, task keys, journal lines,
// in-toto statements). The writer places commas, colons and quotes; the caller's contract:
//   - object members are added in sorted key order (byte order, as Json's std::map sorts them);
//   - every Begin*() has its End*(), and a key is followed by exactly one value;
//   - Raw() text is itself canonical JSON (e.g. an earlier CanonicalJson() or writer result).
// Breaking the contract yields valid-looking but non-canonical text; tests pin each user against
// CanonicalJson. Appends to *out, which must outlive the writer. Not thread-safe.
//
//   CanonicalJsonWriter w(&text);
//   w.BeginObject().Key("image").String(image).Key("latest").Bool(true).EndObject();
class CanonicalJsonWriter {
 public:
  explicit CanonicalJsonWriter(std::string* out) : out_(out) {}

  CanonicalJsonWriter& BeginObject() { return Open('{'); }
  CanonicalJsonWriter& EndObject() { return Close('}'); }
  CanonicalJsonWriter& BeginArray() { return Open('['); }
  CanonicalJsonWriter& EndArray() { return Close(']'); }
  // A key written in the source (no escaping needed, checked at compile time).
  CanonicalJsonWriter& Key(LiteralKey key) {
    Separate();
    *out_ += '"';
    *out_ += key.view();
    *out_ += "\":";
    after_key_ = true;
    return *this;
  }
  // A key from data: any bytes, escaped as String() escapes them.
  CanonicalJsonWriter& DynamicKey(std::string_view key);
  CanonicalJsonWriter& String(std::string_view s);
  CanonicalJsonWriter& Int(int64_t v);
  CanonicalJsonWriter& Uint(uint64_t v);
  CanonicalJsonWriter& Bool(bool v);
  CanonicalJsonWriter& Null();
  CanonicalJsonWriter& Raw(std::string_view canonical_json);

 private:
  // A comma before every value or key but the first of its container, none after a key.
  void Separate() {
    if (after_key_) {
      after_key_ = false;
    } else if (!first_) {
      *out_ += ',';
    }
    first_ = false;
  }
  CanonicalJsonWriter& Open(char c) {
    Separate();
    *out_ += c;
    first_ = true;
    return *this;
  }
  CanonicalJsonWriter& Close(char c) {
    *out_ += c;
    first_ = false;
    after_key_ = false;
    return *this;
  }

  std::string* out_;
  bool first_ = true;
  bool after_key_ = false;
};

// The deepest nesting of arrays and objects ParseJson accepts. Copying, comparing and serialising a
// Json recurse once per level, so a document from the network nested deeper (a few hundred KB of
// '[' fits under every size limit) would overflow a thread's stack; no document mirrorgraph reads
// (manifests, SBOMs, statements, API answers, cache entries) comes near it.
inline constexpr size_t kMaxJsonDepth = 256;

// Parses text; on failure returns a discarded value and sets *error (when non-null): invalid JSON,
// or nesting deeper than kMaxJsonDepth. Never throws. Every document from outside the process is
// read through it.
Json ParseJson(std::string_view text, std::string* error = nullptr);

// Typed reads of untrusted JSON: registry, forge and token answers, plugin results, cached results.
// A missing key, an `obj` that is not an object, or a value of another type reads as absent; none
// of these throws. Use them instead of Json::value(), at(), get<T>() and operator[] on documents
// that came from outside the process (those throw type_error on a wrong type).
const Json* FindField(const Json& obj, std::string_view key);  // nullptr when absent
std::optional<std::string> OptStringField(const Json& obj, std::string_view key);
std::string StringField(const Json& obj, std::string_view key, std::string_view fallback = "");
std::optional<int64_t> IntField(const Json& obj, std::string_view key);  // integers only (no 1.5, no "1")
bool BoolField(const Json& obj, std::string_view key, bool fallback = false);
// The value when it is an object / an array, else a shared empty one (valid for the process).
const Json& ObjectField(const Json& obj, std::string_view key);
const Json& ArrayField(const Json& obj, std::string_view key);
// The string elements of an array field, in order; other elements are skipped.
std::vector<std::string> StringsField(const Json& obj, std::string_view key);
// `v` itself when it is a string, else `fallback`.
std::string StringOr(const Json& v, std::string_view fallback = "");

}  // namespace mg
