// HostServices: what the engine offers a plugin during a call (mg_host in the C ABI).
//
// Upper layers implement it (the HTTP client with its pools and auth, the built-in upstream sources,
// the task log); tests use fakes. Plugin calls reach it through the mg_host table that Plugin builds
// for each call.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace mg {

// Thread-safety: a plugin may call these from any thread while one of its calls runs, and several
// plugin calls may run at once, so implementations must be thread-safe. They must not throw (an
// exception is caught at the ABI boundary and turned into an Internal error).
class HostServices {
 public:
  virtual ~HostServices() = default;

  // One line in the calling task's log; level is MG_LOG_DEBUG .. MG_LOG_ERROR (mirrorgraph/plugin.h).
  virtual void Log(int level, std::string_view msg) = 0;

  // Request JSON {"method","url","headers","follow_redirects"} -> response JSON
  // {"status","headers","body","url"}. Any HTTP status is a success; an error means no answer.
  virtual Result<std::string> Http(std::string_view request_json) = 0;

  // Runs a built-in upstream source ({"type":"git-tags","url":...}) and returns
  // {"candidates":[{"version","tag","commit"}]} as JSON.
  virtual Result<std::string> DiscoverSource(std::string_view source_json) = 0;
};

}  // namespace mg
