#include "graph/task_graph.h"

#include <algorithm>
#include <queue>

namespace mg {

TaskGraph::Index TaskGraph::Add(Task task) {
  uint64_t hash = FlatHashIndex::Hash(task.id);
  auto is_id = [&](uint32_t v) { return tasks_[v].id == task.id; };
  if (uint32_t found = by_id_.Find(hash, is_id); found != FlatHashIndex::kNone) return found;
  if (!g_) g_ = std::make_unique<Structure>();
  Index i = boost::add_vertex(*g_);
  by_id_.Put(hash, static_cast<uint32_t>(i), is_id);
  tasks_.push_back(std::move(task));
  return i;
}

void TaskGraph::AddEdge(Index from, Index to) {
  if (boost::edge(from, to, *g_).second) return;
  boost::add_edge(from, to, *g_);
}

std::optional<TaskGraph::Index> TaskGraph::Find(std::string_view id) const {
  uint32_t found = by_id_.Find(FlatHashIndex::Hash(id), [&](uint32_t v) { return tasks_[v].id == id; });
  if (found == FlatHashIndex::kNone) return std::nullopt;
  return found;
}

size_t TaskGraph::DepCount(Index i) const { return boost::in_degree(i, *g_); }

std::vector<TaskGraph::Index> TaskGraph::TopologicalOrder() const {
  // Kahn's algorithm with an id-ordered ready set, so the order is deterministic.
  std::vector<size_t> pending(size());
  auto by_id = [this](Index a, Index b) { return tasks_[a].id > tasks_[b].id; };
  std::priority_queue<Index, std::vector<Index>, decltype(by_id)> ready(by_id);
  for (Index i = 0; i < size(); ++i) {
    pending[i] = DepCount(i);
    if (pending[i] == 0) ready.push(i);
  }
  std::vector<Index> order;
  order.reserve(size());
  while (!ready.empty()) {
    Index i = ready.top();
    ready.pop();
    order.push_back(i);
    for (auto [it, end] = boost::out_edges(i, *g_); it != end; ++it) {
      Index t = boost::target(*it, *g_);
      if (--pending[t] == 0) ready.push(t);
    }
  }
  return order;
}

}  // namespace mg
