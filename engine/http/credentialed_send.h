// Sending a request that carries a credential header (a forge token) so that no redirect takes
// the credential to another origin: redirects are followed here, hop by hop, instead of by the
// transport (libcurl strips only Authorization and Cookie on a cross-host redirect).
#pragma once

#include <functional>
#include <string>
#include <utility>

#include "http/http_types.h"
#include "util/status.h"

namespace mg {

// Sends one hop; `credential_attached` says whether `request` carries the credential.
using CredentialedHop = std::function<Result<HttpResponse>(const HttpRequest& request, bool credential_attached)>;

inline constexpr int kMaxCredentialedRedirects = 10;

// Sends `request` through `send`. `credential` is a header ({"PRIVATE-TOKEN", "..."}); an empty
// name or value means none, and then `request` goes to `send` once, unchanged.
//
// With a credential: every hop goes out with follow_redirects = false, and the credential is
// attached to a hop only when its URL is SameOrigin with `trusted_url` (same scheme, host and
// port: never to another host or port, never from https down to http). A 301, 302, 303, 307 or
// 308 answer with a Location is followed here, the Location resolved against the hop's URL
// (ResolveUrl); 303, and 301/302 after a POST, continue as GET without a body (HEAD stays HEAD),
// the others keep method and body. Any other answer, a redirect without a Location included, is
// returned as it is, with effective_url set to the URL that gave it.
//
// `*credential_sent` (when not null) says whether the request that got the returned answer
// carried the credential. Errors: those of `send`; FailedPrecondition, naming the request
// (DescribeRequest) and the target, for a Location that is not an http:// or https:// URL and for
// more than `max_redirects` redirects. The credential never appears in a message.
Result<HttpResponse> SendWithCredential(const HttpRequest& request,
                                        const std::pair<std::string, std::string>& credential,
                                        const std::string& trusted_url, const CredentialedHop& send,
                                        bool* credential_sent = nullptr, int max_redirects = kMaxCredentialedRedirects);

}  // namespace mg
