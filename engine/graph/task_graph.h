// TaskGraph: the run graph's structure (Boost.Graph) plus the immutable tasks.
//
// The graph grows while a run executes (a discover result instantiates the per-version subgraph),
// so indices are stable and only ever appended. Run state (status, results, timings) lives beside
// the graph in exec/, never in it. Not thread-safe: the executor's coordinator thread owns it.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "graph/task.h"

namespace mg {

class TaskGraph {
 public:
  using Index = size_t;

  // Adds a task; returns the existing index when a task with the same id exists.
  Index Add(Task task);
  // `to` runs after `from`. Duplicate edges are ignored. REQUIRES: both indices exist.
  void AddEdge(Index from, Index to);

  size_t size() const { return tasks_.size(); }
  const Task& task(Index i) const { return tasks_[i]; }
  std::optional<Index> Find(std::string_view id) const;

  // Direct dependencies (what `i` runs after) and dependents, in insertion order.
  std::vector<Index> Deps(Index i) const;
  std::vector<Index> Dependents(Index i) const;
  size_t DepCount(Index i) const;

  // Tasks in a dependency-respecting order; ties by id. The graph is acyclic by construction
  // (templates are checked), so this never fails.
  std::vector<Index> TopologicalOrder() const;

 private:
  using Structure = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;
  Structure g_;
  std::vector<Task> tasks_;
  std::unordered_map<std::string, Index> by_id_;
};

}  // namespace mg
