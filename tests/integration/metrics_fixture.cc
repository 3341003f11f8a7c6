#include "metrics_fixture.h"

#include <cstdlib>
#include <sstream>

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
  auto server = ScriptServer::Start("notify_sink.py", {}, "mg-notify");
  if (!server.ok()) return server.status();
  return std::unique_ptr<NotifySink>(new NotifySink(std::move(server.value())));
}

std::string NotifySink::Url(const std::string& path) const { return server_->Url(path); }

Result<Json> NotifySink::Requests() const { return server_->GetJsonArray("/_requests"); }

}  // namespace mg::testing
