#include "graph/expander.h"

#include <algorithm>
#include <memory>

namespace mg {
namespace {

// What every task of one expansion call shares: identities (one per kind) and the platform list,
// as canonical text.
struct Shared {
  Shared(const AppModel& app) {
    Json id = {{"engine", MIRRORGRAPH_VERSION}, {"plugin", {{"name", app.plugin.value("name", "")},
                                                             {"version", app.plugin.value("version", "")}}}};
    identity = std::make_shared<const std::string>(CanonicalJson(id));
    id["builder"] = app.builder;
    build_identity = std::make_shared<const std::string>(CanonicalJson(id));
    platforms = CanonicalJson(Json(app.platforms));
  }
  std::shared_ptr<const std::string> identity;
  std::shared_ptr<const std::string> build_identity;
  std::string platforms;
};

Task MakeTask(const AppModel& app, const TargetRegistry& reg, const Shared& shared, const TemplateNode& node,
              TaskType type, const std::string& image, const VersionInfo* v, const std::string& platform) {
  Task t;
  t.type = type;
  t.node = node.name;
  t.coords.app = app.app;
  t.coords.image = image;
  if (v != nullptr) t.coords.version = v->version;
  t.coords.platform = platform;
  t.id = FormatTaskId(type, t.coords);
  t.identity_text = type == TaskType::kBuild ? shared.build_identity : shared.identity;
  t.skip_when_complete = node.skip_when == "image-complete";
  t.placeholder = v != nullptr && v->version == kPlaceholderVersion;
  if (type == TaskType::kDiscover) {
    t.SetParams({{"app", app.app},
                 {"source", app.source},
                 {"max_versions", app.max_versions},
                 {"select", app.tmpl.select},
                 {"window", app.window}});
  } else {
    // Written directly, keys in sorted order: this runs for every task of a large graph.
    bool build = type == TaskType::kBuild;
    bool probe_or_merge = type == TaskType::kProbe || type == TaskType::kMerge;
    // Written into a scratch buffer, then copied at its exact size: a string grown in place keeps
    // its spare capacity (a quarter of the text, 100,000 times over in a large graph).
    thread_local std::string text;
    text.clear();
    CanonicalJsonWriter p(&text);
    p.BeginObject();
    if (build) p.Key("builder").String(app.builder);
    if (v != nullptr && !v->commit.empty()) p.Key("commit").String(v->commit);
    if (build) p.Key("emulation").Bool(app.emulation);
    p.Key("image").String(image);
    if (v != nullptr && v->latest && probe_or_merge) p.Key("latest").Bool(true);
    if (build) p.Key("platform").String(platform);
    if (probe_or_merge) p.Key("platforms").Raw(shared.platforms);
    p.Key("registry").String(reg.host).Key("repository").String(reg.Repository(image));
    if (v != nullptr) p.Key("tag").String(v->tag).Key("version").String(v->version);
    p.EndObject();
    t.params_text.assign(text);
  }
  t.pool = PoolFor(t);
  return t;
}

// A template node as ExpandVersions uses it for every version and image: resolved once per call.
struct NodePlan {
  const TemplateNode* node = nullptr;
  TaskType type = TaskType::kProbe;
  bool per_platform = false;
  bool is_merge = false;
  // node.after in order: an index into the plans, or kAfterDiscover for an app-scoped node.
  std::vector<size_t> after;
};
constexpr size_t kAfterDiscover = static_cast<size_t>(-1);
constexpr size_t kNoPlan = static_cast<size_t>(-2);  // an app-scoped node, or one of an unknown type
constexpr TaskGraph::Index kNoTask = static_cast<TaskGraph::Index>(-1);

// The tasks of one version: index of (plan, image, platform slot), kNoTask where none was added.
// A version-scoped node uses slot 0 only. Reused across versions (Reset) to avoid reallocation.
class VersionTasks {
 public:
  VersionTasks(size_t plans, size_t images, size_t slots) : images_(images), slots_(slots), at_(plans * images * slots) {}
  void Reset() { std::fill(at_.begin(), at_.end(), kNoTask); }
  TaskGraph::Index& at(size_t plan, size_t image, size_t slot) { return at_[(plan * images_ + image) * slots_ + slot]; }

 private:
  size_t images_;
  size_t slots_;
  std::vector<TaskGraph::Index> at_;
};

}  // namespace

std::string PoolFor(const Task& task) {
  switch (task.type) {
    case TaskType::kDiscover: return "upstream";
    case TaskType::kBuild: return "build:" + task.coords.platform;
    default: return "registry";
  }
}

TaskGraph::Index ExpandApp(TaskGraph& graph, const AppModel& app, const TargetRegistry& registry) {
  const TemplateNode* discover = nullptr;
  for (const auto& n : app.tmpl.nodes) {
    if (n.scope == TaskScope::kApp) discover = &n;
  }
  TemplateNode fallback;
  fallback.name = "discover";
  fallback.type = "discover";
  fallback.scope = TaskScope::kApp;
  if (discover == nullptr) discover = &fallback;
  return graph.Add(MakeTask(app, registry, Shared(app), *discover, TaskType::kDiscover, app.app, nullptr, ""));
}

void ExpandVersions(TaskGraph& graph, const AppModel& app, const TargetRegistry& registry,
                    const std::vector<VersionInfo>& versions) {
  // The discover task normally exists already (this runs on its result): find it rather than
  // building it again to have Add() discard it.
  std::optional<TaskGraph::Index> found = graph.Find(FormatTaskId(TaskType::kDiscover, {app.app, app.app, "", ""}));
  TaskGraph::Index discover = found ? *found : ExpandApp(graph, app, registry);
  const Shared shared(app);

  // The template's version- and platform-scoped nodes, in its topological order, with `after`
  // resolved to plan indices (a name that is not a node, or a node of an unknown type, was
  // rejected when the template was loaded and is skipped here).
  std::vector<NodePlan> plans;
  std::vector<size_t> plan_of(app.tmpl.nodes.size(), kNoPlan);
  for (size_t n = 0; n < app.tmpl.nodes.size(); ++n) {
    const TemplateNode& node = app.tmpl.nodes[n];
    if (node.scope == TaskScope::kApp) continue;
    auto type = ParseTaskType(node.type);
    if (!type) continue;
    plan_of[n] = plans.size();
    plans.push_back({&node, *type, node.scope == TaskScope::kPlatform, node.type == "merge", {}});
  }
  for (NodePlan& plan : plans) {
    for (const std::string& after : plan.node->after) {
      const TemplateNode* dep = app.tmpl.Find(after);
      if (dep == nullptr) continue;
      if (dep->scope == TaskScope::kApp) {
        plan.after.push_back(kAfterDiscover);
        continue;
      }
      const size_t p = plan_of[static_cast<size_t>(dep - app.tmpl.nodes.data())];
      if (p != kNoPlan) plan.after.push_back(p);
    }
  }
  // Merge plans by node name and platform slots by platform name: the order edges are added in
  // (a graph's dependency lists, and so `graph` and `plan` output, follow it).
  std::vector<size_t> merges;
  for (size_t p = 0; p < plans.size(); ++p) {
    if (plans[p].is_merge) merges.push_back(p);
  }
  std::sort(merges.begin(), merges.end(), [&](size_t a, size_t b) { return plans[a].node->name < plans[b].node->name; });
  const size_t slots = std::max<size_t>(1, app.platforms.size());
  std::vector<size_t> slot_order(slots);
  for (size_t i = 0; i < slots; ++i) slot_order[i] = i;
  if (!app.platforms.empty()) {  // else the one slot of version-scoped nodes
    std::sort(slot_order.begin(), slot_order.end(),
              [&](size_t a, size_t b) { return app.platforms[a] < app.platforms[b]; });
  }
  // Each image's depends_on as image indices (an unknown name has no tasks to wait for).
  std::vector<std::vector<size_t>> image_deps(app.images.size());
  for (size_t i = 0; i < app.images.size(); ++i) {
    for (const std::string& other : app.images[i].depends_on) {
      for (size_t j = 0; j < app.images.size(); ++j) {
        if (app.images[j].name == other) image_deps[i].push_back(j);
      }
    }
  }

  static const std::string kNoPlatform;
  VersionTasks tasks(plans.size(), app.images.size(), slots);
  // Every task of (plan p, image) that `slot` depends on: the same platform's when both are
  // per-platform, else all of p's, in platform order.
  auto each_of = [&](size_t p, size_t image, std::optional<size_t> same_slot, auto&& fn) {
    if (same_slot && plans[p].per_platform) {
      if (TaskGraph::Index d = tasks.at(p, image, *same_slot); d != kNoTask) fn(d);
      return;
    }
    for (size_t s : slot_order) {
      if (TaskGraph::Index d = tasks.at(p, image, s); d != kNoTask) fn(d);
    }
  };
  for (size_t rank = 0; rank < versions.size(); ++rank) {
    const VersionInfo& v = versions[rank];
    tasks.Reset();
    // Images in dependency order, nodes in the template's topological order.
    for (size_t img = 0; img < app.images.size(); ++img) {
      const ImageSpec& image = app.images[img];
      std::optional<TaskGraph::Index> probe;
      for (size_t p = 0; p < plans.size(); ++p) {
        const NodePlan& plan = plans[p];
        const size_t n_slots = plan.per_platform ? app.platforms.size() : 1;
        for (size_t slot = 0; slot < n_slots; ++slot) {
          const std::string& plat = plan.per_platform ? app.platforms[slot] : kNoPlatform;
          Task task = MakeTask(app, registry, shared, *plan.node, plan.type, image.name, &v, plat);
          task.version_rank = static_cast<int>(rank);
          // Tasks after the image-version's probe are gated on it (skip_when = "image-complete").
          if (probe && plan.type != TaskType::kProbe) task.gate_probe = static_cast<int64_t>(*probe);
          TaskGraph::Index i = graph.Add(std::move(task));
          tasks.at(p, img, slot) = i;
          if (plan.type == TaskType::kProbe) probe = i;
          const Task& added = graph.task(i);
          if (added.skip_when_complete && added.gate_probe >= 0) {
            graph.AddEdge(static_cast<TaskGraph::Index>(added.gate_probe), i);
          }
          const std::optional<size_t> same_slot = plan.per_platform ? std::optional<size_t>(slot) : std::nullopt;
          for (size_t dep : plan.after) {
            if (dep == kAfterDiscover) {
              graph.AddEdge(discover, i);
            } else {
              each_of(dep, img, same_slot, [&](TaskGraph::Index d) { graph.AddEdge(d, i); });
            }
          }
          if (plan.type == TaskType::kBuild) {
            for (size_t other : image_deps[img]) {
              for (size_t m : merges) each_of(m, other, std::nullopt, [&](TaskGraph::Index d) { graph.AddEdge(d, i); });
            }
          }
        }
      }
    }
  }
}

void ExpandPlaceholder(TaskGraph& graph, const AppModel& app, const TargetRegistry& registry) {
  ExpandVersions(graph, app, registry, {VersionInfo{std::string(kPlaceholderVersion), "{tag}", ""}});
}

std::vector<VersionInfo> VersionsFromDiscoverResult(const Json& result) {
  std::vector<VersionInfo> out;
  if (!result.is_object() || !result.contains("versions") || !result["versions"].is_array()) return out;
  for (const Json& v : result["versions"]) {
    if (!v.is_object() || !v.contains("version") || !v["version"].is_string()) continue;
    std::string version = v["version"].get<std::string>();
    out.push_back({version, v.value("tag", version), v.value("commit", ""), result.value("latest", "") == version});
  }
  return out;
}

}  // namespace mg
