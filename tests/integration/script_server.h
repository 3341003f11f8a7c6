// ScriptServer: a test server from tests/servers/ (fake_forge.py, notify_sink.py, fault_proxy.py)
// run with python3 in the background. Each such script binds a free 127.0.0.1 port and prints it
// as its first line on stdout; Start() waits for that line (up to 60 s).
//
//   auto server = mg::testing::ScriptServer::Start("notify_sink.py", {}, "mg-notify");
//   BOOST_REQUIRE_MESSAGE(server.ok(), server.status().ToString());
//   std::string url = (*server)->Url("/hook");             // http://127.0.0.1:<port>/hook
//   auto seen = (*server)->GetJsonArray("/_requests");     // the script's request log
//
// Needs $MG_SOURCE_DIR (ctest sets it). The server's stdout and stderr go to files in its own
// temp directory (dir()), removed with the object. The destructor sends SIGTERM, then SIGKILL
// after 5 s, and reaps the process. Not thread-safe; the servers themselves serve concurrent
// requests.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli_fixture.h"
#include "http/http_types.h"
#include "util/json.h"
#include "util/status.h"

namespace mg::testing {

class ScriptServer {
 public:
  // Starts `python3 $MG_SOURCE_DIR/tests/servers/<script> args...` in a new temp directory named
  // after temp_prefix. Fails with the script's stderr when it exits before printing its port, and
  // when it prints something else first.
  static Result<std::unique_ptr<ScriptServer>> Start(const std::string& script, const std::vector<std::string>& args,
                                                     const std::string& temp_prefix);
  ~ScriptServer();
  ScriptServer(const ScriptServer&) = delete;
  ScriptServer& operator=(const ScriptServer&) = delete;

  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  // "http://127.0.0.1:<port>" + path (path starts with '/').
  std::string Url(const std::string& path) const;
  // `method` on Url(path), 30 s timeout; an error unless the answer is HTTP 200.
  Result<HttpResponse> Call(const std::string& method, const std::string& path) const;
  // GET path, whose answer must be a JSON array (the scripts' /_requests logs).
  Result<Json> GetJsonArray(const std::string& path) const;

 private:
  explicit ScriptServer(const std::string& temp_prefix) : dir_(temp_prefix) {}
  std::string script_;
  TempDir dir_;
  std::unique_ptr<BackgroundProcess> process_;
  int port_ = 0;
};

}  // namespace mg::testing
