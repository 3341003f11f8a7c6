// TaskGraph: the run graph's structure (Boost.Graph) plus the immutable tasks.
//
// The graph grows while a run executes (a discover result instantiates the per-version subgraph),
// so indices are stable and only ever appended. Run state (status, results, timings) lives beside
// the graph in exec/, never in it. Not thread-safe: the executor's coordinator thread owns it.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <boost/range/iterator_range.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "graph/task.h"
#include "util/chunked_vector.h"
#include "util/flat_hash_index.h"
#include "util/keep_until_exit.h"

namespace mg {

class TaskGraph {
  // Edges in a vector (EdgeListS = vecS) rather than boost's default std::list: no allocation per
  // edge, and edges are never removed.
  using Structure = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, boost::no_property,
                                          boost::no_property, boost::no_property, boost::vecS>;

 public:
  using Index = size_t;
  // Iterable views of a vertex's neighbours; valid until the next Add/AddEdge.
  using DepRange = boost::iterator_range<Structure::inv_adjacency_iterator>;
  using DependentRange = boost::iterator_range<Structure::adjacency_iterator>;

  // Boost 1.74's adjacency_list has no move operations (and its swap copies), so the structure is
  // held by pointer: moving a graph of 100,000 tasks moves a few pointers instead of copying every
  // vertex. A moved-from graph is empty and may be added to again (Add makes a new structure).
  TaskGraph() : g_(std::make_unique<Structure>()) {}
  TaskGraph(TaskGraph&& other) noexcept
      : g_(std::move(other.g_)), tasks_(std::move(other.tasks_)), by_id_(std::exchange(other.by_id_, {})) {}
  TaskGraph& operator=(TaskGraph&& other) noexcept {
    if (this == &other) return *this;
    g_ = std::move(other.g_);
    tasks_ = std::move(other.tasks_);
    by_id_ = std::exchange(other.by_id_, {});
    return *this;
  }
  TaskGraph(const TaskGraph& other)
      : g_(other.g_ ? std::make_unique<Structure>(*other.g_) : std::make_unique<Structure>()),
        tasks_(other.tasks_),
        by_id_(other.by_id_) {}
  TaskGraph& operator=(const TaskGraph& other) {
    if (this != &other) *this = TaskGraph(other);
    return *this;
  }
  ~TaskGraph() = default;

  // Adds a task; returns the existing index when a task with the same id exists.
  Index Add(Task task);
  // `to` runs after `from`. Duplicate edges are ignored. REQUIRES: both indices exist.
  void AddEdge(Index from, Index to);

  size_t size() const { return tasks_.size(); }
  const Task& task(Index i) const { return tasks_[i]; }
  std::optional<Index> Find(std::string_view id) const;

  // Direct dependencies (what `i` runs after) and dependents, in insertion order. Views into the
  // graph (no copy): the executor walks them for every task.
  DepRange Deps(Index i) const { return boost::make_iterator_range(boost::inv_adjacent_vertices(i, *g_)); }
  DependentRange Dependents(Index i) const { return boost::make_iterator_range(boost::adjacent_vertices(i, *g_)); }
  size_t DepCount(Index i) const;

  // Tasks in a dependency-respecting order; ties by id. The graph is acyclic by construction
  // (templates are checked), so this never fails.
  std::vector<Index> TopologicalOrder() const;

 private:
  std::unique_ptr<Structure> g_;  // null only after a move (no task then); Add makes a new one
  ChunkedVector<Task> tasks_;  // a task never moves once added
  FlatHashIndex by_id_;  // task id -> index into tasks_ (so at most 2^32 - 1 tasks)
};

// Strings, vectors and a shared identity string: memory only (util/keep_until_exit.h).
template <>
inline constexpr bool kKeepableUntilExit<TaskGraph> = true;

}  // namespace mg
