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

std::string QuoteResponseBody(std::string_view body, std::string_view secret, size_t max_bytes) {
  std::string text(body);
  if (!secret.empty()) {
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "<redacted>");
      at += std::string_view("<redacted>").size();
    }
  }
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return Clipped(text, "", max_bytes);
}

}  // namespace mg
