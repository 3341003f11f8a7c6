// The --json run report file: written whatever bytes a task's message holds.
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

#include "report/run_report.h"
#include "unit/util/temp_dir.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;

namespace {

// A graph of one task of app "a".
TaskGraph OneTask(const std::string& id, TaskType type) {
  TaskGraph g;
  Task t;
  t.id = id;
  t.type = type;
  t.coords.app = "a";
  g.Add(std::move(t));
  return g;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(run_report_test)

// A builder's output quoted in a failure message need not be UTF-8: the report is still written,
// parses, and shows U+FFFD where the invalid bytes were.
BOOST_AUTO_TEST_CASE(a_message_with_invalid_utf8_is_written_and_parses) {
  TaskGraph g = OneTask("build:a@1/linux/amd64", TaskType::kBuild);
  RunStates st(g.size());
  st[0].status = TaskStatus::kFailed;
  st[0].error = "buildah: step 3: \xff\xfe latin-1 caf\xe9 and a cut \xe2\x82";
  st[0].reason = "failed: " + st[0].error;
  RunSummary sum;
  sum.counts[TaskStatus::kFailed] = 1;
  mg::testing::TempDir dir;
  const std::string path = dir / "report.json";
  Status written = WriteRunReport(path, RunReportJson(g, st, sum, "run-1", "run"));
  BOOST_REQUIRE_MESSAGE(written.ok(), written.ToString());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string error;
  Json parsed = ParseJson(text.str(), &error);
  BOOST_REQUIRE_MESSAGE(parsed.is_object(), error);
  const std::string got = parsed["tasks"][0]["error"].get<std::string>();
  BOOST_TEST(got == "buildah: step 3: \xef\xbf\xbd\xef\xbf\xbd latin-1 caf\xef\xbf\xbd and a cut \xef\xbf\xbd");
  BOOST_TEST(parsed["tasks"][0]["status"] == "failed");
}

// The journal's "end" event carries the report's summary without building the report.
BOOST_AUTO_TEST_CASE(summary_alone_is_the_reports_summary) {
  TaskGraph g = OneTask("probe:a@1", TaskType::kProbe);
  RunStates st(g.size());
  st[0].status = TaskStatus::kRan;
  RunSummary sum;
  sum.counts[TaskStatus::kRan] = 1;
  sum.counts[TaskStatus::kCached] = 4;
  for (const char* command : {"run", "plan"}) {
    const bool plan = std::string(command) == "plan";
    Json alone = RunSummaryJson(sum, plan);
    BOOST_TEST(alone == RunReportJson(g, st, sum, "run-1", command)["summary"], command);
    BOOST_TEST(alone.value(plan ? "checked" : "ran", 0) == 1, command);  // a plan's observations are "checked"
    BOOST_TEST(!alone.contains(plan ? "ran" : "checked"), command);
    BOOST_TEST(alone.value("cached", 0) == 4, command);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
