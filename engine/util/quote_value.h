// Quoting what the user wrote in a message, bounded. Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace mg {

// How much of a value diagnostics quote (bytes, before the cut).
inline constexpr size_t kQuoteMaxBytes = 200;

// `value` between `quote` characters, for a message. A value longer than `max_bytes` is cut at a
// UTF-8 character boundary and shown with an ellipsis and its length, so a huge value never floods
// the terminal: QuoteValue(50 MB of "linux/aaa...") -> "\"linux/aaaa…\" (52428800 bytes)".
std::string QuoteValue(std::string_view value, char quote = '"', size_t max_bytes = kQuoteMaxBytes);
// The same without quotes ("linux/aaaa… (52428800 bytes)"), for names inside a path.
std::string ClipValue(std::string_view value, size_t max_bytes = kQuoteMaxBytes);

// A server's answer quoted in an error message: every occurrence of `secret` (when not empty: a
// token the request carried, which the server may echo) replaced by "<redacted>" first, control
// characters as spaces, then clipped as ClipValue does. The secret never survives in any part.
std::string QuoteResponseBody(std::string_view body, std::string_view secret = {},
                              size_t max_bytes = kQuoteMaxBytes);

}  // namespace mg
