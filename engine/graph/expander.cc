#include "graph/expander.h"

#include <map>
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
    std::string text;
    text.reserve(256);
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
    t.params_text = std::move(text);
  }
  t.pool = PoolFor(t);
  return t;
}

struct Instances {
  // node name -> image -> platform ("" for version scope) -> index
  std::map<std::string, std::map<std::string, std::map<std::string, TaskGraph::Index>>> by_node;
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
  for (size_t rank = 0; rank < versions.size(); ++rank) {
    const VersionInfo& v = versions[rank];
    Instances inst;
    // Images in dependency order, nodes in the template's topological order.
    for (const ImageSpec& image : app.images) {
      std::optional<TaskGraph::Index> probe;
      for (const TemplateNode& node : app.tmpl.nodes) {
        if (node.scope == TaskScope::kApp) continue;
        auto type = ParseTaskType(node.type);
        if (!type) continue;  // rejected when the template was loaded
        std::vector<std::string> plats = {""};
        if (node.scope == TaskScope::kPlatform) plats = app.platforms;
        for (const std::string& plat : plats) {
          Task task = MakeTask(app, registry, shared, node, *type, image.name, &v, plat);
          task.version_rank = static_cast<int>(rank);
          // Tasks after the image-version's probe are gated on it (skip_when = "image-complete").
          if (probe && *type != TaskType::kProbe) task.gate_probe = static_cast<int64_t>(*probe);
          TaskGraph::Index i = graph.Add(std::move(task));
          inst.by_node[node.name][image.name][plat] = i;
          if (*type == TaskType::kProbe) probe = i;
          const Task& added = graph.task(i);
          if (added.skip_when_complete && added.gate_probe >= 0) {
            graph.AddEdge(static_cast<TaskGraph::Index>(added.gate_probe), i);
          }
          for (const std::string& after : node.after) {
            const TemplateNode* dep = app.tmpl.Find(after);
            if (dep == nullptr) continue;
            if (dep->scope == TaskScope::kApp) {
              graph.AddEdge(discover, i);
              continue;
            }
            auto& dep_plats = inst.by_node[after][image.name];
            if (dep->scope == TaskScope::kPlatform && node.scope == TaskScope::kPlatform) {
              auto it = dep_plats.find(plat);
              if (it != dep_plats.end()) graph.AddEdge(it->second, i);
            } else {
              for (auto& [p, di] : dep_plats) graph.AddEdge(di, i);
            }
          }
          if (*type == TaskType::kBuild) {
            for (const std::string& other : image.depends_on) {
              for (auto& [name, per_image] : inst.by_node) {
                const TemplateNode* n = app.tmpl.Find(name);
                if (n == nullptr || n->type != "merge") continue;
                auto it = per_image.find(other);
                if (it == per_image.end()) continue;
                for (auto& [p, di] : it->second) graph.AddEdge(di, i);
              }
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
