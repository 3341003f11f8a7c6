// The mg_host table handed to a plugin for one call (internal to the plugin layer).
#pragma once

#include <mutex>

#include "mirrorgraph/plugin.h"
#include "plugin/host_services.h"
#include "util/status.h"

namespace mg {

// The ctx behind one call's mg_host. Lives on the caller's stack for the duration of the call;
// host functions may use it from any thread meanwhile.
class HostCall {
 public:
  explicit HostCall(HostServices* services);
  HostCall(const HostCall&) = delete;
  HostCall& operator=(const HostCall&) = delete;

  // The table to pass to the plugin; valid while this object lives.
  const mg_host* table() const { return &table_; }
  // The most recent failure of a host service during the call (OK when none failed).
  Status last_error() const;

 private:
  static void LogFn(void* ctx, int level, const char* msg, size_t msg_len);
  static int HttpFn(void* ctx, const char* req, size_t req_len, char** resp, size_t* resp_len, char** errptr);
  static int DiscoverSourceFn(void* ctx, const char* source, size_t source_len, char** out, size_t* out_len,
                              char** errptr);
  static void FreeStringFn(char* s);
  int Finish(Result<std::string> result, char** out, size_t* out_len, char** errptr);

  HostServices* services_;
  mg_host table_;
  mutable std::mutex mu_;
  Status last_error_;  // GUARDED_BY(mu_)
};

}  // namespace mg
