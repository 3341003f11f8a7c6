#include "util/json.h"

namespace mg {

std::string CanonicalJson(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
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
