// Kill -9 the real executor mid-run (mg_crash_harness: real Executor, ActionCache, RunJournal on a
// synthetic 60-task graph, -j 4) and run it again: the second run finishes everything, and only
// the tasks that were in flight at the kill run twice.
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "cache/action_cache.h"
#include "cli_fixture.h"
#include "util/subprocess.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::testing::BackgroundProcess;
using mg::testing::ReadFile;
using mg::testing::TempDir;

namespace {

constexpr int kTasks = 60;
constexpr int kJobs = 4;

std::string HarnessPath() {
  const char* p = std::getenv("MG_CRASH_HARNESS");
  if (p != nullptr && *p != '\0') return p;
  const char* build = std::getenv("MG_BUILD_DIR");
  return build == nullptr ? "" : std::string(build) + "/tests/crash/mg_crash_harness";
}

std::vector<std::string> HarnessArgs(const fs::path& dir) {
  return {HarnessPath(), (dir / "state").string(), (dir / "starts.log").string(), "--tasks", std::to_string(kTasks),
          "--jobs", std::to_string(kJobs), "--sleep-ms", "20"};
}

// id -> number of "start <id>" lines.
std::map<std::string, int> StartCounts(const fs::path& log) {
  std::map<std::string, int> counts;
  std::istringstream in(ReadFile(log));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("start ", 0) == 0) counts[line.substr(6)]++;
  }
  return counts;
}

size_t StartLines(const fs::path& log) {
  size_t n = 0;
  for (auto& [id, c] : StartCounts(log)) n += static_cast<size_t>(c);
  return n;
}

// Starts the harness, waits for `starts` start lines in total, SIGKILLs it. Returns false (with a
// test failure) when the harness ended on its own first.
bool KillAfterStarts(const fs::path& dir, size_t starts) {
  auto p = BackgroundProcess::Start(HarnessArgs(dir), dir, {}, dir / "harness.out", dir / "harness.err");
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  int code = 0;
  while (StartLines(dir / "starts.log") < starts) {
    if ((*p)->Poll(&code)) {
      BOOST_ERROR("the harness ended (exit " << code << ") before " << starts << " starts were logged:\n"
                                              << ReadFile(dir / "harness.err"));
      return false;
    }
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "no progress from the harness");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  (*p)->Signal(SIGKILL);
  auto ended = (*p)->Wait(std::chrono::seconds(30));
  BOOST_REQUIRE(ended.has_value());
  BOOST_TEST(*ended == 128 + SIGKILL, "the harness was killed, not finished (exit " << *ended << ")");
  return *ended == 128 + SIGKILL;
}

mg::Json RunToCompletion(const fs::path& dir) {
  mg::SubprocessOptions o;
  o.argv = HarnessArgs(dir);
  o.timeout = std::chrono::minutes(3);
  auto r = mg::RunSubprocess(o);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST_REQUIRE(r->exit_code == 0, "the resumed run exits 0; stderr:\n" << r->stderr_text << "\nstdout:\n"
                                                                            << r->stdout_text);
  mg::Json out = mg::ParseJson(r->stdout_text);
  BOOST_TEST_REQUIRE(out.is_object(), "harness output: " << r->stdout_text);
  return out;
}

void CheckCacheLoads(const fs::path& dir) {
  auto cache = mg::ActionCache::OpenReadOnly((dir / "state").string());
  BOOST_TEST_REQUIRE(cache.ok(), "the cache loads after the kill: " << cache.status().ToString());
  BOOST_TEST(!(*cache)->set_aside());
  // At most the record being written at the kill is torn.
  BOOST_TEST((*cache)->dropped_records() <= 1u);
}

std::set<std::string> AllIds() {
  std::set<std::string> ids;
  for (int i = 0; i < kTasks; ++i) ids.insert("build:crash@1.0." + std::to_string(i) + "/linux/amd64");
  return ids;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sigkill_resume_test)

BOOST_AUTO_TEST_CASE(kill_after_25_starts_then_resume) {
  BOOST_TEST_REQUIRE(fs::exists(HarnessPath()), "mg_crash_harness at " << HarnessPath());
  TempDir dir("mg-crash");
  if (!KillAfterStarts(dir.path(), 25)) return;
  std::map<std::string, int> first = StartCounts(dir.path() / "starts.log");
  size_t started_first = first.size();
  BOOST_TEST(started_first >= 25u);
  BOOST_TEST(started_first < static_cast<size_t>(kTasks), "the kill came before the end");
  CheckCacheLoads(dir.path());

  mg::Json out = RunToCompletion(dir.path());
  BOOST_TEST(out["unfinished"].empty(), "unfinished after resume: " << out["unfinished"].dump());
  BOOST_TEST(out["set_aside"].get<bool>() == false);
  size_t cached = out["counts"].value("cached", size_t{0});
  size_t ran = out["counts"].value("ran", size_t{0});
  BOOST_TEST(cached + ran == static_cast<size_t>(kTasks), "counts: " << out["counts"].dump());
  // What the second run reused is exactly what the first recorded before dying.
  BOOST_TEST(cached == out["cache_records"].get<size_t>());
  // Everything the first run recorded had started; at most the in-flight ones (<= -j) had not
  // finished when the kill came.
  BOOST_TEST(cached <= started_first);
  BOOST_TEST(started_first - cached <= static_cast<size_t>(kJobs));

  std::map<std::string, int> all = StartCounts(dir.path() / "starts.log");
  std::set<std::string> started;
  size_t twice = 0;
  for (auto& [id, n] : all) {
    started.insert(id);
    BOOST_TEST(n <= 2, id << " started " << n << " times");
    if (n == 2) ++twice;
  }
  BOOST_TEST((started == AllIds()), "every task id started (and finished) across both runs");
  BOOST_TEST_MESSAGE("first run: " << started_first << " started, " << cached << " recorded; " << twice
                                    << " started twice");
  BOOST_TEST(twice <= static_cast<size_t>(kJobs), twice << " tasks started twice");
  BOOST_TEST(twice == started_first - cached, "the tasks run twice are those in flight at the kill");
}

BOOST_AUTO_TEST_CASE(three_kills_then_resume) {
  TempDir dir("mg-crash");
  size_t kills = 0;
  for (size_t at : {10u, 30u, 45u}) {
    if (!KillAfterStarts(dir.path(), at)) return;
    ++kills;
    CheckCacheLoads(dir.path());
  }
  mg::Json out = RunToCompletion(dir.path());
  BOOST_TEST(out["unfinished"].empty());
  std::map<std::string, int> all = StartCounts(dir.path() / "starts.log");
  size_t extra = 0;
  for (auto& [id, n] : all) extra += static_cast<size_t>(n - 1);
  BOOST_TEST(all.size() == static_cast<size_t>(kTasks));
  BOOST_TEST(extra <= kills * kJobs, extra << " repeated starts after " << kills << " kills");
}

BOOST_AUTO_TEST_CASE(second_run_after_a_clean_run_reuses_everything) {
  TempDir dir("mg-crash");
  RunToCompletion(dir.path());
  mg::Json out = RunToCompletion(dir.path());
  BOOST_TEST(out["counts"].value("cached", 0) == kTasks, out["counts"].dump());
  BOOST_TEST(StartLines(dir.path() / "starts.log") == static_cast<size_t>(kTasks));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
