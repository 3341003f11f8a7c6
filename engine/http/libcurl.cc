#include "http/libcurl.h"

#include <dlfcn.h>

namespace mg {
namespace {

// Binds `*fn` to `name` in `handle`; false (and `missing` set) when the library lacks it.
template <typename Fn>
bool Bind(void* handle, const char* name, Fn* fn, std::string* missing) {
  void* sym = dlsym(handle, name);
  if (sym == nullptr) {
    if (missing->empty()) *missing = name;
    return false;
  }
  *fn = reinterpret_cast<Fn>(sym);
  return true;
}

std::string InstallHint() {
  return "install libcurl 7.85 or later (Debian and Ubuntu: the libcurl4 package), or put its directory in "
         "LD_LIBRARY_PATH";
}

}  // namespace

Status CheckLibCurlVersion(unsigned int version_num, const std::string& version, const std::string& soname) {
  if (version_num >= kLibCurlMinimumVersion) return Status::OK();
  return Status::FailedPrecondition(soname + " is libcurl " + version + ", older than 7.85.0, which mirrorgraph needs; " +
                                    InstallHint());
}

Result<LibCurl> LoadLibCurlFrom(const std::string& soname) {
  // RTLD_LOCAL: libcurl's symbols stay out of the global scope (a plugin linked against the same
  // soname shares this loaded instance all the same: the loader loads a soname once).
  void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Status::FailedPrecondition("cannot load " + soname + ", which mirrorgraph needs for HTTP: " +
                                      (why != nullptr ? std::string(why) : std::string("dlopen failed")) + "; " +
                                      InstallHint());
  }
  LibCurl api{};
  std::string missing;
  // Every Bind runs (no short-circuit) so `missing` names the first absent function.
  bool ok = Bind(handle, "curl_easy_init", &api.easy_init, &missing);
  ok &= Bind(handle, "curl_easy_cleanup", &api.easy_cleanup, &missing);
  ok &= Bind(handle, "curl_easy_reset", &api.easy_reset, &missing);
  ok &= Bind(handle, "curl_easy_setopt", &api.easy_setopt, &missing);
  ok &= Bind(handle, "curl_easy_getinfo", &api.easy_getinfo, &missing);
  ok &= Bind(handle, "curl_easy_perform", &api.easy_perform, &missing);
  ok &= Bind(handle, "curl_easy_strerror", &api.easy_strerror, &missing);
  ok &= Bind(handle, "curl_share_init", &api.share_init, &missing);
  ok &= Bind(handle, "curl_share_cleanup", &api.share_cleanup, &missing);
  ok &= Bind(handle, "curl_share_setopt", &api.share_setopt, &missing);
  ok &= Bind(handle, "curl_slist_append", &api.slist_append, &missing);
  ok &= Bind(handle, "curl_slist_free_all", &api.slist_free_all, &missing);
  CURLcode (*global_init)(long) = nullptr;
  ok &= Bind(handle, "curl_global_init", &global_init, &missing);
  curl_version_info_data* (*version_info)(CURLversion) = nullptr;
  ok &= Bind(handle, "curl_version_info", &version_info, &missing);
  if (!ok) {
    dlclose(handle);
    return Status::FailedPrecondition(soname + " has no function " + missing + ": it is not libcurl 7.85 or later; " +
                                      InstallHint());
  }
  // The transport restricts protocols with CURLOPT_PROTOCOLS_STR (7.85): an older libcurl would
  // ignore it, and redirects to other protocols would no longer be refused.
  const curl_version_info_data* info = version_info(CURLVERSION_NOW);
  if (Status s = CheckLibCurlVersion(info != nullptr ? info->version_num : 0,
                                     info != nullptr && info->version != nullptr ? info->version : "unknown", soname);
      !s.ok()) {
    dlclose(handle);
    return s;
  }
  // Before any handle exists, as libcurl requires; libcurl counts its initialisations.
  if (CURLcode rc = global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
    // `handle` stays open: a failed global init may have left state that unloading would break.
    return Status::FailedPrecondition("curl_global_init failed in " + soname + " (CURLcode " +
                                      std::to_string(static_cast<int>(rc)) + "): " + api.easy_strerror(rc));
  }
  return api;
}

Result<const LibCurl*> LoadLibCurl() {
  // A function-local static: initialised once, thread-safe; the library is never unloaded.
  static const Result<LibCurl> loaded = LoadLibCurlFrom(kLibCurlSoname);
  if (!loaded.ok()) return loaded.status();
  return &loaded.value();
}

}  // namespace mg
