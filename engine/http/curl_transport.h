// CurlTransport: the libcurl HttpTransport.
#pragma once

#include <memory>
#include <string>

#include "http/http_transport.h"
#include "util/cancel_token.h"

namespace mg {

struct CurlTransportOptions {
  // Idle easy handles kept for reuse; each keeps its connections alive (keep-alive reuse).
  size_t max_idle_handles = 16;
  // Connections the shared pool keeps open, in use and idle, over all hosts (CURLOPT_MAXCONNECTS):
  // when a request ends with more open, libcurl closes the oldest idle one. Keep it above the
  // number of requests in flight at once, or every finished request closes another's connection.
  size_t max_connections = 64;
  // Connect phase limit (the request's own timeout bounds the whole exchange).
  std::chrono::milliseconds connect_timeout{30000};
  std::string user_agent = "mirrorgraph/" MIRRORGRAPH_VERSION;
  // When set (it must outlive the transport): once cancelled, a transfer in progress is aborted
  // within about a second (libcurl's progress callback) and Send returns Cancelled; no new one
  // starts.
  const CancelToken* cancel = nullptr;
  // Empty (the engine): libcurl from kLibCurlSoname, loaded once per process (http/libcurl.h).
  // Otherwise the library loaded for this transport alone: tests of what every request answers
  // when libcurl cannot be loaded.
  std::string libcurl_soname;
};

// Thread-safe. Easy handles are pooled and share one connection cache and DNS cache (a CURLSH
// with per-data locks), so requests to the same host reuse connections across calls and threads.
// Proxy environment variables (http_proxy, https_proxy, no_proxy) are honoured as libcurl does.
// Redirects to another host never carry the Authorization header (libcurl's default).
class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mg
