// RealRunner: runs tasks for real. discover asks the app's plugin (which may call back into the
// engine's sources and HTTP client), probe asks the registry, build and merge build, push and tag
// (tasks/build_task.h, tasks/merge_task.h); the task types whose backends have not landed yet fail
// with a clear "not runnable yet" message — never a silent success.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "exec/task_runner.h"
#include "http/http_client.h"
#include "oci/registry_client.h"
#include "tasks/app_resolver.h"
#include "tasks/attest_settings.h"
#include "tasks/build_task.h"
#include "tasks/build_settings.h"
#include "util/semver.h"

namespace mg {

class RealRunner : public TaskRunner {
 public:
  // Borrows everything; all must outlive the runner. `registry` may be null (no registry access).
  RealRunner(const std::vector<ResolvedApp>& apps, HttpClient* http, RegistryClient* registry,
             BuildSettings build_settings = {}, AttestSettings attest_settings = {});

  TaskOutcome Run(const TaskContext& ctx) override;

 private:
  TaskOutcome Discover(const TaskContext& ctx, const ResolvedApp& app);
  TaskOutcome Probe(const TaskContext& ctx);

  std::map<std::string, const ResolvedApp*> apps_;
  HttpClient* http_;
  RegistryClient* registry_;
  BuildTaskRunner builds_;
  const AttestSettings attest_;
};

// For the app's latest version (params "latest": true) a complete image is complete only when
// `latest` points at it too: otherwise `probe` becomes incomplete, with the reason, so the merge
// runs and moves the tag. Returns the probe result, changed or not.
Result<Json> CheckLatestTag(RegistryClient& registry, const std::string& repo, Json probe_result);

// Turns a plugin's discover answer into the discover task's result: candidates validated,
// ordered, deduplicated and trimmed to `window` (util/semver.h), with the reasons for what was
// left out; "window" names the window applied and "note" says why it differs from the one asked.
Result<Json> DiscoverResultFromCandidates(const Json& answer, int max_versions, bool latest_only,
                                          Window window = Window::kNewest);

}  // namespace mg
