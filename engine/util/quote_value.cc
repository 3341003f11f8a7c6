#include "util/quote_value.h"

#include <algorithm>

namespace mg {
namespace {

// The longest prefix of `value` of at most `max_bytes` that does not end inside a UTF-8 sequence.
std::string_view Utf8Prefix(std::string_view value, size_t max_bytes) {
  size_t cut = std::min(max_bytes, value.size());
  // Back up over continuation bytes (10xxxxxx) to the start of the character the cut is in.
  if (cut < value.size()) {
    while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  }
  return value.substr(0, cut);
}

std::string Clipped(std::string_view value, std::string_view quote, size_t max_bytes) {
  std::string out(quote);
  if (value.size() <= max_bytes) {
    out.append(value);
    out.append(quote);
    return out;
  }
  out.append(Utf8Prefix(value, max_bytes));
  out.append("\xe2\x80\xa6");  // …
  out.append(quote);
  out.append(" (" + std::to_string(value.size()) + " bytes)");
  return out;
}

}  // namespace

std::string QuoteValue(std::string_view value, char quote, size_t max_bytes) {
  return Clipped(value, std::string_view(&quote, 1), max_bytes);
}

std::string ClipValue(std::string_view value, size_t max_bytes) { return Clipped(value, "", max_bytes); }

}  // namespace mg
