#include "exec/executor.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

#include "exec/remote_entry.h"
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

const char* CacheTierName(CacheTier tier) {
  switch (tier) {
    case CacheTier::kNone: return "";
    case CacheTier::kLocal: return "local";
    case CacheTier::kRemote: return "remote";
  }
  return "";
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

// Named, not anonymous: Executor::Impl (external linkage) holds these types in its fields, and a
// member of an anonymous-namespace type would give it internal-linkage parts (-Wsubobject-linkage).
namespace executor_internal {

// What a worker learned from the remote tier for one task.
struct RemoteAnswer {
  RemoteLookup::Kind kind = RemoteLookup::Kind::kMiss;
  std::string warning;  // kRejected, kError
  Json entry;           // kHit: the verified entry
  Json result;          // kHit: its result
  bool trusted = false;    // kHit taken without a re-check (a plan, --offline): not run
  bool would_run = false;  // a plan's miss: not run, would run
};

struct Completion {
  TaskGraph::Index index;
  TaskOutcome outcome;
  int64_t started_at;
  int64_t finished_at;
  RemoteAnswer remote;  // meaningful when the task's state has remote_lookup
  bool cached_result_remote = false;  // the task's TaskContext::cached_result_remote
};

}  // namespace executor_internal

using executor_internal::Completion;
using executor_internal::RemoteAnswer;

namespace {

// Asks `remote` for task `id` under `key` and checks a hit again (CheckEntryKey): whatever the
// implementation does, an entry whose key material does not hash to `key` is rejected. Catches
// everything: called on worker threads.
RemoteAnswer AskRemote(RemoteCache& remote, const std::string& key, const std::string& id, CancelToken* cancel) {
  RemoteAnswer a;
  RemoteLookup l;
  try {
    l = remote.Get(key, id, cancel);
  } catch (const std::exception& e) {
    l = RemoteLookup{RemoteLookup::Kind::kError, "", std::string("the lookup threw: ") + e.what()};
  } catch (...) {
    l = RemoteLookup{RemoteLookup::Kind::kError, "", "the lookup threw an unknown exception"};
  }
  a.kind = l.kind;
  a.warning = std::move(l.warning);
  if (a.kind == RemoteLookup::Kind::kHit) {
    Json entry = ParseJson(l.entry_text);
    Status usable = entry.is_discarded() ? Status::Corruption("damaged: the entry is not JSON") : CheckEntryKey(entry, key);
    if (!usable.ok()) {
      a.kind = RemoteLookup::Kind::kRejected;
      a.warning = "the entry " + remote.Describe() + " returned for key " + key.substr(0, 12) + "… is unusable: " +
                  usable.message();
    } else {
      a.result = *FindField(entry, "result");
      a.entry = std::move(entry);
    }
  }
  if (a.kind != RemoteLookup::Kind::kHit && a.kind != RemoteLookup::Kind::kMiss && a.warning.empty()) {
    a.warning = std::string("the lookup in ") + remote.Describe() + " ended with " + RemoteLookupKindName(a.kind);
  }
  return a;
}

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

  RunStates states;
  std::vector<int8_t> wanted;                       // --only: -1 unknown, 0 no, 1 yes
  std::vector<TaskGraph::Index> ready;              // dependencies finished, not yet evaluated
  std::vector<KeyInput> key_inputs;                 // Evaluate()'s scratch, reused across tasks
  // Queued tasks per (pool, holds a job slot), each tagged with its enqueue order: dispatch is
  // first-come first-served across queues (a pool at capacity is skipped, and so are the slot
  // holders when every job slot is taken), so the discovers queued first start first.
  // Observations (discover, probe) hold no job slot: they wait on the network, capped by their
  // pools only, on threads of their own (`observe_threads`).
  std::map<std::pair<std::string, bool>, std::deque<std::pair<uint64_t, TaskGraph::Index>>> pool_queue;
  uint64_t enqueued = 0;
  std::map<std::string, int> pool_running;
  int running = 0;        // tasks started and not completed
  int running_slots = 0;  // of which hold a job slot (everything but observations)
  boost::asio::thread_pool* work_threads = nullptr;     // set by Run(): `jobs` threads
  boost::asio::thread_pool* observe_threads = nullptr;  // set by Run(): ObservationThreads()
  bool stopping = false;                            // fail-fast or interrupt: start nothing new
  std::string stop_reason;
  std::atomic<bool> cancel{false};
  RunSummary summary;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Completion> done;  // GUARDED_BY(mu)

  // Remote writes (ExecOptions::remote): their own threads, so a write holds no job slot; joined
  // before Run() returns.
  std::unique_ptr<boost::asio::thread_pool> uploads;
  std::mutex upload_mu;
  size_t upload_writes = 0;                   // GUARDED_BY(upload_mu)
  std::vector<RemoteWarning> upload_failures;  // GUARDED_BY(upload_mu)

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
      uint32_t pending = 0;
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
      // Every dependency it waits for (a merge names all its builds), in id order.
      std::vector<std::string_view> waits;
      for (TaskGraph::Index d : graph.Deps(i)) {
        if (states[d].status == TaskStatus::kWouldRun) waits.push_back(graph.task(d).id);
      }
      std::sort(waits.begin(), waits.end());
      s.reason = "would run after ";
      for (size_t k = 0; k < waits.size(); ++k) s.reason.append(k == 0 ? "" : ", ").append(waits[k]);
      return Finish(i, TaskStatus::kWouldRun);
    }
    s.key = TaskKeyOf(t, inputs);
    const ActionCache::Record* hit = cache.Get(s.key);
    if (IsObservation(t.type)) {
      if (opt.offline && hit != nullptr) {
        s.reason = "--offline: trusting the observation cached at " + FormatRfc3339(hit->finished_at());
        s.cache_tier = CacheTier::kLocal;
        s.result_hash = hit->result_hash();
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
      s.reason.assign("cache hit (key ").append(s.key.view().substr(0, 12)).append(")");
      s.cache_tier = CacheTier::kLocal;
      s.result_hash = hit->result_hash();
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
    if (opt.remote != nullptr) {
      // The lookup is network I/O: a worker does it (Start), never the coordinator.
      s.remote_lookup = true;
      return Enqueue(i);
    }
    if (opt.dry_run) return Finish(i, TaskStatus::kWouldRun);
    Enqueue(i);
  }

  void Enqueue(TaskGraph::Index i) {
    states[i].status = TaskStatus::kQueued;
    const Task& t = graph.task(i);
    pool_queue[{t.pool, HoldsJobSlot(t)}].emplace_back(enqueued++, i);
  }

  static bool HoldsJobSlot(const Task& t) { return !IsObservation(t.type); }

  // Threads for observations: as many as the pools they use let run at once (bounded).
  int ObservationThreads() const {
    const int64_t n = int64_t{PoolCapacity(opt.pools, "upstream")} + PoolCapacity(opt.pools, "registry");
    return static_cast<int>(std::clamp<int64_t>(n, 1, 64));
  }

  void DispatchReady() {
    for (;;) {
      std::deque<std::pair<uint64_t, TaskGraph::Index>>* oldest = nullptr;
      for (auto& [queue, q] : pool_queue) {
        const auto& [name, holds_slot] = queue;
        if (q.empty() || pool_running[name] >= PoolCapacity(opt.pools, name)) continue;
        if (holds_slot && running_slots >= opt.jobs) continue;
        if (oldest == nullptr || q.front().first < oldest->front().first) oldest = &q;
      }
      if (oldest == nullptr) return;
      TaskGraph::Index i = oldest->front().second;
      oldest->pop_front();
      Start(i);
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

  void Start(TaskGraph::Index i) {
    const Task& t = graph.task(i);
    TaskRunState& s = states[i];
    s.status = TaskStatus::kRunning;
    s.started_at = clock->NowMillis();
    running++;
    const bool holds_slot = HoldsJobSlot(t);
    if (holds_slot) running_slots++;
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
    bool cached_remote = false;
    if (s.recheck) {
      if (const auto* hit = cache.Get(s.key)) {
        cached = std::make_shared<Json>(hit->result());
        cached_remote = hit->from_remote();
      }
    }
    std::shared_ptr<Json> recorded;
    if (ReadsRecordedResults(t.type)) recorded = std::make_shared<Json>(RecordedResults(i));
    std::string log_path = opt.log_dir.empty() ? std::string() : opt.log_dir + "/" + TaskFileStem(t.id) + ".log";
    int64_t started = s.started_at;
    const bool ask_remote = s.remote_lookup && opt.remote != nullptr;
    // A plan and an --offline run trust a remote hit as they trust a local one.
    const bool trust_remote = !RechecksCachedResult(t.type) || opt.dry_run || opt.offline;
    const bool dry_run = opt.dry_run;
    std::string key = s.key.str();
    boost::asio::thread_pool& threads = holds_slot ? *work_threads : *observe_threads;
    boost::asio::post(threads, [this, i, task, inputs, previous, cached, cached_remote, recorded, log_path, started,
                                ask_remote, trust_remote, dry_run, key] {
      // Shared by the callback: a plugin thread still holding a copy of ctx.log after Run()
      // returned writes to a live (if closed-over) file, never to a destroyed one.
      auto task_log = std::make_shared<TaskLog>(
          log_path, IsObservation(task->type) ? TaskLog::Rewrite::kWhenChanged : TaskLog::Rewrite::kAlways);
      std::function<void(std::string_view)> log = [task_log](std::string_view line) { task_log->Write(line); };
      TaskOutcome outcome;
      RemoteAnswer remote;
      bool cached_result_remote = cached_remote;
      try {
        const Json* cached_result = cached.get();
        bool run = true;
        if (ask_remote) {
          remote = AskRemote(*opt.remote, key, task->id, opt.cancel_token);
          if (!remote.warning.empty()) log("warning: remote cache: " + remote.warning);
          if (remote.kind == RemoteLookup::Kind::kHit) {
            log("remote cache hit in " + opt.remote->Describe() + " (key " + key + ")");
            if (trust_remote) {
              remote.trusted = true;
              run = false;
              outcome = TaskOutcome(Status::OK(), Json(), true);
            } else {
              cached_result = &remote.result;
              cached_result_remote = true;
            }
          } else if (dry_run) {
            remote.would_run = true;  // a plan never runs a mutating task
            run = false;
          }
        }
        if (run) {
          TaskContext ctx{*task, *inputs, previous.get(), cancel, log, cached_result, recorded.get(), cached_result_remote};
          outcome = runner.Run(ctx);
        }
      } catch (const std::exception& e) {
        outcome.status = Status::Internal(std::string("task threw: ") + e.what());
      } catch (...) {
        outcome.status = Status::Internal("task threw an unknown exception");
      }
      if (!outcome.status.ok()) log("error: " + outcome.status.ToString());
      Completion c{i, std::move(outcome), started, clock->NowMillis(), std::move(remote), cached_result_remote};
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
    if (HoldsJobSlot(t)) running_slots--;
    pool_running[t.pool]--;
    s.started_at = c.started_at;
    s.finished_at = c.finished_at;
    const RemoteAnswer& ra = c.remote;
    const bool remote_hit = s.remote_lookup && ra.kind == RemoteLookup::Kind::kHit;
    if (s.remote_lookup) CountRemoteLookup(t, s, ra);
    if (ra.would_run) {
      s.started_at = s.finished_at = 0;  // a plan's lookup is not a run of the task
      return Finish(c.index, TaskStatus::kWouldRun);
    }
    if (remote_hit && c.outcome.status.ok() && c.outcome.reused) {
      // A usable remote entry (re-checked, or trusted in a plan / --offline): cached, and copied
      // into the action cache so the next run finds it locally.
      s.reason = "remote cache hit (key " + std::string(s.key.view().substr(0, 12)) + "…)";
      if (!c.outcome.note.empty()) s.reason += "; " + c.outcome.note;
      s.cache_tier = CacheTier::kRemote;
      s.result = ra.result;
      s.result_hash = ActionCache::ResultHash(s.result);
      summary.remote.reused++;
      if (ra.trusted) s.started_at = s.finished_at = 0;
      if (!opt.dry_run) {
        // Marked, so that later runs still know who could have written it (TaskContext).
        Json entry = ra.entry;
        if (entry.is_object()) entry[std::string(ActionCache::kOriginMember)] = ActionCache::kRemoteOrigin;
        StateWritten(cache.Put(s.key.str(), t.id, entry));
      }
      return Finish(c.index, TaskStatus::kCached);
    }
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
    if (remote_hit) {
      s.reason = "remote cache hit redone: " + (c.outcome.note.empty() ? std::string("its result no longer held") : c.outcome.note);
    }
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
      // Who wrote the result (ActionCache::Record::from_remote); not uploaded: a reader marks the
      // entries it copies from the remote tier itself.
      // Observations are never re-checked from the cache: no mark.
      const bool remote_origin = c.outcome.from_cached && c.cached_result_remote;
      const std::string origin_member(ActionCache::kOriginMember);
      if (!IsObservation(t.type)) {
        entry[origin_member] = remote_origin ? ActionCache::kRemoteOrigin : ActionCache::kLocalOrigin;
      }
      Status put = cache.Put(s.key.str(), t.id, entry);
      entry.erase(origin_member);
      StateWritten(put);
      if (!put.ok()) {
        s.error = "cannot record the result: " + put.ToString();
        s.reason = "failed: " + s.error;
        return Finish(c.index, TaskStatus::kFailed);
      }
      // Observations are re-checked every run: never shared.
      if (opt.remote != nullptr && !IsObservation(t.type)) Upload(s.key.str(), t.id, CanonicalJson(entry));
    }
    Finish(c.index, TaskStatus::kRan);
  }

  // Counts a remote lookup's answer; rejected entries and errors become warnings (the summary, and
  // the task's details, which `explain` and the report show).
  void CountRemoteLookup(const Task& t, TaskRunState& s, const RemoteAnswer& ra) {
    RemoteCacheStats& r = summary.remote;
    r.lookups++;
    switch (ra.kind) {
      case RemoteLookup::Kind::kHit: r.hits++; break;
      case RemoteLookup::Kind::kMiss: r.misses++; break;
      case RemoteLookup::Kind::kRejected: r.rejected.push_back({t.id, ra.warning}); break;
      case RemoteLookup::Kind::kError: r.errors.push_back({t.id, ra.warning}); break;
    }
    if (!ra.warning.empty()) s.details.push_back("remote cache " + std::string(RemoteLookupKindName(ra.kind)) + ": " + ra.warning);
    switch (ra.kind) {
      case RemoteLookup::Kind::kHit: break;
      case RemoteLookup::Kind::kMiss: s.reason += "; not in the remote cache either"; break;
      case RemoteLookup::Kind::kRejected: s.reason += "; the remote cache entry was rejected (see details)"; break;
      case RemoteLookup::Kind::kError: s.reason += "; the remote cache could not be asked (see details)"; break;
    }
  }

  // Writes one entry to the remote tier on the upload threads. Never throws; failures are counted
  // and kept as warnings.
  void Upload(std::string key, std::string id, std::string entry_text) {
    if (!uploads) uploads = std::make_unique<boost::asio::thread_pool>(2);
    boost::asio::post(*uploads, [this, key = std::move(key), id = std::move(id), text = std::move(entry_text)] {
      Status put;
      try {
        put = opt.remote->Put(key, id, text);
      } catch (const std::exception& e) {
        put = Status::Internal(std::string("the write threw: ") + e.what());
      } catch (...) {
        put = Status::Internal("the write threw an unknown exception");
      }
      std::lock_guard<std::mutex> lock(upload_mu);
      if (put.ok()) upload_writes++;
      else upload_failures.push_back({id, put.message()});
    });
  }

  RunSummary Run() {
    boost::asio::thread_pool pool(static_cast<size_t>(std::max(1, opt.jobs)));
    boost::asio::thread_pool observe_pool(static_cast<size_t>(ObservationThreads()));
    work_threads = &pool;
    observe_threads = &observe_pool;
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
        DispatchReady();
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
      // A wall clock stepped back (NTP, a resumed VM) ticks at once rather than after the step.
      if (observer != nullptr && (now < last_tick || now - last_tick >= 200)) {
        observer->OnTick(graph, states);
        last_tick = now;
      }
    }
    pool.join();
    observe_pool.join();
    work_threads = observe_threads = nullptr;
    if (opt.remote != nullptr) {
      // An ephemeral CI runner must have uploaded before it exits: wait for every write.
      if (uploads) uploads->join();
      summary.remote.enabled = true;
      summary.remote.where = opt.remote->Describe();
      std::lock_guard<std::mutex> lock(upload_mu);
      summary.remote.writes = upload_writes;
      summary.remote.write_failures = upload_failures;
      std::sort(summary.remote.write_failures.begin(), summary.remote.write_failures.end(),
                [](const RemoteWarning& a, const RemoteWarning& b) { return a.id < b.id; });
    }
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

const RunStates& Executor::states() const { return impl_->states; }
RunStates Executor::TakeStates() { return std::move(impl_->states); }

}  // namespace mg
