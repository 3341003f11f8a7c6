// The `mirrorgraph` commands. Each returns the process exit code (cli/options.h).
#pragma once

#include <atomic>

#include "cli/options.h"

namespace mg {

// `interrupt` is set by the SIGINT/SIGTERM handler.
int RunCommand(const CliOptions& options, const std::atomic<bool>* interrupt);   // run and plan
int GraphCommand(const CliOptions& options);
int ExplainCommand(const CliOptions& options, const std::atomic<bool>* interrupt);
int StatusCommand(const CliOptions& options);
int PluginsCommand(const CliOptions& options);

}  // namespace mg
