// TaskGraph: ids, edges, and what moving and copying a graph keep.
#include "graph/task_graph.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;

namespace {

// a -> b -> c, plus a -> c.
TaskGraph Chain() {
  TaskGraph g;
  for (const char* id : {"discover:a", "probe:a@1", "build:a@1/linux/amd64"}) {
    Task t;
    t.id = id;
    g.Add(std::move(t));
  }
  g.AddEdge(0, 1);
  g.AddEdge(1, 2);
  g.AddEdge(0, 2);
  g.AddEdge(0, 2);  // a duplicate edge is ignored
  return g;
}

std::vector<std::string> DepIds(const TaskGraph& g, TaskGraph::Index i) {
  std::vector<std::string> out;
  for (TaskGraph::Index d : g.Deps(i)) out.push_back(g.task(d).id);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(task_graph_test)

BOOST_AUTO_TEST_CASE(adds_once_per_id_and_keeps_edges) {
  TaskGraph g = Chain();
  BOOST_TEST(g.size() == 3u);
  Task again;
  again.id = "probe:a@1";
  BOOST_TEST(g.Add(again) == 1u);  // the existing index
  BOOST_TEST(g.size() == 3u);
  BOOST_TEST(g.Find("build:a@1/linux/amd64").value_or(99) == 2u);
  BOOST_TEST(!g.Find("build:a@2/linux/amd64").has_value());
  BOOST_TEST(g.DepCount(2) == 2u);
  BOOST_TEST(DepIds(g, 2) == (std::vector<std::string>{"probe:a@1", "discover:a"}), boost::test_tools::per_element());
}

// A move hands the tasks over without copying them (their addresses stay) and leaves an empty
// graph that can be built again; a copy is deep.
BOOST_AUTO_TEST_CASE(move_keeps_tasks_in_place_and_copy_is_deep) {
  TaskGraph g = Chain();
  const Task* build = &g.task(2);
  TaskGraph moved = std::move(g);
  BOOST_TEST(&moved.task(2) == build);
  BOOST_TEST(moved.DepCount(2) == 2u);
  BOOST_TEST(moved.Find("probe:a@1").value_or(99) == 1u);

  BOOST_TEST(g.size() == 0u);  // NOLINT(bugprone-use-after-move): moved-from is empty and usable
  BOOST_TEST(!g.Find("probe:a@1").has_value());
  Task t;
  t.id = "discover:b";
  BOOST_TEST(g.Add(t) == 0u);
  BOOST_TEST(g.DepCount(0) == 0u);

  TaskGraph copy = moved;
  BOOST_TEST(&copy.task(2) != build);
  BOOST_TEST(copy.task(2).id == "build:a@1/linux/amd64");
  Task extra;
  extra.id = "merge:a@1";
  TaskGraph::Index m = copy.Add(extra);
  copy.AddEdge(2, m);
  BOOST_TEST(copy.size() == 4u);
  BOOST_TEST(moved.size() == 3u);  // the original is untouched
  BOOST_TEST(moved.Dependents(2).empty());

  moved = std::move(copy);
  BOOST_TEST(moved.size() == 4u);
  BOOST_TEST(DepIds(moved, m) == (std::vector<std::string>{"build:a@1/linux/amd64"}), boost::test_tools::per_element());
}

// A graph moved from is built again, edges included; a copy of a moved-from graph and a copy
// assignment give independent graphs; the order of a rebuilt graph is right.
BOOST_AUTO_TEST_CASE(a_moved_from_graph_is_rebuilt_and_copied) {
  TaskGraph g = Chain();
  TaskGraph taken = std::move(g);
  TaskGraph empty_copy = g;  // NOLINT(bugprone-use-after-move): copying a moved-from graph
  BOOST_TEST(empty_copy.size() == 0u);
  for (const char* id : {"merge:b@1", "build:b@1/linux/amd64"}) {
    Task t;
    t.id = id;
    g.Add(std::move(t));
  }
  g.AddEdge(1, 0);
  std::vector<std::string> order;
  for (TaskGraph::Index i : g.TopologicalOrder()) order.push_back(g.task(i).id);
  BOOST_TEST(order == (std::vector<std::string>{"build:b@1/linux/amd64", "merge:b@1"}), boost::test_tools::per_element());

  TaskGraph assigned;
  assigned = taken;
  Task extra;
  extra.id = "sign:a@1";
  assigned.AddEdge(2, assigned.Add(extra));
  BOOST_TEST(assigned.size() == 4u);
  BOOST_TEST(taken.size() == 3u);
  BOOST_TEST(taken.Dependents(2).empty());
  BOOST_TEST(assigned.DepCount(3) == 1u);
  const TaskGraph& same = assigned;
  assigned = same;  // self-assignment keeps the graph
  BOOST_TEST(assigned.size() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
