#include "cache/journal.h"

#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>

#include "cache/record_log.h"
#include "util/atomic_file.h"

using namespace mg;

namespace {
struct TempDir {
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("mg-journal-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

// The event as a Json object, the way the executor built it before AppendTask existed.
Json AsJson(const TaskEvent& e) {
  Json j = {{"event", "task"}, {"id", e.id}, {"type", e.type}, {"status", e.status}, {"reason", e.reason}};
  if (!e.key.empty()) j["key"] = e.key;
  if (e.started_at != 0) {
    j["started_at"] = e.started_at;
    j["finished_at"] = e.finished_at;
    j["duration_ms"] = e.finished_at - e.started_at;
  }
  if (!e.error.empty()) j["error"] = e.error;
  if (e.details != nullptr && !e.details->empty()) j["details"] = *e.details;
  return j;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(journal_test)

BOOST_AUTO_TEST_CASE(task_lines_are_the_canonical_json_of_the_event) {
  TempDir d;
  std::vector<std::string> details = {"parameter tag changed: \"v1\" -> v2", "input build:a@1/linux/amd64 changed"};
  std::vector<std::string> no_details;
  std::vector<TaskEvent> events(4);
  events[0] = {"build:hello@1.2.0/linux/arm64", "build", "cached", "cache hit (key 0123456789ab)",
               std::string_view("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"), "", 0, 0,
               &no_details};
  events[1] = {"probe:hello@1.2.0", "probe", "ran", "observes the registry: re-checked every run", "", "",
               1700000000000, 1700000000123, nullptr};
  events[2] = {"merge:h\u00e9llo@1", "merge", "failed", "failed: tab\there \"quoted\"", "k", "tab\there \"quoted\"",
               5, 7, &details};
  events[3] = {"sign:x@1", "sign", "unneeded", "unneeded: not selected by --only build", "", "", 0, 0, &details};
  {
    auto j = RunJournal::Create(d.path.string(), "r1").value();
    for (size_t i = 0; i < events.size(); ++i) BOOST_TEST(j.AppendTask(events[i], i % 2 == 0).ok());
    BOOST_TEST(j.Sync().ok());
  }
  auto contents = RecordLog::Read((d.path / "runs" / "r1.log").string(), "mirrorgraph-journal", 1).value();
  BOOST_REQUIRE(contents.records.size() == events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    BOOST_TEST(std::string(contents.records[i]) == CanonicalJson(AsJson(events[i])));
  }
  auto read = RunJournal::Read(d.path.string(), "r1").value();
  BOOST_REQUIRE(read.size() == events.size());
  BOOST_TEST(read[2]["details"][0] == details[0]);
  BOOST_TEST(read[1]["duration_ms"] == 123);
}

// Finding 12: tasks started and never finished were in flight when the run stopped.
BOOST_AUTO_TEST_CASE(started_but_unfinished_tasks_are_interrupted) {
  TempDir dir;
  {
    auto j = RunJournal::Create(dir.path.string(), "run-2").value();
    BOOST_TEST(j.Append({{"event", "start"}, {"started_at", 1}}).ok());
    BOOST_TEST(j.AppendTaskStarted("build:a@1/linux/amd64", "build", 10).ok());
    BOOST_TEST(j.AppendTaskStarted("build:b@1/linux/amd64", "build", 11).ok());
    BOOST_TEST(j.AppendTaskStarted("probe:c@1", "probe", 12).ok());
    TaskEvent done{"build:a@1/linux/amd64", "build", "ran", "no cache entry", "", "", 10, 20, nullptr};
    BOOST_TEST(j.AppendTask(done, true).ok());
    TaskEvent cached{"discover:a", "discover", "cached", "--offline", "", "", 0, 0, nullptr};
    BOOST_TEST(j.AppendTask(cached, true).ok());
    // killed here: no "end"
  }
  auto events = RunJournal::Read(dir.path.string(), "run-2");
  BOOST_REQUIRE(events.ok());
  // The started line is canonical JSON, like every other line.
  BOOST_TEST(CanonicalJson((*events)[1]) ==
             R"({"event":"started","id":"build:a@1/linux/amd64","started_at":10,"type":"build"})");
  RunJournalSummary s = SummarizeRun(*events);
  BOOST_TEST(!s.ended);
  BOOST_TEST(s.counts["ran"] == 1);
  BOOST_TEST(s.counts["cached"] == 1);
  BOOST_TEST(s.counts["interrupted"] == 2);
  BOOST_TEST(s.interrupted == (std::vector<std::string>{"build:b@1/linux/amd64", "probe:c@1"}),
             boost::test_tools::per_element());
  BOOST_TEST(s.start.value("started_at", 0) == 1);
}

BOOST_AUTO_TEST_SUITE_END()
