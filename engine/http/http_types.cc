#include "http/http_types.h"

namespace mg {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  auto it = headers.find(AsciiLower(name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

}  // namespace mg
