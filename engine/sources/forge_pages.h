// Reading a paginated JSON-array listing from a forge API (GitHub releases, GitLab tags), with
// Link rel="next" pagination, a bounded number of pages, a bounded page size, rate limits, and
// errors that name the URL and what was expected.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "http/http_client.h"
#include "sources/rate_limit.h"
#include "util/json.h"
#include "util/status.h"

namespace mg {

struct ForgeListing {
  Forge forge = Forge::kGitHub;
  std::string first_url;  // absolute; later pages come from the Link header only
  std::vector<std::pair<std::string, std::string>> headers;  // sent on every page; no credentials
  // The credential header, e.g. {"Authorization", "Bearer ..."}; empty name: none. Sent only to
  // URLs with the same scheme, host and port as first_url, also across redirects (followed hop by
  // hop, SendForgeRequest), and never logged or put in a message.
  std::pair<std::string, std::string> credential;
  std::string token;      // the raw secret inside credential; scrubbed from every message
  std::string token_env;  // named in messages (rate limits, 401)
  std::string what;       // "the releases of GitHub repository o/r", for messages
  std::string expected;   // "a JSON array of releases", for messages
  int max_pages = 50;
  size_t max_page_bytes = size_t{16} << 20;
};

// Calls `on_page(redacted_url, page)` for each page, in order; `page` is a JSON array. Stops at
// the first error (from the API or from on_page). Errors (each naming the redacted URL):
// NotFound (404), PermissionDenied (401; a 403 that is not a rate limit), Unavailable (transport
// failure, 5xx after the client's retries, a rate limit that lasts too long, a truncated body),
// FailedPrecondition (more than max_pages pages, a page larger than max_page_bytes), Corruption (a
// body that is not JSON or not an array, a pagination loop), Cancelled; errors of `on_page` as
// they are. The credential's value never appears in a message. Thread-safe when `http` is.
Status FetchForgePages(HttpClient& http, const ForgeListing& listing, const RateLimitPolicy& policy,
                       const std::atomic<bool>* cancel,
                       const std::function<Status(const std::string& url, const Json& page)>& on_page);

// Sends `request` to a forge API through SendWithRateLimit, with `credential` (a header; empty
// name or value: none) attached only to URLs with the same scheme, host and port as
// `trusted_url`; redirects are then followed hop by hop, never carrying the credential to another
// origin (SendWithCredential, http/credentialed_send.h). `*credential_sent` (may be null) says
// whether the request that got the returned answer carried it. Errors as SendWithRateLimit's and
// SendWithCredential's; they may quote the URL but never the credential.
Result<HttpResponse> SendForgeRequest(HttpClient& http, const HttpRequest& request,
                                      const std::pair<std::string, std::string>& credential,
                                      const std::string& trusted_url, Forge forge, const std::string& token_env,
                                      const RateLimitPolicy& policy, const std::atomic<bool>* cancel,
                                      bool* credential_sent);

// Reads environment variable `name`; "" when `name` is empty or the variable is unset.
std::string TokenFromEnv(const std::string& name);

// `base` without trailing slashes; InvalidArgument ("<what>: api_base ... is not an http:// or
// https:// URL", credentials redacted) when it is not an HTTP(S) URL.
Result<std::string> NormalizeApiBase(std::string base, std::string_view what);

// The JSON type of `v` in words ("an object", "a string", ...), for messages.
std::string JsonTypeName(const Json& v);

// "message" (else "error") of a forge's JSON error body, or "": every occurrence of `secret`
// (when not empty) replaced first, then clipped to 200 bytes (QuoteResponseBody), so no part of
// the secret survives the cut.
std::string ForgeErrorMessage(const std::string& body, const std::string& secret);

// `text` with every occurrence of `secret` replaced by "***" (no-op for an empty secret).
std::string Scrub(std::string text, const std::string& secret);

}  // namespace mg
