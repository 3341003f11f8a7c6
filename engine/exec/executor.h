// Executor: runs a growing TaskGraph against the action cache, in parallel, with pools.
//
// One coordinator thread (the caller of Run()) owns the graph, the run state, the cache and the
// journal; worker threads (a Boost.Asio thread pool of `jobs` threads, and one for observations
// sized by the "upstream" and "registry" pools) only call TaskRunner::Run() on copies of what a
// task needs, and hand outcomes back through a queue. A task is evaluated when
// its dependencies finish: blocked when one failed, unneeded when its gate probe found the image
// complete, cached when its key is in the cache (observations: only with --offline), and otherwise
// queued on its pool. Pools cap concurrency per resource ("registry", "upstream", "build:<platform>");
// `jobs` caps the tasks that do work. Observations (discover, probe) hold no job slot: they mostly
// wait on the network, so only their pools cap them, and a probe starts as soon as its discover
// answered even while every job slot builds.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cache/action_cache.h"
#include "cache/journal.h"
#include "cache/remote_cache.h"
#include "exec/run_state.h"
#include "exec/selection.h"
#include "exec/task_runner.h"
#include "graph/task_graph.h"
#include "util/cancel_token.h"
#include "util/clock.h"

namespace mg {

// Watches a run (status line, logs). Called on the coordinator thread.
class ExecObserver {
 public:
  virtual ~ExecObserver() = default;
  virtual void OnTaskStarted(const TaskGraph& graph, TaskGraph::Index i, const TaskRunState& state) = 0;
  virtual void OnTaskFinished(const TaskGraph& graph, TaskGraph::Index i, const TaskRunState& state) = 0;
  // Called about every 200 ms while tasks run, and once at the end.
  virtual void OnTick(const TaskGraph&, const RunStates&) {}
};

struct ExecOptions {
  int jobs = 4;                        // tasks doing work at once (observations excepted: pools only)
  std::map<std::string, int> pools;    // capacity by pool name, or by its prefix before ':'
  bool fail_fast = false;              // stop starting tasks after the first failure
  bool offline = false;                // trust cached observations instead of re-checking
  bool dry_run = false;                // plan: run observations only; never write the cache
  std::string log_dir;                 // per-task logs; empty: none
  TaskSelection select;                   // --only, --unit, --shard (exec/selection.h); empty: every task
  // The signal that interrupted the run (SIGINT, SIGTERM, SIGHUP), set by a signal handler; 0: none.
  const std::atomic<int>* interrupt = nullptr;
  // Cancelled (on the coordinator thread) when the run is, by an interrupt or --fail-fast, like
  // the tasks' cancel flag: wakes what waits on it (HTTP retry waits, transfers). May be null.
  CancelToken* cancel_token = nullptr;
  Clock* clock = nullptr;              // null: the system clock
  // The second cache tier (docs/cache.md); null: none. Must outlive Run(). On a local miss of a
  // non-observation task the worker that took the task asks it first (Get, never on the
  // coordinator); a usable entry goes through the same re-check as a local hit and is written to
  // the action cache. In a plan (dry_run) a usable entry is trusted like a local hit and nothing
  // is written anywhere. After a task ran in a run, its entry is written to the remote (Put) on a
  // separate upload thread, without a job slot; Run() returns only after every write ended.
  RemoteCache* remote = nullptr;
};

// One remote-tier event worth a warning: the task and a line naming where and why.
struct RemoteWarning {
  std::string id;
  std::string message;
};

// What the remote tier did in one run (RunSummary::remote). Counted only when ExecOptions::remote
// is set.
struct RemoteCacheStats {
  bool enabled = false;
  std::string where;                          // RemoteCache::Describe()
  size_t lookups = 0;                         // Get() calls
  size_t hits = 0;                            // usable entries found (re-checked or trusted)
  size_t reused = 0;                          // hits that ended as `cached`
  size_t misses = 0;                          // nothing stored under the key
  std::vector<RemoteWarning> rejected;        // stored but unusable: damaged, other format, key mismatch
  std::vector<RemoteWarning> errors;          // could not be asked: unreachable, refused, cancelled
  size_t writes = 0;                          // successful Put()s
  std::vector<RemoteWarning> write_failures;  // failed Put()s (the run still succeeds)
};

struct RunSummary {
  std::map<TaskStatus, size_t> counts;
  bool interrupted = false;
  int signal = 0;                      // the interrupting signal
  std::string first_failure;           // id of the first failed task
  // Non-empty when the cache or the journal could not be written (a full disk): the first such
  // error, naming the file. The run then starts nothing new; what was recorded before is kept.
  std::string state_error;
  RemoteCacheStats remote;
  // 0 all good; 1 a task failed or was blocked; 3 the state directory could not be written;
  // 128 + the signal when interrupted: 130 SIGINT, 143 SIGTERM, 129 SIGHUP (docs/cli.md).
  int ExitCode() const;
};

// Capacity of a pool: options.pools[name], else options.pools[prefix], else the built-in default
// (upstream 4, registry 8, build 1, anything else unlimited).
int PoolCapacity(const std::map<std::string, int>& pools, const std::string& name);

class Executor {
 public:
  // All references must outlive the executor. `journal`, `growth` and `observer` may be null.
  Executor(TaskGraph& graph, ActionCache& cache, RunJournal* journal, TaskRunner& runner, GraphGrowth* growth,
           ExecObserver* observer, ExecOptions options);
  ~Executor();

  // Runs to completion (or interruption). REQUIRES: called once.
  RunSummary Run();

  // One entry per graph index; valid after Run() (and during it, on the coordinator thread).
  const RunStates& states() const;
  // Moves the run state out (a 100,000-task run's is tens of MB). REQUIRES: Run() has returned;
  // states() is empty afterwards.
  RunStates TakeStates();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mg
