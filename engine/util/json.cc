#include "util/json.h"

namespace mg {

std::string CanonicalJson(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void AppendJsonString(std::string* out, std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
      *out += CanonicalJson(Json(std::string(s)));
      return;
    }
  }
  out->push_back('"');
  out->append(s);
  out->push_back('"');
}

Json ParseJson(std::string_view text, std::string* error) {
  Json out = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded() && error != nullptr) {
    // Re-parse with exceptions only to recover the position-bearing message.
    try {
      (void)Json::parse(text);
    } catch (const Json::exception& e) {
      *error = e.what();
    }
  }
  return out;
}

}  // namespace mg
