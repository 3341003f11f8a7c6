// Plugin: one loaded plugin (a validated mg_plugin table) and calls into it.
//
// Each call canonicalises the input JSON, hands the plugin an mg_host table that reaches the given
// HostServices, parses the output, and releases every plugin-allocated string with the plugin's own
// free_string. Failures become Status values whose message names the plugin file and function:
//   "plugin /path/mirrorgraph-foo.so: discover failed: <the plugin's message>".
// When a plugin fails right after a host service failed, the Status keeps that service's code
// (Unavailable, PermissionDenied, ...) so callers can tell a network problem from a plugin bug.
#pragma once

#include <string>

#include "mirrorgraph/plugin.h"
#include "plugin/host_services.h"
#include "util/json.h"
#include "util/status.h"

namespace mg {

class Plugin {
 public:
  // REQUIRES: `table` passed ValidatePluginTable() and outlives this object (it lives in the loaded
  // library). Takes ownership of `dl_handle` (may be null for a table linked into the process) and
  // dlcloses it on destruction.
  Plugin(const mg_plugin* table, std::string file, void* dl_handle);
  ~Plugin();
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  const std::string& file() const { return file_; }  // absolute path of the .so
  // {"file":...,"name":...,"version":...}: the implementation identity hashed into task keys.
  Json Identity() const;

  // Thread-safe: any number of calls may run at once (the ABI requires plugins to allow it).
  // `host` must stay valid for the duration of the call. Each returns the output JSON object.
  Result<Json> Configure(HostServices& host, const Json& in) const;
  Result<Json> Discover(HostServices& host, const Json& in) const;
  Result<Json> Recipe(HostServices& host, const Json& in) const;

 private:
  using Fn = int (*)(const mg_host*, const char*, size_t, char**, size_t*, char**);
  Result<Json> Call(const char* function, Fn fn, HostServices& host, const Json& in) const;

  const mg_plugin* table_;
  std::string name_;
  std::string version_;
  std::string file_;
  void* dl_handle_;
};

// Checks a table the entry point returned: ABI version, struct size, name, version and non-NULL
// functions. `file` is used in messages only; `expected_name` (when non-empty) must equal the
// table's name. Returns FailedPrecondition with a message naming the file and how to fix it.
Status ValidatePluginTable(const mg_plugin* table, const std::string& file, const std::string& expected_name);

}  // namespace mg
