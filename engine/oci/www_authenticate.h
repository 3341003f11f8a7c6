// WWW-Authenticate challenge parsing (RFC 7235), for registry token and Basic auth.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mg {

struct AuthChallenge {
  std::string scheme;                         // lower-case: "bearer", "basic", ...
  std::map<std::string, std::string> params;  // lower-case names: realm, service, scope, error
};

// Parses one header value, which may hold several challenges (also when repeated headers were
// joined with ", "): `Bearer realm="https://auth/token",service="reg",scope="repository:a:pull"`.
// Malformed trailing text is ignored. Never fails.
std::vector<AuthChallenge> ParseWwwAuthenticate(std::string_view value);

}  // namespace mg
