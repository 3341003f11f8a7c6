#include "graph/template.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <queue>
#include <regex>
#include <set>
#include <tuple>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>

#include "config/toml_reader.h"
#include "util/quote_value.h"
#include "util/strings.h"

namespace mg {
namespace {

const std::vector<std::string> kTopKeys = {"name", "description", "select", "tasks"};
const std::vector<std::string> kTaskKeys = {"type", "scope", "after", "skip_when"};
const std::vector<std::string> kSelects = {"newest", "latest"};
const std::vector<std::string> kScopes = {"app", "version", "platform"};
const std::vector<std::string> kSkipWhen = {"image-complete"};
const std::regex kNameRe("^[a-z0-9][a-z0-9._-]*$");

// Edges point from a node to the nodes it runs after (its dependencies).
using DepGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

// Records the DFS tree and the first back edge, which closes a cycle.
struct CycleVisitor : boost::default_dfs_visitor {
  std::vector<size_t>* parent;
  std::optional<std::pair<size_t, size_t>>* back;
  void tree_edge(DepGraph::edge_descriptor e, const DepGraph& g) const {
    (*parent)[boost::target(e, g)] = boost::source(e, g);
  }
  void back_edge(DepGraph::edge_descriptor e, const DepGraph& g) const {
    if (!*back) *back = std::make_pair(boost::source(e, g), boost::target(e, g));
  }
};

// std::regex matches recursively (a huge value overflows the stack): names are bounded first.
bool MatchesName(const std::string& name) { return name.size() <= 128 && std::regex_match(name, kNameRe); }

std::string OneOf(const std::string& what, const std::string& value, const std::vector<std::string>& known) {
  std::string message = "unknown " + what + " " + QuoteValue(value, '\'');
  if (auto guess = DidYouMean(value, known)) message += "; did you mean '" + *guess + "'?";
  return message + " (known: " + Join(known, ", ") + ")";
}

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

class TemplateParser {
 public:
  explicit TemplateParser(std::string path) : path_(std::move(path)) {}
  std::optional<PipelineTemplate> Parse(const toml::table& root);
  Diagnostics& found() { return found_; }

 private:
  void ReadTask(const std::string& name, const toml::node& node, PipelineTemplate* out);
  void CheckReferences(const PipelineTemplate& t);
  // Returns false (and reports the cycle) when the dependencies are cyclic.
  bool CheckAcyclic(const PipelineTemplate& t);
  void CheckReachesDiscover(const PipelineTemplate& t);
  static std::vector<TemplateNode> TopologicalOrder(std::vector<TemplateNode> nodes);

  std::string path_;
  Diagnostics found_;
  // Position of each `after` element, per node name, in list order.
  std::map<std::string, std::vector<SourcePos>> after_element_pos_;
  // Every task written, including those dropped for errors (no "unknown task" echo for them).
  std::set<std::string> declared_;
  bool saw_discover_ = false;
};

std::optional<PipelineTemplate> TemplateParser::Parse(const toml::table& root_table) {
  PipelineTemplate t;
  t.path = path_;
  TableReader root(root_table, "", path_, kTopKeys, &found_);
  root.ReportUnknownKeys();

  std::filesystem::path file(path_);
  std::string stem = file.extension() == ".toml" ? file.stem().string() : "";
  t.name = stem;
  if (std::string name; root.String("name", &name)) {
    if (!MatchesName(name)) {
      root.ValueError("name", "invalid template name " + QuoteValue(name, '\'') + ": use lowercase letters, digits, '.', '_', '-'");
    } else if (!stem.empty() && name != stem) {
      root.ValueError("name", QuoteValue(name, '\'') + " does not match the file name '" + file.filename().string() +
                                  "'; templates are found by file name, so rename one of them");
    } else {
      t.name = name;
    }
  } else if (!root.Has("name") && stem.empty()) {
    root.RequireKey("name", "the template's name, e.g. name = \"multi-version\"");
  }
  root.String("description", &t.description);
  if (std::string select; root.String("select", &select)) {
    if (!Contains(kSelects, select)) {
      root.ValueError("select", OneOf("selection", select, kSelects));
    } else {
      t.select = select;
    }
  }

  if (!root.Has("tasks")) {
    found_.Add(SourcePos{path_, 1, 1}, "missing required table [tasks]: a template needs at least a discover task");
    return std::nullopt;
  }
  const toml::table* tasks = root.Table("tasks");
  if (tasks == nullptr) return std::nullopt;
  for (const auto& [key, node] : *tasks) ReadTask(std::string(key.str()), node, &t);
  // File order: the order the tables are written in.
  std::stable_sort(t.nodes.begin(), t.nodes.end(), [](const TemplateNode& a, const TemplateNode& b) {
    return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
  });

  size_t discovers = 0;
  std::string first_discover;
  for (const TemplateNode& n : t.nodes) {
    if (n.type != "discover") continue;
    if (++discovers == 1) {
      first_discover = n.name;
    } else {
      found_.Add(n.pos, "tasks." + n.name + ": a template has exactly one discover task (the first is '" +
                            first_discover + "')");
    }
  }
  if (discovers == 0 && !saw_discover_) {
    found_.Add(ToSourcePos(path_, tasks->source()),
               "the template has no discover task; add [tasks.discover] with type = \"discover\"");
  }
  bool has_probe = std::any_of(t.nodes.begin(), t.nodes.end(), [](const TemplateNode& n) { return n.type == "probe"; });
  for (const TemplateNode& n : t.nodes) {
    if (n.skip_when == "image-complete" && !has_probe) {
      found_.Add(n.pos, "tasks." + n.name + ": skip_when = \"image-complete\" needs a probe task in the template");
    }
  }

  CheckReferences(t);
  if (!found_.empty()) return std::nullopt;
  if (!CheckAcyclic(t)) return std::nullopt;
  CheckReachesDiscover(t);
  if (!found_.empty()) return std::nullopt;
  t.nodes = TopologicalOrder(std::move(t.nodes));
  return t;
}

void TemplateParser::ReadTask(const std::string& name, const toml::node& node, PipelineTemplate* out) {
  const std::string qualified = "tasks." + name;
  declared_.insert(name);
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    found_.Add(ToSourcePos(path_, node.source()),
               qualified + ": expected a table ([" + qualified + "]), got " + TomlTypeName(node.type()));
    return;
  }
  TableReader r(*table, qualified, path_, kTaskKeys, &found_);
  r.ReportUnknownKeys();
  TemplateNode n;
  n.name = name;
  n.pos = r.TablePos();
  n.after_pos = r.ValuePos("after");
  bool ok = true;
  if (!MatchesName(name)) {
    found_.Add(n.pos, "invalid task name " + QuoteValue(name, '\'') + ": use lowercase letters, digits, '.', '_', '-'");
    ok = false;
  }

  if (r.Has("type")) {
    if (!r.String("type", &n.type)) {
      ok = false;
    } else if (!Contains(KnownTaskTypes(), n.type)) {
      r.ValueError("type", OneOf("task type", n.type, KnownTaskTypes()));
      ok = false;
    }
  } else if (Contains(KnownTaskTypes(), name)) {
    n.type = name;
  } else {
    r.RequireKey("type", "one of: " + Join(KnownTaskTypes(), ", "));
    ok = false;
  }

  if (n.type == "discover") saw_discover_ = true;
  if (ok) n.scope = ScopeOfTaskType(n.type);
  if (std::string scope; r.String("scope", &scope)) {
    std::optional<TaskScope> parsed = ParseTaskScope(scope);
    if (!parsed) {
      r.ValueError("scope", OneOf("scope", scope, kScopes));
      ok = false;
    } else if (ok && *parsed != n.scope) {
      r.ValueError("scope", "a '" + n.type + "' task runs once per " + TaskScopeName(n.scope) + ", so its scope must be \"" +
                                TaskScopeName(n.scope) + "\"");
      ok = false;
    }
  }

  if (r.StringArray("after", &n.after)) {
    const toml::array& array = *r.Node("after")->as_array();
    for (const toml::node& element : array) after_element_pos_[name].push_back(ToSourcePos(path_, element.source()));
  }
  if (std::string skip; r.String("skip_when", &skip)) {
    if (!skip.empty() && !Contains(kSkipWhen, skip)) {
      r.ValueError("skip_when", OneOf("condition", skip, kSkipWhen));
    } else {
      n.skip_when = skip;
    }
  }
  // Keep nodes with bad fields out of the graph checks but report everything about them above.
  if (ok) out->nodes.push_back(std::move(n));
}

void TemplateParser::CheckReferences(const PipelineTemplate& t) {
  std::vector<std::string> names(declared_.begin(), declared_.end());
  for (const TemplateNode& n : t.nodes) {
    const std::vector<SourcePos>& positions = after_element_pos_[n.name];
    for (size_t i = 0; i < n.after.size(); ++i) {
      const std::string& dep = n.after[i];
      SourcePos pos = i < positions.size() ? positions[i] : n.after_pos;
      std::string where = "tasks." + n.name + ".after: ";
      if (declared_.count(dep) == 0) {
        std::string message = where + "unknown task " + QuoteValue(dep, '\'');
        if (auto guess = DidYouMean(dep, names)) message += "; did you mean '" + *guess + "'?";
        found_.Add(pos, message);
      } else if (std::find(n.after.begin(), n.after.begin() + i, dep) != n.after.begin() + i) {
        found_.Add(pos, where + QuoteValue(dep, '\'') + " is listed twice");
      }
    }
  }
}

bool TemplateParser::CheckAcyclic(const PipelineTemplate& t) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < t.nodes.size(); ++i) index[t.nodes[i].name] = i;
  DepGraph g(t.nodes.size());
  for (size_t i = 0; i < t.nodes.size(); ++i) {
    for (const std::string& dep : t.nodes[i].after) boost::add_edge(i, index.at(dep), g);
  }
  std::vector<size_t> parent(t.nodes.size());
  for (size_t i = 0; i < parent.size(); ++i) parent[i] = i;
  std::optional<std::pair<size_t, size_t>> back;
  CycleVisitor visitor;
  visitor.parent = &parent;
  visitor.back = &back;
  boost::depth_first_search(g, boost::visitor(visitor));
  if (!back) return true;

  // The back edge u -> v (u runs after v, an ancestor of u in the DFS tree) closes the cycle
  // u -> v -> ... -> u. It is reported at u's `after`, the list that closes it.
  auto [u, v] = *back;
  std::vector<size_t> up = {u};
  while (up.back() != v) up.push_back(parent[up.back()]);
  std::vector<std::string> names = {t.nodes[u].name};
  for (auto it = up.rbegin(); it != up.rend(); ++it) names.push_back(t.nodes[*it].name);
  found_.Add(t.nodes[u].after_pos, "dependency cycle: " + Join(names, " -> "));
  return false;
}

void TemplateParser::CheckReachesDiscover(const PipelineTemplate& t) {
  std::map<std::string, bool> memo;
  std::function<bool(const TemplateNode&)> reaches = [&](const TemplateNode& n) {
    if (n.type == "discover") return true;
    auto it = memo.find(n.name);
    if (it != memo.end()) return it->second;
    bool found = false;
    for (const std::string& dep : n.after) found = found || reaches(*t.Find(dep));
    memo[n.name] = found;
    return found;
  };
  for (const TemplateNode& n : t.nodes) {
    if (n.scope != TaskScope::kApp && !reaches(n)) {
      found_.Add(n.pos, "tasks." + n.name + ": runs per " + TaskScopeName(n.scope) +
                            ", so it must come after the discover task (directly or through other tasks)");
    }
  }
}

std::vector<TemplateNode> TemplateParser::TopologicalOrder(std::vector<TemplateNode> nodes) {
  // Kahn's algorithm; among ready nodes the one written first goes first. REQUIRES: acyclic.
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i].name] = i;
  std::vector<size_t> pending(nodes.size());
  std::vector<std::vector<size_t>> dependents(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    pending[i] = nodes[i].after.size();
    for (const std::string& dep : nodes[i].after) dependents[index.at(dep)].push_back(i);
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (pending[i] == 0) ready.push(i);
  }
  std::vector<TemplateNode> ordered;
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    ordered.push_back(nodes[i]);
    for (size_t d : dependents[i]) {
      if (--pending[d] == 0) ready.push(d);
    }
  }
  return ordered;
}

}  // namespace

const char* TaskScopeName(TaskScope scope) {
  switch (scope) {
    case TaskScope::kApp: return "app";
    case TaskScope::kVersion: return "version";
    case TaskScope::kPlatform: return "platform";
  }
  return "unknown";
}

std::optional<TaskScope> ParseTaskScope(const std::string& name) {
  if (name == "app") return TaskScope::kApp;
  if (name == "version") return TaskScope::kVersion;
  if (name == "platform") return TaskScope::kPlatform;
  return std::nullopt;
}

const std::vector<std::string>& KnownTaskTypes() {
  static const std::vector<std::string> kTypes = {"discover", "probe", "build", "merge", "sbom", "sign", "provenance"};
  return kTypes;
}

TaskScope ScopeOfTaskType(const std::string& type) {
  if (type == "discover") return TaskScope::kApp;
  if (type == "build") return TaskScope::kPlatform;
  return TaskScope::kVersion;
}

const TemplateNode* PipelineTemplate::Find(const std::string& name) const {
  for (const TemplateNode& n : nodes) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

std::optional<PipelineTemplate> ParseTemplate(const std::string& text, const std::string& path, Diagnostics* diags) {
  Diagnostics local;
  if (diags == nullptr) diags = &local;
  Diagnostics found;
  std::optional<PipelineTemplate> t;
  if (std::optional<toml::table> root = ParseToml(text, path, &found)) {
    TemplateParser parser(path);
    t = parser.Parse(*root);
    found = parser.found();
  }
  AppendSorted(found, diags);
  return found.empty() ? t : std::nullopt;
}

std::optional<PipelineTemplate> LoadTemplateFile(const std::string& path, Diagnostics* diags) {
  Result<std::string> text = ReadTextFile(path);
  if (!text.ok()) {
    if (diags != nullptr) diags->Add(SourcePos{}, text.status().message());
    return std::nullopt;
  }
  return ParseTemplate(*text, path, diags);
}

std::optional<PipelineTemplate> FindTemplate(const std::string& name, const std::vector<std::string>& dirs,
                                             Diagnostics* diags, const SourcePos& referenced_at) {
  std::string file = FindTemplateFile(name, dirs);
  if (file.empty()) {
    if (diags != nullptr) diags->Add(referenced_at, UnknownTemplateMessage(name, dirs));
    return std::nullopt;
  }
  return LoadTemplateFile(file, diags);
}

}  // namespace mg

namespace mg {

void RemoveNodesOfTypes(PipelineTemplate* tmpl, const std::vector<std::string>& types) {
  auto removed = [&](const TemplateNode& n) { return std::find(types.begin(), types.end(), n.type) != types.end(); };
  std::map<std::string, std::vector<std::string>> after_of;  // removed node -> its (rewired) afters
  for (TemplateNode& n : tmpl->nodes) {  // topological order: a node's afters are rewired first
    std::vector<std::string> after;
    for (const std::string& a : n.after) {
      auto it = after_of.find(a);
      if (it == after_of.end()) after.push_back(a);
      else after.insert(after.end(), it->second.begin(), it->second.end());
    }
    std::sort(after.begin(), after.end());
    after.erase(std::unique(after.begin(), after.end()), after.end());
    if (removed(n)) after_of[n.name] = after;
    n.after = after;
  }
  std::erase_if(tmpl->nodes, removed);
}

}  // namespace mg
