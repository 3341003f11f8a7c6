#include "util/json.h"

#include <array>

namespace mg {

std::string CanonicalJson(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

namespace {
// Bytes copied as is into a JSON string literal: printable ASCII but '"' and '\\'.
constexpr auto kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c <= 0x7e; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();
}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  for (char c : s) {
    if (!kPlain[static_cast<unsigned char>(c)]) {
      *out += CanonicalJson(Json(std::string(s)));
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

Json ParseJson(std::string_view text, std::string* error) {
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

}  // namespace mg
