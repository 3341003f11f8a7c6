#include "metrics_fixture.h"

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "http/curl_transport.h"

namespace fs = std::filesystem;

namespace mg::testing {

std::map<std::string, double> ParseMetricsText(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.rfind(' ');
    if (sp == std::string::npos) {
      out["!bad:" + line] = 0;
      continue;
    }
    char* end = nullptr;
    const std::string number = line.substr(sp + 1);
    double v = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size()) {
      out["!bad:" + line] = 0;
      continue;
    }
    out[line.substr(0, sp)] = v;
  }
  return out;
}

Result<std::unique_ptr<NotifySink>> NotifySink::Start() {
  const char* src = std::getenv("MG_SOURCE_DIR");
  if (src == nullptr) return Status::FailedPrecondition("MG_SOURCE_DIR is not set (run the tests through ctest)");
  const fs::path script = fs::path(src) / "tests" / "servers" / "notify_sink.py";
  std::unique_ptr<NotifySink> sink(new NotifySink());
  const fs::path out = sink->dir_.path() / "sink.out";
  const fs::path err = sink->dir_.path() / "sink.err";
  auto proc = BackgroundProcess::Start({"/usr/bin/env", "python3", script.string()}, sink->dir_.path(),
                                       {{"PYTHONUNBUFFERED", "1"}}, out, err);
  if (!proc.ok()) return proc.status();
  sink->process_ = std::move(proc.value());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = ReadFile(out);
    size_t nl = text.find('\n');
    if (nl != std::string::npos) {
      try {
        sink->port_ = std::stoi(text.substr(0, nl));
      } catch (const std::exception&) {
        return Status::Internal("notify_sink.py printed \"" + text.substr(0, nl) + "\" instead of a port");
      }
      return sink;
    }
    int code = 0;
    if (sink->process_->Poll(&code)) {
      return Status::Internal("notify_sink.py exited with " + std::to_string(code) + ": " + ReadFile(err));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::Unavailable("notify_sink.py did not print its port within 60 s: " + ReadFile(err));
}

NotifySink::~NotifySink() {
  if (process_) {
    process_->Signal(SIGTERM);
    if (!process_->Wait(std::chrono::seconds(5))) process_->Signal(SIGKILL);
    process_->Wait(std::chrono::seconds(5));
  }
}

std::string NotifySink::Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

Result<Json> NotifySink::Requests() const {
  CurlTransport transport;
  HttpRequest req;
  req.url = Url("/_requests");
  req.timeout = std::chrono::seconds(30);
  auto r = transport.Send(req);
  if (!r.ok()) return r.status();
  if (r->status != 200) return Status::Unavailable("GET /_requests: HTTP " + std::to_string(r->status));
  std::string err;
  Json j = ParseJson(r->body, &err);
  if (!j.is_array()) return Status::Corruption("/_requests: not a JSON array: " + err);
  return j;
}

}  // namespace mg::testing
