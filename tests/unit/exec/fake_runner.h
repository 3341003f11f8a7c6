// Test doubles for the executor: a scripted TaskRunner and graph builders.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "exec/task_runner.h"
#include "graph/task_graph.h"

namespace mg::testing {

// Runs every task successfully with result {"id": <id>, "n": <call count>} unless told to fail it.
// Records calls and the peak concurrency, per pool and overall. A re-check of a cached result
// (ctx.cached_result) is recorded in rechecks(), not calls(), and reuses it unless the id is in
// `stale`, which makes it run as a call. Thread-safe.
class FakeRunner : public TaskRunner {
 public:
  TaskOutcome Run(const TaskContext& ctx) override {
    if (ctx.cached_result != nullptr) {
      std::lock_guard<std::mutex> l(mu_);
      rechecks_.push_back(ctx.task.id);
      if (ctx.cached_result_remote) remote_rechecks_.push_back(ctx.task.id);
      if (amend.count(ctx.task.id)) {
        TaskOutcome amended(Status::OK(), *ctx.cached_result, false, "amended by the fake");
        amended.result["amended"] = true;
        amended.from_cached = true;
        return amended;
      }
      if (!stale.count(ctx.task.id)) return {Status::OK(), {}, true, "re-checked by the fake"};
    }
    int now = ++running_;
    {
      std::lock_guard<std::mutex> l(mu_);
      peak_ = std::max(peak_, now);
      int p = ++pool_running_[ctx.task.pool];
      pool_peak_[ctx.task.pool] = std::max(pool_peak_[ctx.task.pool], p);
      calls_.push_back(ctx.task.id);
    }
    if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    TaskOutcome out;
    {
      std::lock_guard<std::mutex> l(mu_);
      pool_running_[ctx.task.pool]--;
      if (fail.count(ctx.task.id)) out.status = Status::Unavailable("injected failure of " + ctx.task.id);
      else if (results.count(ctx.task.id)) out.result = results[ctx.task.id];
      else out.result = Json{{"id", ctx.task.id}, {"salt", salt}};
      inputs_seen[ctx.task.id] = ctx.inputs;
      recorded_seen[ctx.task.id] = ctx.recorded != nullptr ? *ctx.recorded : Json();
    }
    --running_;
    return out;
  }

  std::vector<std::string> calls() {
    std::lock_guard<std::mutex> l(mu_);
    return calls_;
  }
  std::vector<std::string> rechecks() {
    std::lock_guard<std::mutex> l(mu_);
    return rechecks_;
  }
  // The re-checks whose cached result came from the remote tier (ctx.cached_result_remote).
  std::vector<std::string> remote_rechecks() {
    std::lock_guard<std::mutex> l(mu_);
    return remote_rechecks_;
  }
  int peak() {
    std::lock_guard<std::mutex> l(mu_);
    return peak_;
  }
  int pool_peak(const std::string& pool) {
    std::lock_guard<std::mutex> l(mu_);
    return pool_peak_[pool];
  }

  std::set<std::string> fail;
  std::set<std::string> stale;
  std::set<std::string> amend;  // re-checks return the cached result amended (TaskOutcome::from_cached)
  std::map<std::string, Json> results;
  std::map<std::string, Json> inputs_seen;
  std::map<std::string, Json> recorded_seen;  // ctx.recorded of each call; null when absent
  int delay_ms = 0;
  std::string salt = "";

 private:
  std::atomic<int> running_{0};
  std::mutex mu_;
  int peak_ = 0;
  std::map<std::string, int> pool_running_;
  std::map<std::string, int> pool_peak_;
  std::vector<std::string> calls_;
  std::vector<std::string> rechecks_;
  std::vector<std::string> remote_rechecks_;
};

inline Task MakeTask(const std::string& id, TaskType type, const std::string& pool, Json params = Json::object()) {
  Task t;
  t.id = id;
  t.type = type;
  t.coords.app = "app";
  t.pool = pool;
  t.SetParams(params);
  t.SetIdentity(Json{{"engine", "test"}});
  return t;
}

}  // namespace mg::testing
