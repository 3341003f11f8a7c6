#include "cli/commands.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "cache/action_cache.h"
#include "cache/journal.h"
#include "cli/execute.h"
#include "cli/run_outputs.h"
#include "cli/session.h"
#include "cli/units.h"
#include "exec/executor.h"
#include "graph/expander.h"
#include "report/discover_view.h"
#include "report/dot.h"
#include "report/run_report.h"
#include "report/status_printer.h"
#include "tasks/build_task.h"
#include "tasks/growth.h"
#include "tasks/provenance_task.h"
#include "tasks/runner.h"
#include "util/atomic_file.h"
#include "util/file_lock.h"
#include "util/keep_until_exit.h"
#include "util/child_records.h"
#include "util/quote_value.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace mg {
namespace {

// Opens the cache read-only when the state directory exists, else an empty one.
std::unique_ptr<ActionCache> ReadOnlyCache(const std::string& state_dir) {
  auto cache = ActionCache::OpenReadOnly(state_dir);
  if (!cache.ok()) {
    std::cerr << "mirrorgraph: warning: " << cache.status().message() << " (treating the cache as empty)\n";
    return ActionCache::OpenReadOnly("/nonexistent-mirrorgraph-state").value();
  }
  return std::move(cache.value());
}

bool WriteReport(const std::string& path, const Json& report) {
  if (path.empty()) return true;
  Status s = WriteRunReport(path, report);
  if (!s.ok()) {
    std::cerr << "mirrorgraph: cannot write the JSON report: " << s.message() << "\n";
    return false;
  }
  return true;
}

// Stops what a killed earlier run left running (saying so in one line) and removes the build work
// directories it left (their registry auth files included; only those when what it left running
// could not be stopped), then records this run's children in
// <state-dir>/children until the returned guard goes (child_records.h). Call with the state lock
// held, before any subprocess starts. False (after printing why) when the directory cannot be made.
bool StopLeftoversAndRecord(const std::string& state_dir) {
  const std::string dir = state_dir + "/children";
  auto stopped = StopLeftoverChildren(dir, SubprocessStopGrace());
  if (!stopped.ok()) {
    std::cerr << "mirrorgraph: warning: " << stopped.status().message()
              << " (processes an earlier, killed run left running are not stopped)\n";
  } else if (std::string line = stopped->Describe(); !line.empty()) {
    std::cerr << "mirrorgraph: " << line << "\n";
  }
  const bool all_stopped = stopped.ok() && stopped->AllStopped();
  if (Status swept = RemoveLeftoverWorkDirs(state_dir, /*leftovers_stopped=*/all_stopped); !swept.ok()) {
    std::cerr << "mirrorgraph: warning: " << swept.message()
              << " (a build directory there may hold the registry's credentials in auth.json: remove it by hand)\n";
  }
  if (Status mk = MakeDirs(dir); !mk.ok()) {
    std::cerr << "mirrorgraph: cannot create the state directory: " << mk.message() << "\n";
    return false;
  }
  SetSubprocessRecordDir(dir);
  return true;
}

// Prints the remote tier's warnings (docs/cache.md): rejected entries, lookups that failed and
// failed writes, at most kShown of each kind (the --json report has them all).
void PrintRemoteWarnings(const RemoteCacheStats& r) {
  constexpr size_t kShown = 5;
  auto print = [](const std::vector<RemoteWarning>& items, const char* what) {
    for (size_t k = 0; k < items.size() && k < kShown; ++k) {
      std::cerr << "mirrorgraph: warning: remote cache: " << what << " " << items[k].id << ": " << items[k].message << "\n";
    }
    if (items.size() > kShown) {
      std::cerr << "mirrorgraph: warning: remote cache: " << items.size() - kShown << " more " << what
                << " warning(s) in the --json report (\"remote_cache\")\n";
    }
  };
  print(r.rejected, "rejected the entry of");
  print(r.errors, "could not look up");
  print(r.write_failures, "could not write the entry of");
}

// Stops the recording StopLeftoversAndRecord started, once every subprocess has ended.
struct RecordingOff {
  ~RecordingOff() { SetSubprocessRecordDir(""); }
};

}  // namespace

std::optional<int> Execute(Session& session, bool dry_run, const std::atomic<int>* interrupt, Outcome* out,
                           bool quiet) {
  const CliOptions& o = session.options();
  if (!session.ConnectRegistry()) return kExitUsage;
  std::optional<FileLock> lock;
  RecordingOff recording_off;  // destroyed before the lock is released
  std::unique_ptr<ActionCache> cache;
  std::optional<RunJournal> journal;
  out->run_id = RunJournal::NewRunId(SystemClock::Default()->NowMillis());
  if (dry_run) {
    cache = ReadOnlyCache(session.state_dir());
  } else {
    Status mk = MakeDirs(session.state_dir() + "/logs");
    if (!mk.ok()) {
      std::cerr << "mirrorgraph: cannot create the state directory: " << mk.message() << "\n";
      return kExitStateBusy;
    }
    auto l = FileLock::Acquire(session.state_dir() + "/lock", "mirrorgraph " + o.command + " run " + out->run_id);
    if (!l.ok()) {
      std::cerr << "mirrorgraph: " << l.status().message() << "\n";
      return kExitStateBusy;
    }
    lock.emplace(std::move(l.value()));
    if (!StopLeftoversAndRecord(session.state_dir())) return kExitStateBusy;
    auto c = ActionCache::Open(session.state_dir());
    if (!c.ok()) {
      std::cerr << "mirrorgraph: cannot open the cache: " << c.status().message() << "\n";
      return kExitStateBusy;
    }
    cache = std::move(c.value());
    if (cache->dropped_records() > 0 || cache->set_aside()) {
      std::cerr << "mirrorgraph: warning: the cache in " << session.state_dir() << " was damaged; "
                << cache->dropped_records() << " entr" << (cache->dropped_records() == 1 ? "y" : "ies")
                << (cache->set_aside() ? " (the unreadable file was kept as cache.log.unreadable)" : "")
                << " will be recomputed\n";
    }
    auto j = RunJournal::Create(session.state_dir(), out->run_id);
    if (!j.ok()) {
      std::cerr << "mirrorgraph: cannot write the run journal: " << j.status().message() << "\n";
      return kExitStateBusy;
    }
    journal.emplace(std::move(j.value()));
    (void)journal->Append({{"event", "start"}, {"run_id", out->run_id}, {"command", o.command},
                           {"config", session.config().path}, {"only", o.only},
                           {"unit", o.unit}, {"shard", o.shard},
                           {"started_at", SystemClock::Default()->NowMillis()}});
  }
  out->graph = session.InitialGraph();
  AttestSettings attest = session.attest_settings();
  attest.run_id = out->run_id;
  BuildSettings build = session.build_settings();
  build.run_id = out->run_id;
  RealRunner runner(session.apps(), session.http(), session.registry(), std::move(build), attest);
  DiscoverGrowth growth(session.apps(), session.target());
  bool smart = IsSmartTerminal(stderr);
  StatusPrinter printer(stderr, smart, o.verbose > 0, nullptr);
  ExecOptions eo;
  eo.jobs = session.jobs();
  eo.pools = session.config().engine.pools;
  eo.fail_fast = o.fail_fast;
  eo.offline = o.offline;
  eo.dry_run = dry_run;
  eo.select.only = o.only;
  eo.select.unit = o.unit;
  eo.select.shard = o.shard_index;
  eo.select.shards = o.shard_count;
  eo.interrupt = interrupt;
  eo.cancel_token = session.http_cancel();
  eo.remote = session.remote_cache();
  if (!dry_run) eo.log_dir = session.state_dir() + "/logs";
  Executor exec(out->graph, *cache, journal ? &*journal : nullptr, runner, &growth, quiet ? nullptr : &printer, eo);
  out->summary = exec.Run();
  printer.Finish();
  out->states = exec.TakeStates();
  if (journal) {
    (void)journal->Append({{"event", "end"},
                           {"finished_at", SystemClock::Default()->NowMillis()},
                           {"exit_code", out->summary.ExitCode()},
                           {"summary", RunSummaryJson(out->summary, o.command == "plan")}});
    (void)journal->Sync();
  }
  return std::nullopt;
}

namespace {

// After a --unit run: false (after saying why) when the unit's version was not discovered, so no
// build leg of it exists — a matrix older than the upstream's tags, or a mistyped version.
bool UnitInGraph(const std::string& unit, const Outcome& out) {
  UnitId u;
  if (!ParseUnit(unit, &u)) return false;
  std::vector<std::string> versions;
  for (TaskGraph::Index i = 0; i < out.graph.size(); ++i) {
    const Task& t = out.graph.task(i);
    if (t.type != TaskType::kBuild || t.placeholder || t.coords.app != u.app) continue;
    if (t.coords.version == u.version && t.coords.platform == u.platform) return true;
    if (versions.empty() || versions.back() != t.coords.version) versions.push_back(t.coords.version);
  }
  std::sort(versions.begin(), versions.end());
  versions.erase(std::unique(versions.begin(), versions.end()), versions.end());
  std::cerr << "mirrorgraph: --unit " << QuoteValue(unit) << ": version " << QuoteValue(u.version) << " of " << u.app
            << " is not among the versions discovered now ("
            << (versions.empty() ? std::string("none; see `mirrorgraph explain discover:") + u.app + "`"
                                 : Join(versions, ", "))
            << "); make the matrix again with `mirrorgraph plan --matrix FILE`\n";
  return false;
}

// Writes the --matrix JSON (compact, one line: GitHub's job outputs take one line) to `path`, or
// to stdout for "-". False after printing why.
bool WriteMatrix(const std::string& path, const Json& matrix) {
  std::string text = CanonicalJson(matrix) + "\n";
  if (path == "-") {
    std::cout << text;
    return true;
  }
  Status s = WriteFileAtomic(path, text);
  if (!s.ok()) {
    std::cerr << "mirrorgraph: cannot write the matrix: " << s.message() << "\n";
    return false;
  }
  return true;
}

}  // namespace

int RunCommand(const CliOptions& o, const std::atomic<int>* interrupt) {
  int code = 0;
  auto session = Session::Open(o, &code);
  if (!session) return code;
  bool dry_run = o.command == "plan";
  if (!o.unit.empty()) {
    if (Status unit = CheckUnitId(o.unit, session->apps()); !unit.ok()) {
      std::cerr << "mirrorgraph: --unit: " << unit.message() << "\n";
      return kExitUsage;
    }
  }
  Outcome out;
  // The graph and run state go with the process's exit, not string by string when this returns to
  // main (util/keep_until_exit.h): both hold memory only.
  KeepUntilExitAtScopeEnd keep(out.graph, out.states);
  const int64_t started_ms = SystemClock::Default()->NowMillis();
  if (auto early = Execute(*session, dry_run, interrupt, &out, dry_run && o.verbose == 0)) return *early;
  if (!dry_run) PublishRunOutputs(*session, out, started_ms);  // --metrics, --notify: warnings only
  if (!o.unit.empty() && !UnitInGraph(o.unit, out)) return kExitUsage;
  // With the matrix on stdout, the plan text goes to stderr.
  if (dry_run) WritePlan(o.matrix_file == "-" ? std::cerr : std::cout, out.graph, out.states);
  if (!o.matrix_file.empty() && !WriteMatrix(o.matrix_file, MatrixJson(out.graph, out.states, session->config()))) {
    return kExitStateBusy;
  }
  // Built only when asked for: a report of 100,000 tasks is a JSON object per task.
  if (!o.json_file.empty() &&
      !WriteReport(o.json_file, RunReportJson(out.graph, out.states, out.summary, out.run_id, o.command))) {
    return kExitStateBusy;
  }
  if (out.summary.remote.enabled) PrintRemoteWarnings(out.summary.remote);
  std::cerr << (dry_run ? "plan: " : "run: ") << SummaryLine(out.summary, dry_run);
  if (!out.summary.first_failure.empty()) {
    // A plan writes no task logs; a run keeps each task's output under the state directory.
    std::cerr << " (first failure: " << out.summary.first_failure << "; `mirrorgraph explain "
              << out.summary.first_failure << "`"
              << (dry_run ? std::string() : " or " + session->state_dir() + "/logs/") << ")";
  }
  std::cerr << "\n";
  if (!out.summary.state_error.empty()) {
    std::cerr << "mirrorgraph: the run stopped: cannot write the state directory " << session->state_dir() << ": "
              << out.summary.state_error << "\n";
  }
  return out.summary.ExitCode();
}

int GraphCommand(const CliOptions& o) {
  int code = 0;
  auto session = Session::Open(o, &code);
  if (!session) return code;
  auto cache = ReadOnlyCache(session->state_dir());
  TaskGraph graph = session->InitialGraph();
  // Statuses of the last run, by task id, to colour the nodes.
  std::map<std::string, std::string> last;
  if (auto run = RunJournal::LastRunId(session->state_dir())) {
    if (auto events = RunJournal::Read(session->state_dir(), *run); events.ok()) {
      for (const Json& e : events.value()) {
        if (e.value("event", "") == "task") last[e.value("id", "")] = e.value("status", "");
      }
    }
  }
  for (const ResolvedApp& app : session->apps()) {
    const ActionCache::Record* rec = cache->LatestFor(FormatTaskId(TaskType::kDiscover, {app.model.app, "", "", ""}));
    std::vector<VersionInfo> versions;
    if (rec != nullptr) versions = VersionsFromDiscoverResult(rec->entry().value("result", Json()));
    if (versions.empty()) ExpandPlaceholder(graph, app.model, session->target());
    else ExpandVersions(graph, app.model, session->target(), versions);
  }
  RunStates states(graph.size());
  bool any = false;
  for (TaskGraph::Index i = 0; i < graph.size(); ++i) {
    auto it = last.find(graph.task(i).id);
    if (it == last.end()) continue;
    static const std::map<std::string, TaskStatus> kByName = {
        {"ran", TaskStatus::kRan},         {"cached", TaskStatus::kCached},     {"failed", TaskStatus::kFailed},
        {"blocked", TaskStatus::kBlocked}, {"unneeded", TaskStatus::kUnneeded}, {"would-run", TaskStatus::kWouldRun}};
    if (auto s = kByName.find(it->second); s != kByName.end()) {
      states[i].status = s->second;
      any = true;
    }
  }
  if (o.graph_json) std::cout << PrettyJson(GraphJson(graph, any ? &states : nullptr)) << "\n";
  else WriteDot(std::cout, graph, any ? &states : nullptr);
  return kExitOk;
}

int ExplainCommand(const CliOptions& o, const std::atomic<int>* interrupt) {
  CliOptions opts = o;
  opts.command = "plan";
  // Restrict the plan to the task's app (and version when the id has one).
  std::string id = o.task;
  size_t colon = id.find(':');
  if (colon == std::string::npos || !ParseTaskType(id.substr(0, colon))) {
    std::cerr << "mirrorgraph: '" << id << "' is not a task id; ids look like type:app[@version][/os/arch], e.g. "
                                           "build:hello@1.2.0/linux/amd64 (see `mirrorgraph graph --json`)\n";
    return kExitUsage;
  }
  std::string rest = id.substr(colon + 1);
  std::string app = rest.substr(0, rest.find_first_of("/@"));
  opts.only = app;
  int code = 0;
  auto session = Session::Open(opts, &code);
  if (!session) return code;
  Outcome out;
  if (auto early = Execute(*session, /*dry_run=*/true, interrupt, &out, true)) return *early;
  auto idx = out.graph.Find(id);
  if (!idx) {
    // A version the app's discover left out (outside the window, a prerelease, a failed gate):
    // say why, from what discover found this time.
    if (size_t at = rest.find('@'); at != std::string::npos) {
      const std::string version = rest.substr(at + 1, rest.find('/', at) - at - 1);
      const std::string discover_id = "discover:" + app;
      if (auto d = out.graph.Find(discover_id); d && HasResult(out.states[*d].status)) {
        if (std::optional<std::string> why = WhyNotSelected(out.states[*d].result, version)) {
          std::cout << id << "\n  not in the graph: " << discover_id << " left version " << version
                    << " out: " << *why << "\n  selected: " << Join(SelectedVersions(out.states[*d].result), ", ")
                    << "\n";
          return kExitOk;
        }
      }
    }
    std::vector<std::string> ids;
    for (TaskGraph::Index i = 0; i < out.graph.size(); ++i) ids.push_back(out.graph.task(i).id);
    auto hint = DidYouMean(id, ids);
    std::cerr << "mirrorgraph: no task '" << id << "' in the graph"
              << (hint ? "; did you mean '" + *hint + "'?" : " (see `mirrorgraph graph --json` for the ids)") << "\n";
    return kExitUsage;
  }
  const Task& t = out.graph.task(*idx);
  const TaskRunState& s = out.states[*idx];
  std::cout << t.id << "\n";
  std::cout << "  status:  " << TaskStatusName(s.status) << (s.status == TaskStatus::kWouldRun ? " (would run)" : "")
            << "\n  reason:  " << s.reason << "\n";
  for (const std::string& d : s.details) std::cout << "           " << d << "\n";
  if (!s.key.empty()) std::cout << "  key:     " << s.key << "\n";
  std::vector<std::string> deps;
  for (TaskGraph::Index d : out.graph.Deps(*idx)) {
    deps.push_back(out.graph.task(d).id + " (" + TaskStatusName(out.states[d].status) + ")");
  }
  std::sort(deps.begin(), deps.end());
  if (!deps.empty()) std::cout << "  after:   " << Join(deps, "\n           ") << "\n";
  std::cout << "  params:  " << t.params_text << "\n";
  if (t.type == TaskType::kDiscover && HasResult(s.status) && s.result.is_object()) {
    std::cout << "  selected: " << Join(SelectedVersions(s.result), ", ") << "\n";
    if (std::string note = StringField(s.result, "note"); !note.empty()) std::cout << "  note:     " << note << "\n";
    const std::vector<VersionVerdict> excluded = ExcludedVersions(s.result);
    if (!excluded.empty()) std::cout << "  excluded:\n";
    for (const VersionVerdict& e : excluded) std::cout << "           " << e.version << ": " << e.reason << "\n";
  }
  auto cache = ReadOnlyCache(session->state_dir());
  if (const auto* prev = cache->LatestFor(t.id)) {
    std::cout << "  last result: key " << prev->key.substr(0, 12) << ", finished "
              << FormatRfc3339(prev->entry().value("finished_at", int64_t{0})) << "\n";
  } else {
    std::cout << "  last result: none recorded in " << session->state_dir() << "\n";
  }
  if (const auto* prev = cache->LatestFor(t.id); prev != nullptr && t.type == TaskType::kProvenance) {
    TaskCoords merge_coords = t.coords;
    merge_coords.platform.clear();
    const auto* merge = cache->LatestFor(FormatTaskId(TaskType::kMerge, merge_coords));
    const Json merge_result = merge != nullptr ? merge->result() : Json();
    const std::vector<std::string> lines = ExplainProvenanceResult(prev->result(), merge != nullptr ? &merge_result : nullptr);
    for (size_t i = 0; i < lines.size(); ++i) std::cout << (i == 0 ? "  " : "           ") << lines[i] << "\n";
  }
  if (auto run = RunJournal::LastRunId(session->state_dir())) {
    if (auto events = RunJournal::Read(session->state_dir(), *run); events.ok()) {
      for (const Json& e : events.value()) {
        if (e.value("event", "") == "task" && e.value("id", "") == t.id) {
          const std::string reason = e.value("reason", "");  // a v2 batched task keeps none
          std::cout << "  last run (" << *run << "): " << e.value("status", "?") << (reason.empty() ? "" : ", ")
                    << reason << "\n";
        }
      }
    }
  }
  return kExitOk;
}

int StatusCommand(const CliOptions& o) {
  int code = 0;
  auto session = Session::Open(o, &code);
  if (!session) return code;
  auto run = RunJournal::LastRunId(session->state_dir());
  if (!run) {
    std::cout << "no run recorded in " << session->state_dir() << " yet (`mirrorgraph run` starts one)\n";
    return kExitOk;
  }
  auto events = RunJournal::Read(session->state_dir(), *run);
  if (!events.ok()) {
    std::cerr << "mirrorgraph: " << events.status().message() << "\n";
    return kExitStateBusy;
  }
  RunJournalSummary summary = SummarizeRun(events.value());
  const Json& start = summary.start;
  const Json& end = summary.end;
  std::cout << "last run: " << *run << " (" << start.value("command", "run") << ")\n";
  if (start.contains("started_at")) {
    std::cout << "  started:  " << FormatRfc3339(start.value("started_at", int64_t{0})) << "\n";
  } else {
    std::cout << "  started:  unknown (the run was killed before it recorded its start)\n";
  }
  if (summary.ended) {
    std::cout << "  finished: " << FormatRfc3339(end.value("finished_at", int64_t{0})) << ", exit code "
              << end.value("exit_code", -1) << "\n";
  } else {
    std::cout << "  finished: no — the run was killed or is still going; `mirrorgraph run` resumes it\n";
  }
  std::string line;
  // Started, never finished: still running while the run holds the state lock, else in flight
  // when it was killed (the next `run` redoes them).
  const bool running = !summary.ended && FileLock::IsHeld(session->state_dir() + "/lock");
  if (running && summary.counts.count("interrupted")) {
    summary.counts["running"] = summary.counts["interrupted"];
    summary.counts.erase("interrupted");
  }
  for (auto& [status, n] : summary.counts) line += (line.empty() ? "" : ", ") + std::to_string(n) + " " + status;
  std::cout << "  tasks:    " << (line.empty() ? "none finished" : line) << "\n";
  for (const std::string& f : summary.failures) std::cout << "  FAILED " << f << "\n";
  for (const std::string& id : summary.interrupted) std::cout << (running ? "  RUNNING " : "  INTERRUPTED ") << id << "\n";
  return kExitOk;
}

int PluginsCommand(const CliOptions& o) {
  std::vector<std::string> extra;
  // The config is optional here: use its plugin_path when it loads.
  if (std::filesystem::exists(o.config)) {
    Diagnostics diags;
    if (auto config = LoadConfig(o.config, &diags)) extra = config->engine.plugin_path;
  }
  PluginRegistry registry(extra);
  if (!o.plugin_file.empty()) {
    auto p = registry.Load(o.plugin_file);
    if (!p.ok()) {
      std::cerr << "mirrorgraph: " << p.status().message() << "\n";
      return kExitTaskFailed;
    }
    std::cout << p.value()->name() << " " << p.value()->version() << " " << p.value()->file() << "\n";
    return kExitOk;
  }
  int bad = 0;
  for (const PluginInfo& info : registry.ListAvailable()) {
    if (info.error.empty()) std::cout << info.name << " " << info.version << " " << info.file << "\n";
    else {
      std::cout << info.name << " (broken) " << info.file << ": " << info.error << "\n";
      ++bad;
    }
  }
  std::cout << "searched: " << Join(registry.search_dirs(), ":") << "\n";
  return bad > 0 ? kExitTaskFailed : kExitOk;
}

}  // namespace mg
