// libcurl, loaded when the first HTTP transport is made rather than when the process starts.
//
// libcurl.so.4 and what it needs (OpenSSL, GnuTLS through librtmp, Kerberos, LDAP, nghttp2, ...:
// 30 shared objects on Debian 12) cost about 7 ms at every process start, twice for a run that
// re-executes itself onto a huge-page heap (util/huge_page_heap.h) — a tenth of an offline
// 100,000-task no-op, and most of the start of `plan`, `graph`, `explain` and `status`, which never
// speak HTTP (docs/benchmarks.md §1). So the binary does not link libcurl: CurlTransport resolves
// the few functions it calls from libcurl.so.4 (the soname of libcurl 7.16 and later; the Debian
// package libcurl4) with dlopen, once per process, and keeps it loaded until the process exits.
// The headers are still libcurl's: the types and constants are checked at compile time.
//
// Thread-safety: LoadLibCurl() may be called from any thread; the first call loads and runs
// curl_global_init, the others wait for it and return the same answer.
#pragma once

#include <curl/curl.h>

#include <string>

#include "util/status.h"

namespace mg {

// The soname loaded, as the package dependency names it (cmake/packaging.cmake: libcurl4).
inline constexpr const char* kLibCurlSoname = "libcurl.so.4";

// The libcurl functions CurlTransport calls. Variadic ones take their arguments as libcurl's
// documentation says (long, pointer or curl_off_t, by option): nothing checks them at compile time.
struct LibCurl {
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  void (*easy_reset)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  CURLcode (*easy_perform)(CURL*);
  const char* (*easy_strerror)(CURLcode);
  CURLSH* (*share_init)();
  CURLSHcode (*share_cleanup)(CURLSH*);
  CURLSHcode (*share_setopt)(CURLSH*, CURLSHoption, ...);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
};

// The oldest libcurl accepted, as curl_version_info's version_num: 7.85.0 (CURLOPT_PROTOCOLS_STR).
inline constexpr unsigned int kLibCurlMinimumVersion = 0x075500;

// OK when `version_num` is kLibCurlMinimumVersion or later, else FailedPrecondition naming
// `soname`, its `version` text and what to install.
Status CheckLibCurlVersion(unsigned int version_num, const std::string& version, const std::string& soname);

// libcurl loaded from kLibCurlSoname and globally initialised, or FailedPrecondition saying which
// library or function is missing and how to install it. Never unloaded.
Result<const LibCurl*> LoadLibCurl();

// Loads and globally initialises libcurl from `soname` each time it is called, without caching:
// for tests of the error path (LoadLibCurl is what the engine calls).
Result<LibCurl> LoadLibCurlFrom(const std::string& soname);

}  // namespace mg
