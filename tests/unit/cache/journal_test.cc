#include "cache/journal.h"

#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <map>

#include "cache/record_log.h"
#include "util/atomic_file.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

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
  auto contents =
      RecordLog::Read((d.path / "runs" / "r1.log").string(), "mirrorgraph-journal", RunJournal::kFormatVersion).value();
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

// v2: tasks that finished without running and with nothing to say are ids in batches; Read()
// gives one "task" event per task all the same.
BOOST_AUTO_TEST_CASE(plain_cached_and_unneeded_tasks_are_batched_and_read_back_one_by_one) {
  TempDir dir;
  const size_t n = RunJournal::kBatchSize * 2 + 5;
  std::vector<std::string> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back("build:app" + std::to_string(i) + "@1.0.0/linux/amd64");
  {
    auto j = RunJournal::Create(dir.path.string(), "run-3").value();
    for (size_t i = 0; i < n; ++i) {
      TaskEvent ev{ids[i], "build", "cached", "cache hit (key 0123456789ab)", "0123", "", 0, 0, nullptr};
      BOOST_TEST(j.AppendTask(ev, false).ok());
    }
    TaskEvent unneeded{"merge:x@1", "merge", "unneeded", "unneeded: probe:x@1 found the image complete", "", "", 0, 0,
                       nullptr};
    BOOST_TEST(j.AppendTask(unneeded, false).ok());
    TaskEvent ran{"sign:x@1", "sign", "ran", "no cache entry", "k", "", 10, 20, nullptr};
    BOOST_TEST(j.AppendTask(ran, true).ok());
    TaskEvent late{"sbom:x@1", "sbom", "cached", "cache hit", "k", "", 0, 0, nullptr};
    BOOST_TEST(j.AppendTask(late, false).ok());
    // killed here: no Sync(); what was batched before the written-through "ran" line is kept
  }
  auto contents = RecordLog::Read((dir.path / "runs" / "run-3.log").string(), "mirrorgraph-journal",
                                  RunJournal::kFormatVersion)
                      .value();
  // 2 full batches of cached builds, the other 5, the unneeded merge, then the "ran" line
  BOOST_TEST(contents.records.size() == 5u);
  auto events = RunJournal::Read(dir.path.string(), "run-3");
  BOOST_REQUIRE(events.ok());
  std::map<std::string, Json> by_id;
  for (const Json& e : *events) by_id[e.value("id", "")] = e;
  BOOST_TEST(by_id.size() == n + 2);  // every cached build, the merge, the sign; not the late sbom
  BOOST_TEST(by_id[ids[0]] == (Json{{"event", "task"}, {"id", ids[0]}, {"status", "cached"}, {"type", "build"}}));
  BOOST_TEST(by_id[ids[n - 1]].value("status", "") == "cached");
  BOOST_TEST(by_id["merge:x@1"].value("status", "") == "unneeded");
  BOOST_TEST(by_id["merge:x@1"].value("type", "") == "merge");
  BOOST_TEST(by_id["sign:x@1"].value("reason", "") == "no cache entry");
  RunJournalSummary s = SummarizeRun(*events);
  BOOST_TEST(s.counts["cached"] == static_cast<int>(n));
  BOOST_TEST(s.counts["unneeded"] == 1);
  BOOST_TEST(s.counts["ran"] == 1);
}

// An old state directory's runs stay readable: a v1 journal (every task a line) reads as before.
BOOST_AUTO_TEST_CASE(a_v1_journal_is_still_read) {
  TempDir dir;
  std::filesystem::create_directories(dir.path / "runs");
  {
    auto log = RecordLog::OpenForAppend((dir.path / "runs" / "old.log").string(), "mirrorgraph-journal", 1, true);
    BOOST_REQUIRE(log.ok());
    BOOST_TEST(log->Append(R"({"event":"start","started_at":1})").ok());
    BOOST_TEST(log->Append(R"({"event":"task","id":"build:a@1/linux/amd64","key":"k","reason":"cache hit","status":"cached","type":"build"})").ok());
    BOOST_TEST(log->Append(R"({"event":"end","exit_code":0,"finished_at":2})").ok());
  }
  auto events = RunJournal::Read(dir.path.string(), "old");
  BOOST_REQUIRE(events.ok());
  BOOST_REQUIRE(events->size() == 3u);
  BOOST_TEST((*events)[1].value("reason", "") == "cache hit");
  RunJournalSummary s = SummarizeRun(*events);
  BOOST_TEST(s.ended);
  BOOST_TEST(s.counts["cached"] == 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
