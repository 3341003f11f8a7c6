#include "http/curl_transport.h"

#include <mutex>
#include <optional>
#include <vector>

#include "http/libcurl.h"
#include "http/url.h"

namespace mg {
namespace {

// State for one exchange, owned by Send() on its stack.
struct Exchange {
  HttpResponse response;
  size_t max_body = 0;
  bool body_too_large = false;
  CURL* handle = nullptr;
  const LibCurl* curl = nullptr;
  const std::function<bool(std::string_view)>* sink = nullptr;  // request.body_sink when set
  bool sink_stopped = false;
  const CancelToken* cancel = nullptr;
  std::string sink_error;  // what the sink threw: nothing may unwind through libcurl's frames
};

// libcurl's progress callback (at least once a second, idle or not): non-zero aborts the transfer
// with CURLE_ABORTED_BY_CALLBACK.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* ex = static_cast<const Exchange*>(user);
  return ex->cancel != nullptr && ex->cancel->cancelled() ? 1 : 0;
}

size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  size_t n = size * nmemb;
  if (ex->sink != nullptr) {
    long code = 0;
    ex->curl->easy_getinfo(ex->handle, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 200 && code < 300) {
      try {
        if ((*ex->sink)(std::string_view(data, n))) return n;
      } catch (const std::exception& e) {
        ex->sink_error = e.what();
      } catch (...) {
        ex->sink_error = "an exception that is not a std::exception";
      }
      ex->sink_stopped = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
  }
  if (ex->response.body.size() + n > ex->max_body) {
    ex->body_too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  ex->response.body.append(data, n);
  return n;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) --e;
  return std::string(s.substr(b, e - b));
}

size_t OnHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  size_t n = size * nmemb;
  std::string_view line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (redirect hop, 100-continue): keep only the final response's headers.
    ex->response.headers.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return n;
  std::string name = AsciiLower(Trim(line.substr(0, colon)));
  std::string value = Trim(line.substr(colon + 1));
  auto [it, inserted] = ex->response.headers.emplace(name, value);
  if (!inserted) it->second += ", " + value;
  return n;
}

}  // namespace

struct CurlTransport::Impl {
  CurlTransportOptions options;
  const LibCurl* curl = nullptr;  // null when libcurl cannot be loaded (`unavailable` says why)
  std::optional<LibCurl> own_curl;  // loaded for this transport (options.libcurl_soname)
  Status unavailable;
  CURLSH* share = nullptr;
  std::mutex share_locks[CURL_LOCK_DATA_LAST];
  std::mutex pool_mu;
  std::vector<CURL*> idle;  // GUARDED_BY(pool_mu)

  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Impl*>(user)->share_locks[data].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Impl*>(user)->share_locks[data].unlock();
  }

  CURL* Acquire() {
    {
      std::lock_guard<std::mutex> lock(pool_mu);
      if (!idle.empty()) {
        CURL* h = idle.back();
        idle.pop_back();
        return h;
      }
    }
    return curl->easy_init();
  }

  void Release(CURL* h) {
    curl->easy_reset(h);  // keeps live connections and caches
    std::lock_guard<std::mutex> lock(pool_mu);
    if (idle.size() < options.max_idle_handles) {
      idle.push_back(h);
      return;
    }
    curl->easy_cleanup(h);
  }
};

CurlTransport::CurlTransport(CurlTransportOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  Result<const LibCurl*> curl = [&]() -> Result<const LibCurl*> {
    if (impl_->options.libcurl_soname.empty()) return LoadLibCurl();
    Result<LibCurl> own = LoadLibCurlFrom(impl_->options.libcurl_soname);
    if (!own.ok()) return own.status();
    impl_->own_curl = *own;
    return &*impl_->own_curl;
  }();
  if (!curl.ok()) {
    impl_->unavailable = curl.status();
    return;
  }
  const LibCurl& c = **curl;
  impl_->curl = &c;
  impl_->share = c.share_init();
  if (impl_->share != nullptr) {
    c.share_setopt(impl_->share, CURLSHOPT_LOCKFUNC, &Impl::Lock);
    c.share_setopt(impl_->share, CURLSHOPT_UNLOCKFUNC, &Impl::Unlock);
    c.share_setopt(impl_->share, CURLSHOPT_USERDATA, impl_.get());
    c.share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    c.share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    c.share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  }
}

CurlTransport::~CurlTransport() {
  if (impl_->curl == nullptr) return;
  for (CURL* h : impl_->idle) impl_->curl->easy_cleanup(h);
  impl_->idle.clear();
  if (impl_->share != nullptr) impl_->curl->share_cleanup(impl_->share);
}

Result<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  const std::string what = DescribeRequest(request);
  const CancelToken* cancel = impl_->options.cancel;
  if (cancel != nullptr && cancel->cancelled()) return Status::Cancelled(what + ": cancelled");
  if (request.url.rfind("http://", 0) != 0 && request.url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument(what + ": only http:// and https:// URLs are supported");
  }
  if (impl_->curl == nullptr) return impl_->unavailable.WithContext(what);
  const LibCurl& curl = *impl_->curl;
  CURL* h = impl_->Acquire();
  if (h == nullptr) return Status::Internal(what + ": curl_easy_init failed");

  Exchange ex;
  ex.max_body = request.max_body_bytes;
  ex.handle = h;
  ex.curl = &curl;
  if (request.body_sink) ex.sink = &request.body_sink;
  ex.cancel = cancel;
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl.easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl.easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl.easy_setopt(h, CURLOPT_USERAGENT, impl_->options.user_agent.c_str());
  curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(request.timeout, impl_->options.connect_timeout).count()));
  curl.easy_setopt(h, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  curl.easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
  curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl.easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  curl.easy_setopt(h, CURLOPT_WRITEDATA, &ex);
  curl.easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl.easy_setopt(h, CURLOPT_HEADERDATA, &ex);
  if (impl_->share != nullptr) curl.easy_setopt(h, CURLOPT_SHARE, impl_->share);
  // libcurl's default (5) is checked against the whole shared pool: with more requests in flight
  // than that, each finished one closed another's connection (330 probes, 8 at a time, opened 70).
  curl.easy_setopt(h, CURLOPT_MAXCONNECTS, static_cast<long>(impl_->options.max_connections));
  if (cancel != nullptr) {
    curl.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &OnProgress);
    curl.easy_setopt(h, CURLOPT_XFERINFODATA, &ex);
    curl.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  }

  if (request.method == "HEAD") {
    curl.easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method == "GET") {
    curl.easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl.easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH") {
      curl.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      curl.easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    }
  }

  curl_slist* headers = nullptr;
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    if (AsciiLower(name) == "content-type") has_content_type = true;
    // "Name;" is libcurl's syntax for a header with an empty value.
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    headers = curl.slist_append(headers, line.c_str());
  }
  headers = curl.slist_append(headers, "Expect:");
  if (!has_content_type && request.method != "GET" && request.method != "HEAD") {
    // Stop libcurl from labelling raw bodies as form data.
    headers = curl.slist_append(headers, "Content-Type:");
  }
  curl.easy_setopt(h, CURLOPT_HTTPHEADER, headers);

  CURLcode rc = curl.easy_perform(h);
  curl.slist_free_all(headers);

  long status = 0;
  curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  char* effective = nullptr;
  curl.easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
  if (effective != nullptr) ex.response.effective_url = effective;
  impl_->Release(h);

  if (rc == CURLE_ABORTED_BY_CALLBACK) return Status::Cancelled(what + ": cancelled");
  if (!ex.sink_error.empty()) return Status::Internal(what + ": the response body's consumer failed: " + ex.sink_error);
  if (ex.sink_stopped) return Status::Cancelled(what + ": the response body's consumer stopped the transfer");
  if (ex.body_too_large) {
    return Status::FailedPrecondition(what + ": response body exceeds the limit of " +
                               std::to_string(request.max_body_bytes) + " bytes");
  }
  if (rc != CURLE_OK) {
    std::string detail = errbuf[0] != '\0' ? std::string(errbuf) : curl.easy_strerror(rc);
    // libcurl's message may quote the URL it failed on; never let credentials through.
    return Status::Unavailable(what + ": " + RedactUrl(detail));
  }
  ex.response.status = static_cast<int>(status);
  return std::move(ex.response);
}

}  // namespace mg
