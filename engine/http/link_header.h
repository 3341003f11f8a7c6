// RFC 8288 Link header parsing, for paginated APIs (rel="next").
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace mg {

// Parses `<url>; rel="next", <url2>; rel="last"` into {"last": url2, "next": url}. A rel value
// holding several space-separated relation types maps each of them. Relation types are lower-cased.
// Malformed entries are skipped; the first URL for a given rel wins. Never fails.
std::map<std::string, std::string> ParseLinkHeader(std::string_view value);

// A Link target is a URI reference: resolve it against the URL of the page it came from with
// ResolveUrl (http/url.h).

}  // namespace mg
