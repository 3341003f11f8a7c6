// Small URL helpers: splitting, redaction of credentials, percent-encoding.
#pragma once

#include <string>
#include <string_view>

namespace mg {

struct ParsedUrl {
  std::string scheme;    // lower-case, "http" or "https" (or whatever the URL says)
  std::string userinfo;  // "user:pass" when present (never log it)
  std::string host;      // lower-case; IPv6 literals keep their brackets
  int port = 0;          // explicit port, else the scheme's default (80/443), else 0
  std::string path;      // path + query + fragment, "/" when empty
};

// Splits an absolute URL. Returns false when `url` has no "scheme://" or no host.
bool ParseUrl(std::string_view url, ParsedUrl* out);

// True when `a` and `b` are absolute URLs with the same scheme, host and port (ParseUrl's default
// ports applied: "https://h" and "https://h:443" are one origin). False when either is not a URL.
// Credentials go only to the origin they are meant for: https://h -> http://h is another origin.
bool SameOrigin(std::string_view a, std::string_view b);

// `reference` resolved against the absolute URL `base` (RFC 3986 section 5.2): a reference with
// a scheme as it is, "//host/p" on base's scheme, "/p" on base's scheme and authority, "?q" and
// "#f" on base's path, anything else relative to base's directory; "." and ".." segments removed
// from a resolved path. `reference` unchanged when `base` is not an absolute URL. Pure.
std::string ResolveUrl(std::string_view base, std::string_view reference);

// `url` with any "user:pass@" removed; safe to log and to put in a Status message.
std::string RedactUrl(std::string_view url);

// "host:port" for per-host limits ("registry.local:443"); the whole input when it is not a URL.
std::string HostPortKey(std::string_view url);

// Percent-encodes everything but RFC 3986 unreserved characters (for query values and forms).
std::string UrlEncode(std::string_view s);

// Decodes every "%XX" (two hex digits, either case) into its byte; a '%' not followed by two hex
// digits is kept as it is (git's rule for file:// URLs). '+' stays '+'. May produce any byte,
// '\0' included: callers that need a path check for it.
std::string UrlDecode(std::string_view s);

}  // namespace mg
