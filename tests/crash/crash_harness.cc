// mg_crash_harness: the real Executor, ActionCache and RunJournal on a synthetic graph, for
// kill-and-resume tests (tests/crash/crash_test.cc).
//
//   mg_crash_harness STATE_DIR START_LOG [--tasks N] [--jobs J] [--sleep-ms MS]
//
// The graph: N build tasks (default 60) with stable ids build:crash@1.0.<i>/linux/amd64, in six
// chains (task i runs after i-6), and every tenth task also fans in the two before it. The runner
// appends "start <id>\n" to START_LOG (O_APPEND, one write(2) per line, so lines never interleave
// or tear across a kill) before it sleeps MS milliseconds (default 20) and returns {"n": i}.
//
// Holds <STATE_DIR>/lock like `mirrorgraph run`. Prints one JSON object to stdout at the end:
// {"cache_records","dropped_records","set_aside","counts":{status:n},"unfinished":[ids],
//  "exit_code"}. Exit codes: the executor's (0 all finished), 2 usage, 3 state unusable.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "cache/action_cache.h"
#include "cache/journal.h"
#include "exec/executor.h"
#include "util/atomic_file.h"
#include "util/clock.h"
#include "util/file_lock.h"

namespace {

class LoggingRunner : public mg::TaskRunner {
 public:
  LoggingRunner(int fd, int sleep_ms) : fd_(fd), sleep_ms_(sleep_ms) {}

  mg::TaskOutcome Run(const mg::TaskContext& ctx) override {
    // Builds' cache hits come back to be re-checked: nothing was lost here, so reuse them (not a
    // start: the start log counts work done).
    if (ctx.cached_result != nullptr) return {mg::Status::OK(), {}, true, "re-checked by the harness"};
    std::string line = "start " + ctx.task.id + "\n";
    if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      return {mg::Status::IOError("cannot append to the start log"), {}};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms_));
    return {mg::Status::OK(), mg::Json{{"n", ctx.task.Params().value("n", -1)}}};
  }

 private:
  int fd_;
  int sleep_ms_;
};

mg::TaskGraph SyntheticGraph(int n) {
  mg::TaskGraph g;
  for (int i = 0; i < n; ++i) {
    mg::Task t;
    t.type = mg::TaskType::kBuild;
    t.coords = {"crash", "", "1.0." + std::to_string(i), "linux/amd64"};
    t.id = mg::FormatTaskId(t.type, t.coords);
    t.node = "build";
    t.SetParams({{"n", i}});
    t.SetIdentity({{"engine", "crash-harness"}});
    mg::TaskGraph::Index idx = g.Add(std::move(t));
    if (i >= 6) g.AddEdge(idx - 6, idx);
    if (i % 10 == 9) {
      g.AddEdge(idx - 1, idx);
      g.AddEdge(idx - 2, idx);
    }
  }
  return g;
}

int Usage() {
  std::cerr << "usage: mg_crash_harness STATE_DIR START_LOG [--tasks N] [--jobs J] [--sleep-ms MS]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Usage();
  std::string state = argv[1], start_log = argv[2];
  int tasks = 60, jobs = 4, sleep_ms = 20;
  for (int i = 3; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (flag == "--tasks") tasks = v;
    else if (flag == "--jobs") jobs = v;
    else if (flag == "--sleep-ms") sleep_ms = v;
    else return Usage();
  }
  if ((argc - 3) % 2 != 0 || tasks < 1 || jobs < 1 || sleep_ms < 0) return Usage();

  if (mg::Status s = mg::MakeDirs(state); !s.ok()) {
    std::cerr << "mg_crash_harness: " << s.ToString() << "\n";
    return 3;
  }
  auto lock = mg::FileLock::Acquire(state + "/lock", "mg_crash_harness");
  if (!lock.ok()) {
    std::cerr << "mg_crash_harness: " << lock.status().ToString() << "\n";
    return 3;
  }
  auto cache = mg::ActionCache::Open(state);
  if (!cache.ok()) {
    std::cerr << "mg_crash_harness: cannot open the cache: " << cache.status().ToString() << "\n";
    return 3;
  }
  mg::Json out = {{"cache_records", (*cache)->size()},
                  {"dropped_records", (*cache)->dropped_records()},
                  {"set_aside", (*cache)->set_aside()}};
  std::string run_id = mg::RunJournal::NewRunId(mg::SystemClock::Default()->NowMillis());
  auto journal = mg::RunJournal::Create(state, run_id);
  if (!journal.ok()) {
    std::cerr << "mg_crash_harness: " << journal.status().ToString() << "\n";
    return 3;
  }
  (void)journal->Append({{"event", "start"}, {"run_id", run_id}, {"command", "crash-harness"}});
  int fd = ::open(start_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::cerr << "mg_crash_harness: cannot open " << start_log << "\n";
    return 3;
  }

  mg::TaskGraph graph = SyntheticGraph(tasks);
  LoggingRunner runner(fd, sleep_ms);
  mg::ExecOptions eo;
  eo.jobs = jobs;
  mg::Executor exec(graph, **cache, &*journal, runner, nullptr, nullptr, eo);
  mg::RunSummary summary = exec.Run();
  ::close(fd);

  mg::Json counts = mg::Json::object();
  for (auto& [status, n] : summary.counts) counts[mg::TaskStatusName(status)] = n;
  mg::Json unfinished = mg::Json::array();
  for (mg::TaskGraph::Index i = 0; i < graph.size(); ++i) {
    if (!mg::HasResult(exec.states()[i].status)) unfinished.push_back(graph.task(i).id);
  }
  int code = summary.ExitCode() != 0 ? summary.ExitCode() : (unfinished.empty() ? 0 : 1);
  (void)journal->Append({{"event", "end"}, {"exit_code", code}});
  (void)journal->Sync();
  out["counts"] = counts;
  out["unfinished"] = unfinished;
  out["exit_code"] = code;
  std::cout << out.dump() << std::endl;
  return code;
}
