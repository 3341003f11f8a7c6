#include <boost/test/unit_test.hpp>
#include <sstream>

#include "report/dot.h"
#include "report/run_report.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;

namespace {
TaskGraph Graph(bool reversed) {
  TaskGraph g;
  std::vector<std::string> ids = {"discover:a", "probe:a@1", "build:a@1/linux/amd64"};
  if (reversed) std::reverse(ids.begin(), ids.end());
  for (const auto& id : ids) {
    Task t;
    t.id = id;
    t.type = *ParseTaskType(id.substr(0, id.find(':')));
    t.coords.app = "a";
    g.Add(t);
  }
  g.AddEdge(*g.Find("discover:a"), *g.Find("probe:a@1"));
  g.AddEdge(*g.Find("probe:a@1"), *g.Find("build:a@1/linux/amd64"));
  return g;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(dot_test)

BOOST_AUTO_TEST_CASE(dot_is_independent_of_insertion_order) {
  std::ostringstream a, b;
  WriteDot(a, Graph(false), nullptr);
  WriteDot(b, Graph(true), nullptr);
  BOOST_TEST(a.str() == b.str());
  BOOST_TEST(a.str().find("\"discover:a\" -> \"probe:a@1\";") != std::string::npos);
  BOOST_TEST(a.str().find("[failed]") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(statuses_show_in_labels_and_json) {
  TaskGraph g = Graph(false);
  RunStates st(g.size());
  st[*g.Find("build:a@1/linux/amd64")].status = TaskStatus::kFailed;
  st[*g.Find("discover:a")].status = TaskStatus::kRan;
  std::ostringstream out;
  WriteDot(out, g, &st);
  BOOST_TEST(out.str().find("label=\"build:a@1/linux/amd64\\n[failed]\"") != std::string::npos, out.str());
  Json j = GraphJson(g, &st);
  BOOST_TEST(j["tasks"][0]["id"] == "build:a@1/linux/amd64");
  BOOST_TEST(j["tasks"][0]["status"] == "failed");
  BOOST_TEST(j["tasks"][0]["deps"][0] == "probe:a@1");
  BOOST_TEST(!j["tasks"][2].contains("status"));  // probe: pending, no status
}

BOOST_AUTO_TEST_CASE(run_report_lists_every_task_sorted) {
  TaskGraph g = Graph(true);
  RunStates st(g.size());
  for (auto& s : st) s.status = TaskStatus::kCached;
  st[*g.Find("probe:a@1")].status = TaskStatus::kFailed;
  st[*g.Find("probe:a@1")].error = "boom";
  RunSummary sum;
  sum.counts[TaskStatus::kCached] = 2;
  sum.counts[TaskStatus::kFailed] = 1;
  Json r = RunReportJson(g, st, sum, "run-1", "run");
  BOOST_TEST(r["exit_code"] == 1);
  BOOST_TEST(r["tasks"].size() == 3u);
  BOOST_TEST(r["tasks"][0]["id"] == "build:a@1/linux/amd64");
  BOOST_TEST(r["tasks"][2]["status"] == "failed");
  BOOST_TEST(r["tasks"][2]["error"] == "boom");
  BOOST_TEST(SummaryLine(sum) == "2 cached, 1 failed");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
