// HttpTransport: one HTTP exchange, no retries. The seam that unit tests replace with a fake.
#pragma once

#include "http/http_types.h"
#include "util/status.h"

namespace mg {

class HttpTransport {
 public:
  virtual ~HttpTransport();

  // Performs exactly one attempt (following redirects when asked). Any HTTP status, 4xx and 5xx
  // included, is an OK result. A transport failure (DNS, connection refused, TLS, timeout) is a
  // non-OK Status, code kUnavailable; a body larger than request.max_body_bytes is code
  // kFailedPrecondition (asking again would get the same answer). Messages name the method and the
  // URL with credentials removed.
  // Thread-safe: may be called concurrently from any number of threads.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace mg
