// RealRunner: runs tasks for real. discover asks the app's plugin (which may call back into the
// engine's sources and HTTP client), probe asks the registry; the task types whose backends have
// not landed yet fail with a clear "not runnable yet" message — never a silent success.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "exec/task_runner.h"
#include "http/http_client.h"
#include "oci/registry_client.h"
#include "tasks/app_resolver.h"

namespace mg {

class RealRunner : public TaskRunner {
 public:
  // Borrows everything; all must outlive the runner. `registry` may be null (no registry access).
  RealRunner(const std::vector<ResolvedApp>& apps, HttpClient* http, RegistryClient* registry);

  TaskOutcome Run(const TaskContext& ctx) override;

 private:
  TaskOutcome Discover(const TaskContext& ctx, const ResolvedApp& app);
  TaskOutcome Probe(const TaskContext& ctx);

  std::map<std::string, const ResolvedApp*> apps_;
  HttpClient* http_;
  RegistryClient* registry_;
};

// Turns a plugin's discover answer into the discover task's result: candidates validated,
// ordered, deduplicated and trimmed (util/semver.h), with the reasons for what was left out.
Result<Json> DiscoverResultFromCandidates(const Json& answer, int max_versions, bool latest_only);

}  // namespace mg
