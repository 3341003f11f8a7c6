#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "cache/action_cache.h"
#include "exec/executor.h"
#include "exec/task_log.h"
#include "unit/exec/fake_runner.h"
#include "unit/util/temp_dir.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;
using mg::testing::MakeTask;

namespace {

constexpr int kThreads = 8;
constexpr int kLines = 400;

// "t<thread> l<line> " followed by a filler whose length varies per line, so torn or interleaved
// writes show up as lines that match no expected text.
std::string LineText(int thread, int line) {
  return "t" + std::to_string(thread) + " l" + std::to_string(line) + " " +
         std::string(static_cast<size_t>(40 + (thread * 131 + line * 17) % 300), static_cast<char>('a' + thread));
}

// Logs from many threads at once inside one task, the way a plugin's threads call host->log.
class ManyThreadsLogRunner : public TaskRunner {
 public:
  TaskOutcome Run(const TaskContext& ctx) override {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&ctx, t] {
        for (int l = 0; l < kLines; ++l) ctx.log(LineText(t, l));
      });
    }
    for (std::thread& th : threads) th.join();
    return {Status::OK(), Json{{"ok", true}}};
  }
};

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(task_log_test)

namespace {

std::string ReadAllText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteAllText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// The file's inode change time: any write or truncation moves it.
struct timespec ChangedAt(const std::filesystem::path& path) {
  struct stat st {};
  BOOST_REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_ctim;
}

bool Same(const struct timespec& a, const struct timespec& b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }

void Log(const std::filesystem::path& path, TaskLog::Rewrite rewrite, const std::vector<std::string>& lines) {
  TaskLog log(path.string(), rewrite);
  for (const std::string& line : lines) log.Write(line);
  BOOST_TEST(log.error() == "");
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_unchanged_observation_log_is_left_untouched) {
  mg::testing::TempDir dir;
  const std::filesystem::path path = dir / "probe.log";
  const std::vector<std::string> lines = {"probe: {\"state\":\"complete\"}", "", "multi\nline"};
  Log(path, TaskLog::Rewrite::kWhenChanged, lines);  // no file yet: created
  const std::string text = "probe: {\"state\":\"complete\"}\n\nmulti\nline\n";
  BOOST_TEST(ReadAllText(path) == text);
  const struct timespec before = ChangedAt(path);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // past the file system's time granularity
  Log(path, TaskLog::Rewrite::kWhenChanged, lines);
  BOOST_TEST(ReadAllText(path) == text);
  BOOST_TEST(Same(ChangedAt(path), before));  // neither truncated nor written
  // kAlways rewrites the same text.
  Log(path, TaskLog::Rewrite::kAlways, lines);
  BOOST_TEST(ReadAllText(path) == text);
  BOOST_TEST(!Same(ChangedAt(path), before));
}

BOOST_AUTO_TEST_CASE(a_changed_observation_log_holds_exactly_the_new_lines) {
  mg::testing::TempDir dir;
  const std::filesystem::path path = dir / "discover.log";
  struct Case {
    std::string previous;
    std::vector<std::string> lines;
  };
  const Case cases[] = {
      {"a\nb\nc\n", {"a", "b"}},            // ends short: the old rest is cut
      {"a\nb\n", {"a", "b", "c"}},           // goes on past the old end
      {"a\nb\nc\n", {"a", "x", "c"}},       // differs in the middle
      {"a\nb\nc\n", {"x"}},                 // differs at once
      {"a\nbc\n", {"a", "b"}},               // a line the old one only starts with
      {"a\nb", {"a", "b"}},                  // an old last line cut before its newline
      {"", {"a"}},                            // an empty file
      {std::string(70 * 1024, 'x') + "\n", {"a"}},  // over the comparison limit
  };
  for (const Case& c : cases) {
    WriteAllText(path, c.previous);
    Log(path, TaskLog::Rewrite::kWhenChanged, c.lines);
    std::string want;
    for (const std::string& l : c.lines) want += l + "\n";
    BOOST_TEST(ReadAllText(path) == want, c.previous.substr(0, 20));
  }
  // Nothing logged: the file is left as it was (as under kAlways).
  WriteAllText(path, "old\n");
  Log(path, TaskLog::Rewrite::kWhenChanged, {});
  BOOST_TEST(ReadAllText(path) == "old\n");
}

BOOST_AUTO_TEST_CASE(a_changed_log_is_written_through_from_the_first_difference) {
  mg::testing::TempDir dir;
  const std::filesystem::path path = dir / "probe.log";
  WriteAllText(path, "a\nb\nc\n");
  TaskLog log(path.string(), TaskLog::Rewrite::kWhenChanged);
  log.Write("a");
  BOOST_TEST(ReadAllText(path) == "a\nb\nc\n");  // still the last run's log
  log.Write("x");
  BOOST_TEST(ReadAllText(path) == "a\nx\n");  // on disk before the task ends (a kill keeps it)
  log.Write("y");
  BOOST_TEST(ReadAllText(path) == "a\nx\ny\n");
}

BOOST_AUTO_TEST_CASE(observations_leave_unchanged_logs_untouched_through_the_executor) {
  mg::testing::TempDir dir;
  auto cache = ActionCache::Open(dir.path()).value();
  std::filesystem::create_directories(dir / "logs");
  auto run = [&] {
    TaskGraph g;
    g.Add(MakeTask("discover:app", TaskType::kDiscover, "upstream"));
    g.Add(MakeTask("build:app@1.0.0/linux/amd64", TaskType::kBuild, "build:linux/amd64"));
    struct Logger : TaskRunner {
      TaskOutcome Run(const TaskContext& ctx) override {
        ctx.log("the same line every run");
        return {Status::OK(), Json{{"id", ctx.task.id}}};
      }
    } runner;
    ExecOptions opt;
    opt.log_dir = dir / "logs";
    Executor e(g, *cache, nullptr, runner, nullptr, nullptr, opt);
    BOOST_TEST(e.Run().ExitCode() == 0);
  };
  run();
  const std::filesystem::path logs = dir / "logs";
  const std::filesystem::path discover = logs / (TaskFileStem("discover:app") + ".log");
  const std::filesystem::path build = logs / (TaskFileStem("build:app@1.0.0/linux/amd64") + ".log");
  BOOST_TEST(ReadAllText(discover) == "the same line every run\n");
  const struct timespec discover_before = ChangedAt(discover);
  const struct timespec build_before = ChangedAt(build);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::filesystem::remove(dir / "cache.log");  // the build runs again too
  cache = ActionCache::Open(dir.path()).value();
  run();
  BOOST_TEST(Same(ChangedAt(discover), discover_before));  // an observation: untouched
  BOOST_TEST(!Same(ChangedAt(build), build_before));      // a build: rewritten, as its log streams
  BOOST_TEST(ReadAllText(build) == "the same line every run\n");
}

BOOST_AUTO_TEST_CASE(lines_logged_from_many_threads_are_all_intact) {
  mg::testing::TempDir dir;
  auto cache = ActionCache::Open(dir.path()).value();
  std::filesystem::create_directories(dir / "logs");
  TaskGraph g;
  g.Add(MakeTask("build:app@1.0.0/linux/amd64", TaskType::kBuild, "build:linux/amd64"));
  ManyThreadsLogRunner runner;
  ExecOptions opt;
  opt.log_dir = dir / "logs";
  Executor e(g, *cache, nullptr, runner, nullptr, nullptr, opt);
  RunSummary s = e.Run();
  BOOST_TEST(s.ExitCode() == 0);

  std::set<std::string> expected;
  for (int t = 0; t < kThreads; ++t) {
    for (int l = 0; l < kLines; ++l) expected.insert(LineText(t, l));
  }
  std::vector<std::string> lines =
      ReadLines(opt.log_dir + "/" + TaskFileStem("build:app@1.0.0/linux/amd64") + ".log");
  BOOST_TEST(lines.size() == expected.size());
  std::map<std::string, int> seen;
  size_t bad = 0;
  for (const std::string& line : lines) {
    if (expected.count(line) == 0) ++bad;
    else ++seen[line];
  }
  BOOST_TEST(bad == 0u, bad << " torn or interleaved lines");
  BOOST_TEST(seen.size() == expected.size());  // every line once (duplicates would shrink this)
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
