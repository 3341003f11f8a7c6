// Standard base64 (RFC 4648 section 4), for Basic auth and docker config "auth" fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mg {

std::string Base64Encode(std::string_view data);

// Accepts padded or unpadded input; ignores ASCII whitespace. nullopt on any other invalid
// character or an impossible length.
std::optional<std::string> Base64Decode(std::string_view text);

// Base64Decode of either alphabet: the standard one or the URL-safe one (RFC 4648 section 5,
// '-' and '_'), padded or not, as DSSE envelopes and JWTs use them.
std::optional<std::string> Base64DecodeAnyAlphabet(std::string_view text);

}  // namespace mg
