// JSON values and their canonical form.
//
// Json is nlohmann::json with std::map objects, so keys are always sorted. CanonicalJson() is the
// one serialisation used for task keys, cache entries and reports: compact, sorted keys, UTF-8,
// no floating-point numbers (task parameters are strings, integers, booleans, arrays, objects).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace mg {

using Json = nlohmann::json;

// Compact, key-sorted serialisation. Invalid UTF-8 is replaced, never thrown on.
std::string CanonicalJson(const Json& value);

// Appends `s` as a JSON string literal exactly as CanonicalJson(Json(std::string(s))) writes it,
// without building a Json: for hot paths that write canonical text directly (task keys, journal
// lines, task parameters). Printable ASCII is copied as is; anything else takes the slow path.
void AppendJsonString(std::string* out, std::string_view s);

// Parses text; on failure returns nullopt-like discarded value and sets *error (when non-null).
// Never throws.
Json ParseJson(std::string_view text, std::string* error = nullptr);

}  // namespace mg
