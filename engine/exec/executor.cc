#include "exec/executor.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "exec/selection.h"
#include "exec/task_key.h"
#include "exec/task_log.h"

namespace mg {

const char* TaskStatusName(TaskStatus s) {
  switch (s) {
    case TaskStatus::kPending: return "pending";
    case TaskStatus::kQueued: return "queued";
    case TaskStatus::kRunning: return "running";
    case TaskStatus::kRan: return "ran";
    case TaskStatus::kCached: return "cached";
    case TaskStatus::kFailed: return "failed";
    case TaskStatus::kBlocked: return "blocked";
    case TaskStatus::kUnneeded: return "unneeded";
    case TaskStatus::kWouldRun: return "would-run";
  }
  return "?";
}

bool IsFinished(TaskStatus s) {
  return s != TaskStatus::kPending && s != TaskStatus::kQueued && s != TaskStatus::kRunning;
}

int RunSummary::ExitCode() const {
  if (!state_error.empty()) return 3;
  if (interrupted) return 128 + (signal > 0 ? signal : 2);  // 2: SIGINT
  auto n = [this](TaskStatus s) {
    auto it = counts.find(s);
    return it == counts.end() ? size_t{0} : it->second;
  };
  return (n(TaskStatus::kFailed) + n(TaskStatus::kBlocked)) > 0 ? 1 : 0;
}

int PoolCapacity(const std::map<std::string, int>& pools, const std::string& name) {
  if (auto it = pools.find(name); it != pools.end()) return it->second;
  std::string prefix = name.substr(0, name.find(':'));
  if (auto it = pools.find(prefix); it != pools.end()) return it->second;
  if (prefix == "upstream") return 4;
  if (prefix == "registry") return 8;
  if (prefix == "build") return 1;
  return 1 << 20;
}

namespace {

struct Completion {
  TaskGraph::Index index;
  TaskOutcome outcome;
  int64_t started_at;
  int64_t finished_at;
};

}  // namespace

struct Executor::Impl {
  TaskGraph& graph;
  ActionCache& cache;
  RunJournal* journal;
  TaskRunner& runner;
  GraphGrowth* growth;
  ExecObserver* observer;
  ExecOptions opt;
  Clock* clock;

  std::vector<TaskRunState> states;
  std::vector<int8_t> wanted;                       // --only: -1 unknown, 0 no, 1 yes
  std::vector<TaskGraph::Index> ready;              // dependencies finished, not yet evaluated
  std::vector<KeyInput> key_inputs;                 // Evaluate()'s scratch, reused across tasks
  // Queued tasks per pool, each tagged with its enqueue order: dispatch is first-come first-served
  // across pools (a pool at capacity is skipped), so the discovers queued first start first.
  std::map<std::string, std::deque<std::pair<uint64_t, TaskGraph::Index>>> pool_queue;
  uint64_t enqueued = 0;
  std::map<std::string, int> pool_running;
  int running = 0;
  bool stopping = false;                            // fail-fast or interrupt: start nothing new
  std::string stop_reason;
  std::atomic<bool> cancel{false};
  RunSummary summary;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Completion> done;  // GUARDED_BY(mu)

  Impl(TaskGraph& g, ActionCache& c, RunJournal* j, TaskRunner& r, GraphGrowth* gr, ExecObserver* o,
       ExecOptions options)
      : graph(g), cache(c), journal(j), runner(r), growth(gr), observer(o), opt(std::move(options)),
        clock(opt.clock != nullptr ? opt.clock : SystemClock::Default()) {}

  // Tells running tasks to stop: their cancel flag and the options' token.
  void CancelRun() {
    cancel = true;
    if (opt.cancel_token != nullptr) opt.cancel_token->Cancel();
  }

  // Sizes run state for tasks added since the last call and finds the ready ones.
  void AdoptNewTasks() {
    size_t old = states.size();
    states.resize(graph.size());
    for (TaskGraph::Index i = old; i < graph.size(); ++i) {
      size_t pending = 0;
      for (TaskGraph::Index d : graph.Deps(i)) {
        if (!IsFinished(states[d].status)) ++pending;
      }
      states[i].pending_deps = pending;
      if (pending == 0) ready.push_back(i);
    }
  }

  const Json* ResultOf(TaskGraph::Index i) {
    TaskRunState& s = states[i];
    if (!HasResult(s.status)) return nullptr;
    if (s.result.is_null() && !s.key.empty()) {
      if (const auto* rec = cache.Get(s.key)) s.result = rec->result();
    }
    return &s.result;
  }

  // A failed write of the cache or the journal (a full disk): remember the first, start nothing
  // new. Running tasks finish; their results are recorded if the space came back meanwhile.
  void StateWritten(const Status& written) {
    if (written.ok() || !summary.state_error.empty()) return;
    summary.state_error = written.message();
    if (!stopping) {
      stopping = true;
      stop_reason = "the state directory cannot be written";
    }
  }

  void Finish(TaskGraph::Index i, TaskStatus status) {
    TaskRunState& s = states[i];
    s.status = status;
    summary.counts[status]++;
    if (status == TaskStatus::kFailed && summary.first_failure.empty()) summary.first_failure = graph.task(i).id;
    if (journal != nullptr) {
      const Task& t = graph.task(i);
      TaskEvent ev;
      ev.id = t.id;
      ev.type = TaskTypeName(t.type);
      ev.status = TaskStatusName(status);
      ev.reason = s.reason;
      ev.key = s.key;
      ev.error = s.error;
      ev.started_at = s.started_at;
      ev.finished_at = s.finished_at;
      ev.details = &s.details;
      bool durable = status == TaskStatus::kRan || status == TaskStatus::kFailed;
      StateWritten(journal->AppendTask(ev, durable));
    }
    if (observer != nullptr) observer->OnTaskFinished(graph, i, s);
    // Release dependents known now; tasks the growth step adds count only unfinished deps.
    for (TaskGraph::Index d : graph.Dependents(i)) {
      if (d < states.size() && states[d].pending_deps > 0 && --states[d].pending_deps == 0) ready.push_back(d);
    }
    if (growth != nullptr && HasResult(status) && graph.task(i).type == TaskType::kDiscover) {
      const Json* r = ResultOf(i);
      if (r != nullptr) {
        growth->OnResult(graph, i, *r);
        AdoptNewTasks();
      }
    }
  }

  // Selected by --only/--unit/--shard, or an ancestor of a selected task. Dependents exist by the time a task is
  // evaluated (a version's subgraph is instantiated at once), so the answer is final.
  bool Wanted(TaskGraph::Index i) {
    if (opt.select.empty()) return true;
    if (wanted.size() < graph.size()) wanted.resize(graph.size(), -1);
    if (wanted[i] >= 0) return wanted[i] == 1;
    bool w = Selects(opt.select, graph.task(i));
    if (!w) {
      for (TaskGraph::Index d : graph.Dependents(i)) {
        if (Wanted(d)) {
          w = true;
          break;
        }
      }
    }
    wanted[i] = w ? 1 : 0;
    return w;
  }

  void Evaluate(TaskGraph::Index i) {
    const Task& t = graph.task(i);
    TaskRunState& s = states[i];
    if (t.placeholder) {
      s.reason = "placeholder: instantiated once its app is discovered";
      return Finish(i, TaskStatus::kUnneeded);
    }
    if (!Wanted(i)) {
      s.reason = "unneeded: not selected by " + opt.select.Describe();
      return Finish(i, TaskStatus::kUnneeded);
    }
    std::vector<KeyInput>& inputs = key_inputs;
    inputs.clear();
    std::optional<TaskGraph::Index> would_run_dep;
    for (TaskGraph::Index d : graph.Deps(i)) {
      const TaskRunState& ds = states[d];
      if (ds.status == TaskStatus::kFailed || ds.status == TaskStatus::kBlocked) {
        s.reason = "blocked: " + graph.task(d).id + (ds.status == TaskStatus::kFailed ? " failed" : " was blocked");
        return Finish(i, TaskStatus::kBlocked);
      }
      if (ds.status == TaskStatus::kWouldRun) would_run_dep = d;
      if (HasResult(ds.status) && !IsObservation(graph.task(d).type) && !KeyIgnoresInputs(t.type)) {
        inputs.push_back({graph.task(d).id, ds.result_hash});
      }
    }
    if (stopping) {
      s.reason = "not started: " + stop_reason;
      return Finish(i, TaskStatus::kBlocked);
    }
    if (t.skip_when_complete && t.gate_probe >= 0) {
      const Json* probe = ResultOf(static_cast<TaskGraph::Index>(t.gate_probe));
      if (probe != nullptr && probe->value("state", "") == "complete") {
        s.reason = "unneeded: " + graph.task(static_cast<TaskGraph::Index>(t.gate_probe)).id +
                   " found the image complete (" + probe->value("digest", "") + ")";
        return Finish(i, TaskStatus::kUnneeded);
      }
    }
    if (would_run_dep) {
      s.reason = "would run after " + graph.task(*would_run_dep).id;
      return Finish(i, TaskStatus::kWouldRun);
    }
    s.key = TaskKeyOf(t, inputs);
    const ActionCache::Record* hit = cache.Get(s.key);
    if (IsObservation(t.type)) {
      if (opt.offline && hit != nullptr) {
        s.reason = "--offline: trusting the observation cached at " + FormatRfc3339(hit->finished_at());
        s.result_hash = hit->result_hash;
        s.result = hit->result();
        return Finish(i, TaskStatus::kCached);
      }
      s.reason = t.type == TaskType::kDiscover ? "observes the upstream: re-checked every run"
                                               : "observes the registry: re-checked every run";
      // An observation runs regardless, but when its key moved since the last one, what changed
      // (max_versions, the source URL, the plugin) is why its answer may differ: explain shows it.
      const ActionCache::Record* prev = hit == nullptr ? cache.LatestFor(t.id) : nullptr;
      if (prev != nullptr) s.details = DescribeKeyChanges(KeyMaterial(t, inputs), prev->entry());
      if (opt.offline) {
        s.reason = prev == nullptr ? "--offline, but nothing cached for it yet"
                                   : "--offline, but the cached observation was made with other inputs";
      }
      return Enqueue(i);
    }
    if (hit != nullptr) {
      s.reason = "cache hit (key " + s.key.substr(0, 12) + ")";
      s.result_hash = hit->result_hash;
      // A plan and an --offline run trust the cache; a run re-checks what the result names.
      if (!RechecksCachedResult(t.type) || opt.dry_run || opt.offline) return Finish(i, TaskStatus::kCached);
      s.recheck = true;
      return Enqueue(i);
    }
    const ActionCache::Record* prev = cache.LatestFor(t.id);
    if (prev == nullptr) {
      s.reason = "no cache entry";
    } else {
      s.details = DescribeKeyChanges(KeyMaterial(t, inputs), prev->entry());
      s.reason = s.details.empty() ? "key changed" : s.details.front();
      if (s.details.size() > 1) s.reason += " (+" + std::to_string(s.details.size() - 1) + " more)";
    }
    if (opt.dry_run) return Finish(i, TaskStatus::kWouldRun);
    Enqueue(i);
  }

  void Enqueue(TaskGraph::Index i) {
    states[i].status = TaskStatus::kQueued;
    pool_queue[graph.task(i).pool].emplace_back(enqueued++, i);
  }

  void DispatchReady(boost::asio::thread_pool& pool) {
    while (running < opt.jobs) {
      std::deque<std::pair<uint64_t, TaskGraph::Index>>* oldest = nullptr;
      for (auto& [name, q] : pool_queue) {
        if (q.empty() || pool_running[name] >= PoolCapacity(opt.pools, name)) continue;
        if (oldest == nullptr || q.front().first < oldest->front().first) oldest = &q;
      }
      if (oldest == nullptr) return;
      TaskGraph::Index i = oldest->front().second;
      oldest->pop_front();
      Start(pool, i);
    }
  }

  // TaskContext::recorded for task `i`: the latest cached results of its unneeded dependencies,
  // and of theirs, observations excluded.
  Json RecordedResults(TaskGraph::Index i) {
    Json out = Json::object();
    std::vector<TaskGraph::Index> todo(graph.Deps(i).begin(), graph.Deps(i).end());
    std::vector<bool> seen(graph.size(), false);
    while (!todo.empty()) {
      const TaskGraph::Index d = todo.back();
      todo.pop_back();
      if (seen[d]) continue;
      seen[d] = true;
      const Task& dt = graph.task(d);
      if (states[d].status != TaskStatus::kUnneeded || IsObservation(dt.type) || dt.placeholder) continue;
      if (const auto* rec = cache.LatestFor(dt.id)) {
        const Json& entry = rec->entry();
        out[dt.id] = {{"result", rec->result()},
                      {"identity", entry.is_object() ? entry.value("identity", Json()) : Json()}};
      }
      for (TaskGraph::Index dd : graph.Deps(d)) todo.push_back(dd);
    }
    return out;
  }

  void Start(boost::asio::thread_pool& pool, TaskGraph::Index i) {
    const Task& t = graph.task(i);
    TaskRunState& s = states[i];
    s.status = TaskStatus::kRunning;
    s.started_at = clock->NowMillis();
    running++;
    pool_running[t.pool]++;
    if (journal != nullptr) StateWritten(journal->AppendTaskStarted(t.id, TaskTypeName(t.type), s.started_at));
    if (observer != nullptr) observer->OnTaskStarted(graph, i, s);
    // Everything the worker touches is a copy or immutable for the run's lifetime.
    auto task = std::make_shared<Task>(t);
    auto inputs = std::make_shared<Json>(Json::object());
    for (TaskGraph::Index d : graph.Deps(i)) {
      if (const Json* r = ResultOf(d)) (*inputs)[graph.task(d).id] = *r;
    }
    std::shared_ptr<Json> previous;
    if (const auto* prev = cache.LatestFor(t.id)) previous = std::make_shared<Json>(prev->result());
    std::shared_ptr<Json> cached;
    if (s.recheck) {
      if (const auto* hit = cache.Get(s.key)) cached = std::make_shared<Json>(hit->result());
    }
    std::shared_ptr<Json> recorded;
    if (ReadsRecordedResults(t.type)) recorded = std::make_shared<Json>(RecordedResults(i));
    std::string log_path = opt.log_dir.empty() ? std::string() : opt.log_dir + "/" + TaskFileStem(t.id) + ".log";
    int64_t started = s.started_at;
    boost::asio::post(pool, [this, i, task, inputs, previous, cached, recorded, log_path, started] {
      // Shared by the callback: a plugin thread still holding a copy of ctx.log after Run()
      // returned writes to a live (if closed-over) file, never to a destroyed one.
      auto task_log = std::make_shared<TaskLog>(log_path);
      std::function<void(std::string_view)> log = [task_log](std::string_view line) { task_log->Write(line); };
      TaskOutcome outcome;
      try {
        TaskContext ctx{*task, *inputs, previous.get(), cancel, log, cached.get(), recorded.get()};
        outcome = runner.Run(ctx);
      } catch (const std::exception& e) {
        outcome.status = Status::Internal(std::string("task threw: ") + e.what());
      } catch (...) {
        outcome.status = Status::Internal("task threw an unknown exception");
      }
      if (!outcome.status.ok()) log("error: " + outcome.status.ToString());
      Completion c{i, std::move(outcome), started, clock->NowMillis()};
      {
        std::lock_guard<std::mutex> lock(mu);
        done.push_back(std::move(c));
      }
      cv.notify_one();
    });
  }

  void Complete(Completion c) {
    const Task& t = graph.task(c.index);
    TaskRunState& s = states[c.index];
    running--;
    pool_running[t.pool]--;
    s.started_at = c.started_at;
    s.finished_at = c.finished_at;
    if (!c.outcome.status.ok()) {
      s.error = c.outcome.status.message();
      s.reason = "failed: " + s.error;
      if (opt.fail_fast && !stopping) {
        stopping = true;
        stop_reason = "--fail-fast stopped the run after " + t.id + " failed";
        CancelRun();
      }
      return Finish(c.index, TaskStatus::kFailed);
    }
    if (c.outcome.reused && s.recheck) {
      // The cached result still holds: result_hash was set from the cache hit.
      if (!c.outcome.note.empty()) s.reason += "; " + c.outcome.note;
      return Finish(c.index, TaskStatus::kCached);
    }
    if (s.recheck) s.reason = "cache hit redone: " + (c.outcome.note.empty() ? std::string("its result no longer held") : c.outcome.note);
    s.result = std::move(c.outcome.result);
    s.result_hash = ActionCache::ResultHash(s.result);
    if (!opt.dry_run) {
      std::vector<KeyInput> inputs;
      for (TaskGraph::Index d : graph.Deps(c.index)) {
        if (HasResult(states[d].status) && !IsObservation(graph.task(d).type) && !KeyIgnoresInputs(t.type))
          inputs.push_back({graph.task(d).id, states[d].result_hash});
      }
      Json entry = KeyMaterial(t, inputs);
      entry["result"] = s.result;
      entry["finished_at"] = s.finished_at;
      entry["duration_ms"] = s.finished_at - s.started_at;
      Status put = cache.Put(s.key, t.id, entry);
      StateWritten(put);
      if (!put.ok()) {
        s.error = "cannot record the result: " + put.ToString();
        s.reason = "failed: " + s.error;
        return Finish(c.index, TaskStatus::kFailed);
      }
    }
    Finish(c.index, TaskStatus::kRan);
  }

  RunSummary Run() {
    boost::asio::thread_pool pool(static_cast<size_t>(std::max(1, opt.jobs)));
    AdoptNewTasks();
    int64_t last_tick = 0;
    for (;;) {
      if (opt.interrupt != nullptr && opt.interrupt->load() != 0 && !summary.interrupted) {
        summary.interrupted = true;
        summary.signal = opt.interrupt->load();
        stopping = true;
        stop_reason = "interrupted";
        CancelRun();
      }
      while (!ready.empty()) {
        std::vector<TaskGraph::Index> batch;
        batch.swap(ready);
        for (TaskGraph::Index i : batch) Evaluate(i);
      }
      if (stopping) {
        for (auto& [name, q] : pool_queue) {
          for (auto [seq, i] : q) {
            states[i].reason = "not started: " + stop_reason;
            Finish(i, TaskStatus::kBlocked);
          }
          q.clear();
        }
        if (!ready.empty()) continue;
      } else {
        DispatchReady(pool);
      }
      if (running == 0 && ready.empty()) break;
      std::deque<Completion> batch;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait_for(lock, std::chrono::milliseconds(200), [this] { return !done.empty(); });
        batch.swap(done);
      }
      for (Completion& c : batch) Complete(std::move(c));
      int64_t now = clock->NowMillis();
      if (observer != nullptr && now - last_tick >= 200) {
        observer->OnTick(graph, states);
        last_tick = now;
      }
    }
    pool.join();
    // Anything left pending waited on a task that never finished (only after an interrupt).
    for (TaskGraph::Index i = 0; i < states.size(); ++i) {
      if (!IsFinished(states[i].status)) {
        states[i].reason = "not started: " + (stop_reason.empty() ? std::string("dependency unfinished") : stop_reason);
        states[i].status = TaskStatus::kBlocked;
        summary.counts[TaskStatus::kBlocked]++;
      }
    }
    if (observer != nullptr) observer->OnTick(graph, states);
    StateWritten(cache.Sync());
    if (journal != nullptr) StateWritten(journal->Sync());
    return summary;
  }
};

Executor::Executor(TaskGraph& graph, ActionCache& cache, RunJournal* journal, TaskRunner& runner,
                   GraphGrowth* growth, ExecObserver* observer, ExecOptions options)
    : impl_(std::make_unique<Impl>(graph, cache, journal, runner, growth, observer, std::move(options))) {}

Executor::~Executor() = default;

RunSummary Executor::Run() { return impl_->Run(); }

const std::vector<TaskRunState>& Executor::states() const { return impl_->states; }

}  // namespace mg
