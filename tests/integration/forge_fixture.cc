#include "forge_fixture.h"

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "http/curl_transport.h"
#include "http/http_client.h"

namespace fs = std::filesystem;

namespace mg::testing {
namespace {

Result<HttpResponse> Call(const std::string& method, const std::string& url) {
  static CurlTransport transport;
  HttpRequest req;
  req.method = method;
  req.url = url;
  req.timeout = std::chrono::seconds(30);
  auto r = transport.Send(req);
  if (!r.ok()) return r.status();
  if (r->status != 200) return Status::Unavailable(method + " " + url + ": HTTP " + std::to_string(r->status));
  return r;
}

}  // namespace

Result<std::unique_ptr<FakeForge>> FakeForge::Start(const FakeForgeOptions& options) {
  const char* src = std::getenv("MG_SOURCE_DIR");
  if (src == nullptr) return Status::FailedPrecondition("MG_SOURCE_DIR is not set (run the tests through ctest)");
  const fs::path script = fs::path(src) / "tests" / "servers" / "fake_forge.py";
  std::unique_ptr<FakeForge> forge(new FakeForge());
  std::vector<std::string> argv = {"/usr/bin/env", "python3", script.string(), "--token", options.token};
  if (!options.fixtures.empty()) {
    argv.push_back("--fixtures");
    argv.push_back(options.fixtures);
  }
  const fs::path out = forge->dir_.path() / "forge.out";
  const fs::path err = forge->dir_.path() / "forge.err";
  auto proc = BackgroundProcess::Start(argv, forge->dir_.path(), {{"PYTHONUNBUFFERED", "1"}}, out, err);
  if (!proc.ok()) return proc.status();
  forge->process_ = std::move(proc.value());

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = ReadFile(out);
    size_t nl = text.find('\n');
    if (nl != std::string::npos) {
      try {
        forge->port_ = std::stoi(text.substr(0, nl));
      } catch (const std::exception&) {
        return Status::Internal("fake_forge.py printed \"" + text.substr(0, nl) + "\" instead of a port");
      }
      return forge;
    }
    int code = 0;
    if (forge->process_->Poll(&code)) {
      return Status::Internal("fake_forge.py exited with " + std::to_string(code) + ": " + ReadFile(err));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::Unavailable("fake_forge.py did not print its port within 60 s: " + ReadFile(err));
}

FakeForge::~FakeForge() {
  if (process_) {
    process_->Signal(SIGTERM);
    if (!process_->Wait(std::chrono::seconds(5))) process_->Signal(SIGKILL);
    process_->Wait(std::chrono::seconds(5));
  }
}

std::string FakeForge::Base(const std::string& mode) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/" + mode;
}

Result<Json> FakeForge::Requests() const {
  auto r = Call("GET", "http://127.0.0.1:" + std::to_string(port_) + "/_requests");
  if (!r.ok()) return r.status();
  std::string err;
  Json j = ParseJson(r->body, &err);
  if (!j.is_array()) return Status::Corruption("/_requests: not a JSON array: " + err);
  return j;
}

Status FakeForge::Reset() const {
  auto r = Call("POST", "http://127.0.0.1:" + std::to_string(port_) + "/_reset");
  return r.status();
}

}  // namespace mg::testing
