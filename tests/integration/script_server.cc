#include "script_server.h"

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "http/curl_transport.h"

namespace fs = std::filesystem;

namespace mg::testing {

Result<std::unique_ptr<ScriptServer>> ScriptServer::Start(const std::string& script,
                                                          const std::vector<std::string>& args,
                                                          const std::string& temp_prefix) {
  const char* src = std::getenv("MG_SOURCE_DIR");
  if (src == nullptr) return Status::FailedPrecondition("MG_SOURCE_DIR is not set (run the tests through ctest)");
  std::unique_ptr<ScriptServer> server(new ScriptServer(temp_prefix));
  server->script_ = script;
  std::vector<std::string> argv = {"/usr/bin/env", "python3", (fs::path(src) / "tests" / "servers" / script).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const fs::path out = server->dir() / "server.out";
  const fs::path err = server->dir() / "server.err";
  auto proc = BackgroundProcess::Start(argv, server->dir(), {{"PYTHONUNBUFFERED", "1"}}, out, err);
  if (!proc.ok()) return proc.status();
  server->process_ = std::move(proc.value());

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = ReadFile(out);
    if (size_t nl = text.find('\n'); nl != std::string::npos) {
      const std::string line = text.substr(0, nl);
      char* end = nullptr;
      const long port = std::strtol(line.c_str(), &end, 10);
      if (line.empty() || end != line.c_str() + line.size() || port <= 0 || port > 65535) {
        return Status::Internal(script + " printed \"" + line + "\" instead of a port");
      }
      server->port_ = static_cast<int>(port);
      return server;
    }
    int code = 0;
    if (server->process_->Poll(&code)) {
      return Status::Internal(script + " exited with " + std::to_string(code) + ": " + ReadFile(err));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::Unavailable(script + " did not print its port within 60 s: " + ReadFile(err));
}

ScriptServer::~ScriptServer() {
  if (process_) {
    process_->Signal(SIGTERM);
    if (!process_->Wait(std::chrono::seconds(5))) process_->Signal(SIGKILL);
    process_->Wait(std::chrono::seconds(5));
  }
}

std::string ScriptServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

Result<HttpResponse> ScriptServer::Call(const std::string& method, const std::string& path) const {
  CurlTransport transport;
  HttpRequest req;
  req.method = method;
  req.url = Url(path);
  req.timeout = std::chrono::seconds(30);
  auto r = transport.Send(req);
  if (!r.ok()) return r.status();
  if (r->status != 200) return Status::Unavailable(method + " " + req.url + ": HTTP " + std::to_string(r->status));
  return r;
}

Result<Json> ScriptServer::GetJsonArray(const std::string& path) const {
  auto r = Call("GET", path);
  if (!r.ok()) return r.status();
  std::string err;
  Json j = ParseJson(r->body, &err);
  if (!j.is_array()) return Status::Corruption(script_ + " " + path + ": not a JSON array: " + err);
  return j;
}

}  // namespace mg::testing
