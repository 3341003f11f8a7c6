// Helpers for the --metrics and --notify tests: the metrics file as sample -> value, and
// tests/servers/notify_sink.py on a free loopback port.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "script_server.h"
#include "util/json.h"
#include "util/status.h"

namespace mg::testing {

// "name{labels}" -> value for every sample line of a metrics file (comments skipped). A line that
// is not "<sample> <number>" is kept under "!bad:<line>" so a test sees it.
std::map<std::string, double> ParseMetricsText(const std::string& text);

// notify_sink.py: records the POSTs it receives (see the script's header).
class NotifySink {
 public:
  static Result<std::unique_ptr<NotifySink>> Start();
  NotifySink(const NotifySink&) = delete;
  NotifySink& operator=(const NotifySink&) = delete;

  int port() const { return server_->port(); }
  // "http://127.0.0.1:<port>" + path.
  std::string Url(const std::string& path) const;
  // [{"method","path","headers","body"}] of every POST so far.
  Result<Json> Requests() const;

 private:
  explicit NotifySink(std::unique_ptr<ScriptServer> server) : server_(std::move(server)) {}
  std::unique_ptr<ScriptServer> server_;
};

}  // namespace mg::testing
