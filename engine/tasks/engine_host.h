// EngineHost: the HostServices the engine hands to plugins (plugin/host_services.h).
//
// Http goes through the engine's HttpClient (retries, per-host limits, proxies); DiscoverSource runs
// a built-in upstream source ("git-tags", "github-releases", "gitlab-tags", "gitlab-tag-exists").
// Log lines go to the calling task's log. One EngineHost per plugin call; it borrows everything it
// points at.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "http/http_client.h"
#include "plugin/host_services.h"
#include "util/json.h"

namespace mg {

class EngineHost : public HostServices {
 public:
  // `http` may be null (no network access for this call). `log` may be empty.
  EngineHost(HttpClient* http, std::function<void(std::string_view)> log, const std::atomic<bool>* cancel)
      : http_(http), log_(std::move(log)), cancel_(cancel) {}

  void Log(int level, std::string_view msg) override;
  Result<std::string> Http(std::string_view request_json) override;
  Result<std::string> DiscoverSource(std::string_view source_json) override;

 private:
  HttpClient* http_;
  std::function<void(std::string_view)> log_;
  const std::atomic<bool>* cancel_;
};

// The built-in sources, callable without a plugin (docs/sources.md):
//   {"type":"git-tags","url","tag_pattern"?}
//   {"type":"github-releases","repo","api_base"?,"token_env"?,"tag_pattern"?}
//   {"type":"gitlab-tags","project","api_base"?,"token_env"?,"tag_pattern"?}
// -> {"candidates":[{"version","tag","commit"}],"excluded":[{"version","reason"}]};
// and one lookup that lists nothing:
//   {"type":"gitlab-tag-exists","project","tag","api_base"?,"token_env"?} -> {"exists":true|false}
// (a 404 is false; any other failure, a rate limit not waited out included, is an error).
// Without api_base, $MIRRORGRAPH_GITHUB_API / $MIRRORGRAPH_GITLAB_API, else the public API.
// A field that is a URL with credentials (UrlHasCredentials) is refused with InvalidArgument.
// `http` may be null; the forge sources then fail with FailedPrecondition. Rate limits are waited
// out up to the client's max_retry_after. `cancel` may be null.
Result<Json> RunBuiltinSource(const Json& source, HttpClient* http, const std::atomic<bool>* cancel);

}  // namespace mg
