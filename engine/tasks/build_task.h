// The build task: one image × version × platform. Asks the app's plugin for the recipe, fetches
// the source at the discovered tag (checking the commit), applies the recipe's Dockerfile edits,
// builds with the app's builder and pushes the image by digest (never tagged). docs/builders.md.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "build/builder.h"
#include "exec/task_runner.h"
#include "tasks/app_resolver.h"
#include "tasks/build_settings.h"

namespace mg {

// <state_dir>/work: one directory per build attempt, <task file stem>.<pid> (graph/task.h), holding
// its checkout, its registry auth file and the builder's files; the attempt removes it when it ends.
std::string WorkRoot(const std::string& state_dir);

// Removes everything in WorkRoot(state_dir): what attempts that never ended left there (mirrorgraph
// killed with SIGKILL, a third Ctrl-C, std::terminate), so no registry auth file outlives the run
// that wrote it past the next run's start. Every entry goes, whatever pid its name holds (a pid
// is reused, in a container often the same one every run). A missing directory is an empty one.
// With `leftovers_stopped` false (what earlier runs left running could not be stopped: a builder
// may still use its directory) only each entry's registry auth file (kAuthFileName) goes.
// Symbolic links are removed, never followed.
// REQUIRES: the state directory's lock is held (no other process builds there) and no build of
// this process has started. Errors: IOError naming each path that could not be removed, and why.
inline constexpr const char* kAuthFileName = "auth.json";
Status RemoveLeftoverWorkDirs(const std::string& state_dir, bool leftovers_stopped = true);

// Thread-safe: builds of different tasks run at once. Borrows `settings.builder.registry` and
// `registry`, which must outlive it.
class BuildTaskRunner {
 public:
  BuildTaskRunner(BuildSettings settings, RegistryClient* registry);

  // ctx.task is a build task of `app`. With ctx.cached_result: the cached digest is HEADed in the
  // registry; present -> reused, gone -> built again.
  TaskOutcome Run(const TaskContext& ctx, const ResolvedApp& app);

  // The builder named `name`, created once (MakeBuilder).
  Result<Builder*> BuilderFor(const std::string& name);

 private:
  BuildSettings settings_;
  RegistryClient* registry_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Builder>> builders_;  // GUARDED_BY(mu_)
};

}  // namespace mg
