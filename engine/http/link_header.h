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

// Resolves a Link target against the URL of the page it came from: an absolute target as is, an
// origin-relative one ("/v2/x/tags/list?last=b") on the page's scheme, host and port. Anything
// else is returned unchanged (the caller's request then names it in its error). Pure.
std::string ResolveLink(const std::string& target, const std::string& base);

}  // namespace mg
