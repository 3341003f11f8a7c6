#include "report/dot.h"

#include <algorithm>

namespace mg {
namespace {

const char* TypeFill(TaskType t) {
  switch (t) {
    case TaskType::kDiscover: return "#dbeafe";
    case TaskType::kProbe: return "#e0e7ff";
    case TaskType::kBuild: return "#fef3c7";
    case TaskType::kMerge: return "#dcfce7";
    case TaskType::kSbom: return "#fce7f3";
    case TaskType::kSign: return "#ede9fe";
    case TaskType::kProvenance: return "#ccfbf1";
  }
  return "white";
}

const char* StatusColor(TaskStatus s) {
  switch (s) {
    case TaskStatus::kRan: return "#16a34a";
    case TaskStatus::kCached: return "#2563eb";
    case TaskStatus::kFailed: return "#dc2626";
    case TaskStatus::kBlocked: return "#ea580c";
    case TaskStatus::kUnneeded: return "#9ca3af";
    case TaskStatus::kWouldRun: return "#ca8a04";
    default: return "#374151";
  }
}

std::string DotQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A label of several lines: each line escaped, joined with DOT's centred line break.
std::string QuoteLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    std::string q = DotQuote(l);
    if (!out.empty()) out = out.substr(0, out.size() - 1) + "\\n" + q.substr(1);
    else out = q;
  }
  return out;
}

std::vector<TaskGraph::Index> SortedById(const TaskGraph& g) {
  std::vector<TaskGraph::Index> order(g.size());
  for (TaskGraph::Index i = 0; i < g.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return g.task(a).id < g.task(b).id; });
  return order;
}

const TaskRunState* StateOf(const RunStates* states, TaskGraph::Index i) {
  if (states == nullptr || i >= states->size()) return nullptr;
  return &(*states)[i];
}

}  // namespace

void WriteDot(std::ostream& out, const TaskGraph& g, const RunStates* states) {
  out << "digraph mirrorgraph {\n"
      << "  rankdir=LR;\n"
      << "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];\n"
      << "  edge [color=\"#6b7280\"];\n";
  auto order = SortedById(g);
  for (TaskGraph::Index i : order) {
    const Task& t = g.task(i);
    std::vector<std::string> label = {t.id};
    std::string attrs = "fillcolor=" + DotQuote(TypeFill(t.type));
    const TaskRunState* s = StateOf(states, i);
    if (s != nullptr && s->status != TaskStatus::kPending) {
      label.push_back(std::string("[") + TaskStatusName(s->status) + "]");
      attrs += std::string(", color=") + DotQuote(StatusColor(s->status)) + ", penwidth=2";
      if (s->status == TaskStatus::kUnneeded || s->status == TaskStatus::kWouldRun) attrs += ", style=\"rounded,filled,dashed\"";
    }
    if (t.placeholder) attrs += ", style=\"rounded,filled,dashed\"";
    out << "  " << DotQuote(t.id) << " [label=" << QuoteLines(label) << ", " << attrs << "];\n";
  }
  for (TaskGraph::Index i : order) {
    std::vector<std::string> deps;
    for (TaskGraph::Index d : g.Deps(i)) deps.push_back(g.task(d).id);
    std::sort(deps.begin(), deps.end());
    for (const std::string& d : deps) out << "  " << DotQuote(d) << " -> " << DotQuote(g.task(i).id) << ";\n";
  }
  out << "}\n";
}

Json GraphJson(const TaskGraph& g, const RunStates* states) {
  Json tasks = Json::array();
  for (TaskGraph::Index i : SortedById(g)) {
    const Task& t = g.task(i);
    std::vector<std::string> deps;
    for (TaskGraph::Index d : g.Deps(i)) deps.push_back(g.task(d).id);
    std::sort(deps.begin(), deps.end());
    Json j = {{"id", t.id}, {"type", TaskTypeName(t.type)}, {"app", t.coords.app}, {"params", t.Params()},
              {"deps", deps}, {"pool", t.pool}};
    if (!t.coords.image.empty()) j["image"] = t.coords.image;
    if (!t.coords.version.empty()) j["version"] = t.coords.version;
    if (!t.coords.platform.empty()) j["platform"] = t.coords.platform;
    if (t.placeholder) j["placeholder"] = true;
    if (const TaskRunState* s = StateOf(states, i); s != nullptr && s->status != TaskStatus::kPending) {
      j["status"] = TaskStatusName(s->status);
    }
    tasks.push_back(std::move(j));
  }
  return Json{{"tasks", std::move(tasks)}};
}

}  // namespace mg
