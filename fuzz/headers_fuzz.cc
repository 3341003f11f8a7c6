// HTTP header values from a server: WWW-Authenticate (oci/www_authenticate.h), Link
// (http/link_header.h) and Retry-After (http/http_client.h). Every parser takes any bytes and
// never fails; names come out lower-case.
#include <chrono>
#include <cstdint>

#include "fuzz_util.h"
#include "http/http_client.h"
#include "http/link_header.h"
#include "oci/www_authenticate.h"

namespace {

bool IsLower(const std::string& s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view value = mg::fuzz::AsView(data, size);
  for (const mg::AuthChallenge& c : mg::ParseWwwAuthenticate(value)) {
    if (!IsLower(c.scheme)) mg::fuzz::Violated("an auth scheme is not lower-case", c.scheme);
    for (const auto& [name, unused] : c.params) {
      if (!IsLower(name)) mg::fuzz::Violated("an auth parameter name is not lower-case", name);
    }
  }
  for (const auto& [rel, url] : mg::ParseLinkHeader(value)) {
    if (!IsLower(rel)) mg::fuzz::Violated("a link relation is not lower-case", rel);
  }
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1767225600));  // 2026-01-01
  if (auto wait = mg::ParseRetryAfter(value, now); wait && wait->count() < 0) {
    mg::fuzz::Violated("a negative Retry-After", value);
  }
  return 0;
}
