// JSON values and their canonical form.
//
// Json is nlohmann::json with std::map objects, so keys are always sorted. CanonicalJson() is the
// one serialisation used for task keys, cache entries and reports: compact, sorted keys, UTF-8,
// no floating-point numbers (task parameters are strings, integers, booleans, arrays, objects).
#pragma once

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

// Parses text; on failure returns nullopt-like discarded value and sets *error (when non-null).
// Never throws.
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
