// FakeForge: tests/servers/fake_forge.py started on a free loopback port, for tests of the
// github-releases / gitlab-tags sources and of plugins that query GitHub, GitLab or a download
// site. The server's URL layout and modes are documented at the top of fake_forge.py.
//
//   auto forge = mg::testing::FakeForge::Start();          // built-in data
//   BOOST_REQUIRE_MESSAGE(forge.ok(), forge.status().ToString());
//   std::string api = (*forge)->Base("api");               // http://127.0.0.1:<port>/api
//   ... GithubReleasesSource{.repo = "mattermost/mattermost", .api_base = api} ...
//   Json seen = (*forge)->Requests().value();              // [{"method","path","headers"}]
//
// The server needs python3 and $MG_SOURCE_DIR (ctest sets it). Not thread-safe; the server itself
// serves concurrent requests. The destructor kills the server and reaps it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "script_server.h"
#include "util/json.h"
#include "util/status.h"

namespace mg::testing {

struct FakeForgeOptions {
  std::string fixtures{};              // --fixtures FILE (JSON); empty: the built-in data
  std::string token = "test-token";    // what the "private" mode requires
};

class FakeForge {
 public:
  static Result<std::unique_ptr<FakeForge>> Start(const FakeForgeOptions& options = {});
  FakeForge(const FakeForge&) = delete;
  FakeForge& operator=(const FakeForge&) = delete;

  int port() const { return server_->port(); }
  // "http://127.0.0.1:<port>/<mode>": an API base URL whose answers follow `mode`.
  std::string Base(const std::string& mode) const;
  // Every request the server received so far (GET /_requests).
  Result<Json> Requests() const;
  // Forgets requests and per-path counters (POST /_reset).
  Status Reset() const;

 private:
  explicit FakeForge(std::unique_ptr<ScriptServer> server) : server_(std::move(server)) {}
  std::unique_ptr<ScriptServer> server_;
};

}  // namespace mg::testing
