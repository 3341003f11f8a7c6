#include "tasks/runner.h"

#include "oci/probe.h"
#include "tasks/attest_tasks.h"
#include "tasks/merge_task.h"
#include "tasks/engine_host.h"
#include "util/semver.h"

namespace mg {

RealRunner::RealRunner(const std::vector<ResolvedApp>& apps, HttpClient* http, RegistryClient* registry,
                       BuildSettings build_settings, AttestSettings attest_settings)
    : http_(http), registry_(registry), builds_(std::move(build_settings), registry), attest_(std::move(attest_settings)) {
  for (const ResolvedApp& a : apps) apps_[a.model.app] = &a;
}

Result<Json> DiscoverResultFromCandidates(const Json& answer, int max_versions, bool latest_only, Window window) {
  const Json* list = FindField(answer, "candidates");
  if (list == nullptr || !list->is_array()) {
    return Status::Corruption("the plugin's discover answer has no \"candidates\" array");
  }
  std::vector<Candidate> candidates;
  for (const Json& c : *list) {
    if (!c.is_object() || !c.contains("version") || !c["version"].is_string()) {
      return Status::Corruption("a discover candidate lacks a \"version\" string: " + CanonicalJson(c));
    }
    std::string v = c["version"].get<std::string>();
    std::string fields[3] = {v, "", ""};  // tag (default: the version), commit, published
    for (int i = 0; i < 3; ++i) {
      const char* key = i == 0 ? "tag" : i == 1 ? "commit" : "published";
      auto it = c.find(key);
      if (it == c.end()) continue;
      if (!it->is_string()) {
        return Status::Corruption("a discover candidate's \"" + std::string(key) + "\" is not a string: " +
                                  CanonicalJson(c).substr(0, 200));
      }
      fields[i] = it->get<std::string>();
    }
    candidates.push_back({v, fields[0], fields[1], fields[2]});
  }
  Selection sel = SelectVersions(std::move(candidates), max_versions, latest_only, window);
  Json versions = Json::array();
  for (const Candidate& c : sel.versions) {
    Json v = {{"version", c.version}, {"tag", c.tag}};
    if (!c.commit.empty()) v["commit"] = c.commit;
    if (!c.published.empty()) v["published"] = c.published;
    versions.push_back(std::move(v));
  }
  Json dropped = Json::array();
  for (auto& [version, reason] : sel.dropped) dropped.push_back({{"version", version}, {"reason", reason}});
  Json out = {{"versions", std::move(versions)}, {"latest", sel.latest}, {"dropped", std::move(dropped)}};
  out["excluded"] = ArrayField(answer, "excluded");
  if (!latest_only) out["window"] = WindowName(sel.window);
  if (!sel.note.empty()) out["note"] = sel.note;
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
             {"select", params.value("select", "newest")},
             {"window", params.value("window", "newest")}};
  auto answer = app.plugin->Discover(host, in);
  if (!answer.ok()) return {answer.status(), {}};
  const Window window = ParseWindow(params.value("window", "newest")).value_or(Window::kNewest);
  auto result = DiscoverResultFromCandidates(answer.value(), params.value("max_versions", 10),
                                             params.value("select", "newest") == "latest", window);
  if (!result.ok()) {
    return {result.status().WithContext("plugin " + app.plugin->name() + " (" + app.plugin->file() + ")"), {}};
  }
  ctx.log("discovered " + std::to_string(result->at("versions").size()) + " version(s); latest " +
          result->value("latest", "(none)"));
  if (result->contains("note")) ctx.log("note: " + result->value("note", ""));
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
  Json result = r->ToJson();
  if (p.value("latest", false)) {
    auto checked = CheckLatestTag(*registry_, p.value("repository", ""), std::move(result));
    if (!checked.ok()) return {checked.status(), {}};
    result = std::move(checked.value());
  }
  ctx.log("probe: " + CanonicalJson(result));
  return {Status::OK(), std::move(result)};
}

Result<Json> CheckLatestTag(RegistryClient& registry, const std::string& repo, Json probe) {
  if (probe.value("state", "") != "complete") return probe;
  auto head = registry.HeadManifest(repo, "latest");
  if (!head.ok()) return head.status().WithContext("checking " + repo + ":latest");
  const std::string want = probe.value("digest", "");
  std::string have = head->exists ? head->digest : "";
  if (head->exists && have.empty()) {
    auto m = registry.GetManifest(repo, "latest");  // no Docker-Content-Digest: hash the bytes
    if (!m.ok()) return m.status().WithContext("checking " + repo + ":latest");
    have = m->digest;
  }
  probe["latest_digest"] = have;
  if (have == want) return probe;
  probe["state"] = "incomplete";
  probe["detail"] = probe.value("detail", "") + "; but `latest` " +
                    (head->exists ? "points at " + have : std::string("does not exist")) +
                    ", not at this latest version's index " + want + ": the merge moves it";
  return probe;
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
    case TaskType::kBuild: {
      auto it = apps_.find(t.coords.app);
      if (it == apps_.end()) return {Status::Internal("no app named " + t.coords.app), {}};
      return builds_.Run(ctx, *it->second);
    }
    case TaskType::kMerge:
    case TaskType::kSign:
    case TaskType::kSbom:
    case TaskType::kProvenance:
      if (registry_ == nullptr) return {Status::FailedPrecondition("no registry client configured"), {}};
      if (t.type == TaskType::kSign) return RunSignTask(ctx, *registry_, attest_);
      if (t.type == TaskType::kSbom) return RunSbomTask(ctx, *registry_, attest_);
      if (t.type == TaskType::kProvenance) return RunProvenanceTask(ctx, *registry_, attest_);
      return RunMergeTask(ctx, *registry_);
  }
  return {Status::Internal("unknown task type"), {}};
}

}  // namespace mg
