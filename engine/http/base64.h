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

}  // namespace mg
