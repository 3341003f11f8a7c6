// The `mirrorgraph` commands. Each returns the process exit code (cli/options.h).
#pragma once

#include <atomic>

#include "cli/options.h"

namespace mg {

// `interrupt` holds the signal (SIGINT, SIGTERM, SIGHUP) the handler in main.cc received; 0: none.
int RunCommand(const CliOptions& options, const std::atomic<int>* interrupt);   // run and plan
int GraphCommand(const CliOptions& options);
int ExplainCommand(const CliOptions& options, const std::atomic<int>* interrupt);
int StatusCommand(const CliOptions& options);
int PluginsCommand(const CliOptions& options);
// `ci github|gitlab`: 0 written (or --check: up to date); 1 --check: stale or missing; 2 usage, a
// config problem or a bad --matrix file; 3 the file could not be written.
int CiCommand(const CliOptions& options);
// `prune [--apply]`: 0 done (or listed); 1 a deletion failed or an app could not be pruned (its
// discover failed, its tags could not be read) or the registry refuses deletes; 2 usage or config.
int PruneCommand(const CliOptions& options, const std::atomic<int>* interrupt);

}  // namespace mg
