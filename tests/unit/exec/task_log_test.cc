#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "cache/action_cache.h"
#include "exec/executor.h"
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
