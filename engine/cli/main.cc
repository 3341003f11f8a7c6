// mirrorgraph: mirror upstream applications as signed multi-arch images (README.md).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/attest_commands.h"
#include "cli/commands.h"
#include "cli/options.h"

namespace {

std::atomic<bool> g_interrupt{false};

extern "C" void OnSignal(int) {
  g_interrupt.store(true);
  // A second Ctrl-C ends the process at once.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

// Engine diagnostics (HTTP retries, backoff, auth challenges) go to stderr, never stdout (which
// carries `graph --dot` and plan output), at the level MIRRORGRAPH_LOG names (default: warn).
void SetUpLogging() {
  auto logger = spdlog::stderr_logger_mt("mirrorgraph");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  const char* level = std::getenv("MIRRORGRAPH_LOG");
  spdlog::set_level(level != nullptr ? spdlog::level::from_str(level) : spdlog::level::warn);
}

}  // namespace

int main(int argc, char** argv) {
  mg::CliOptions options;
  int code = mg::ParseCli(argc, argv, &options);
  if (code == -1) return mg::kExitOk;
  if (code != mg::kExitOk) return code;
  SetUpLogging();
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  try {
    const std::string& c = options.command;
    if (c == "run" || c == "plan") return mg::RunCommand(options, &g_interrupt);
    if (c == "graph") return mg::GraphCommand(options);
    if (c == "explain") return mg::ExplainCommand(options, &g_interrupt);
    if (c == "status") return mg::StatusCommand(options);
    if (c == "plugins") return mg::PluginsCommand(options);
    if (c == "keygen") return mg::KeygenCommand(options);
    if (c == "verify") return mg::VerifyCommand(options, &g_interrupt);
  } catch (const std::exception& e) {
    // Engine code returns Status values; this is the last line of defence, not a code path.
    std::cerr << "mirrorgraph: internal error: " << e.what() << " (please report it)\n";
    return mg::kExitTaskFailed;
  }
  return mg::kExitUsage;
}
