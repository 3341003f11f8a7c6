#include "tasks/runner.h"

#include "oci/probe.h"
#include "tasks/engine_host.h"
#include "util/semver.h"

namespace mg {

RealRunner::RealRunner(const std::vector<ResolvedApp>& apps, HttpClient* http, RegistryClient* registry)
    : http_(http), registry_(registry) {
  for (const ResolvedApp& a : apps) apps_[a.model.app] = &a;
}

Result<Json> DiscoverResultFromCandidates(const Json& answer, int max_versions, bool latest_only) {
  if (!answer.is_object() || !answer.contains("candidates") || !answer["candidates"].is_array()) {
    return Status::Corruption("the plugin's discover answer has no \"candidates\" array");
  }
  std::vector<Candidate> candidates;
  for (const Json& c : answer["candidates"]) {
    if (!c.is_object() || !c.contains("version") || !c["version"].is_string()) {
      return Status::Corruption("a discover candidate lacks a \"version\" string: " + CanonicalJson(c));
    }
    std::string v = c["version"].get<std::string>();
    candidates.push_back({v, c.value("tag", v), c.value("commit", "")});
  }
  Selection sel = SelectVersions(std::move(candidates), max_versions, latest_only);
  Json versions = Json::array();
  for (const Candidate& c : sel.versions) {
    Json v = {{"version", c.version}, {"tag", c.tag}};
    if (!c.commit.empty()) v["commit"] = c.commit;
    versions.push_back(std::move(v));
  }
  Json dropped = Json::array();
  for (auto& [version, reason] : sel.dropped) dropped.push_back({{"version", version}, {"reason", reason}});
  Json out = {{"versions", std::move(versions)}, {"latest", sel.latest}, {"dropped", std::move(dropped)}};
  out["excluded"] = answer.contains("excluded") && answer["excluded"].is_array() ? answer["excluded"] : Json::array();
  return out;
}

TaskOutcome RealRunner::Discover(const TaskContext& ctx, const ResolvedApp& app) {
  if (!app.error.empty()) return {Status::FailedPrecondition(app.error), {}};
  EngineHost host(http_, ctx.log, &ctx.cancel);
  const Json params = ctx.task.Params();
  Json in = {{"app", app.model.app},
             {"config", app.config},
             {"source", app.model.source},
             {"max_versions", params.value("max_versions", 10)},
             {"select", params.value("select", "newest")}};
  auto answer = app.plugin->Discover(host, in);
  if (!answer.ok()) return {answer.status(), {}};
  auto result = DiscoverResultFromCandidates(answer.value(), params.value("max_versions", 10),
                                             params.value("select", "newest") == "latest");
  if (!result.ok()) {
    return {result.status().WithContext("plugin " + app.plugin->name() + " (" + app.plugin->file() + ")"), {}};
  }
  ctx.log("discovered " + std::to_string(result->at("versions").size()) + " version(s); latest " +
          result->value("latest", "(none)"));
  return {Status::OK(), std::move(result.value())};
}

TaskOutcome RealRunner::Probe(const TaskContext& ctx) {
  if (registry_ == nullptr) return {Status::FailedPrecondition("no registry client configured"), {}};
  const Json p = ctx.task.Params();
  std::vector<std::string> wanted = p.value("platforms", std::vector<std::string>{});
  std::optional<ProbeResult> known;
  if (ctx.previous_result != nullptr) known = ProbeResult::FromJson(*ctx.previous_result);
  auto r = ProbeImage(*registry_, p.value("repository", ""), p.value("version", ""), wanted,
                      known ? &*known : nullptr);
  if (!r.ok()) return {r.status(), {}};
  ctx.log("probe: " + CanonicalJson(r->ToJson()));
  return {Status::OK(), r->ToJson()};
}

TaskOutcome RealRunner::Run(const TaskContext& ctx) {
  const Task& t = ctx.task;
  switch (t.type) {
    case TaskType::kDiscover: {
      auto it = apps_.find(t.coords.app);
      if (it == apps_.end()) return {Status::Internal("no app named " + t.coords.app), {}};
      return Discover(ctx, *it->second);
    }
    case TaskType::kProbe:
      return Probe(ctx);
    default:
      return {Status::NotImplemented(std::string(TaskTypeName(t.type)) +
                                     " tasks are not runnable yet in mirrorgraph " MIRRORGRAPH_VERSION
                                     ": this version discovers and probes only (see docs/roadmap.md); "
                                     "`mirrorgraph plan` shows what would be built"),
              {}};
  }
}

}  // namespace mg
