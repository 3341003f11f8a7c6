// Credentials in URLs. mirrorgraph takes no credentials from a URL (docs/security.md): a URL is
// printed in logs and messages and stored in the cache, image labels, index annotations and
// provenance, so config values and plugin answers holding one are rejected, and what is printed
// or stored goes through RedactUrlCredentials as well.
#pragma once

#include <string>
#include <string_view>

namespace mg {

// Whether `text` is a URL ("scheme://...") whose userinfo carries credentials: a password
// ("user:pw@") in any scheme, or any userinfo ("token@") except in ssh URLs, where a bare user
// name (ssh://git@host/...) is an account and keys authenticate. Other text: false. Pure.
bool UrlHasCredentials(std::string_view text);

// `text` without the userinfo when UrlHasCredentials(text), else `text` unchanged (an ssh URL
// keeps its user name). Safe to print and to store.
std::string RedactUrlCredentials(std::string_view text);

// `text` (a message, a line of a tool's output) with every copy of `url` redacted, and then its
// credentials wherever they still appear (a path-normalised or re-quoted copy): the userinfo and
// the password each replaced by "***" (when at least 4 characters long: shorter ones would garble
// the text and protect nothing). `text` unchanged when `url` has no credentials.
std::string ScrubUrlCredentials(std::string text, std::string_view url);

// Why such a URL is refused, for a message that starts with the field's name: the URL redacted,
// then the supported credential channels. Never contains the credentials.
std::string UrlCredentialsProblem(std::string_view url);

}  // namespace mg
