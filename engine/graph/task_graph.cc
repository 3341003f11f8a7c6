#include "graph/task_graph.h"

#include <algorithm>
#include <queue>

namespace mg {

TaskGraph::Index TaskGraph::Add(Task task) {
  auto it = by_id_.find(task.id);
  if (it != by_id_.end()) return it->second;
  Index i = boost::add_vertex(g_);
  const Task& added = tasks_.emplace_back(std::move(task));
  by_id_.emplace(added.id, i);
  return i;
}

void TaskGraph::AddEdge(Index from, Index to) {
  if (boost::edge(from, to, g_).second) return;
  boost::add_edge(from, to, g_);
}

std::optional<TaskGraph::Index> TaskGraph::Find(std::string_view id) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

size_t TaskGraph::DepCount(Index i) const { return boost::in_degree(i, g_); }

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
    for (auto [it, end] = boost::out_edges(i, g_); it != end; ++it) {
      Index t = boost::target(*it, g_);
      if (--pending[t] == 0) ready.push(t);
    }
  }
  return order;
}

}  // namespace mg
