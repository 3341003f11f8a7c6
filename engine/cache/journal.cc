#include "cache/journal.h"

#include <unistd.h>

#include <ctime>

#include "util/atomic_file.h"
#include "util/strings.h"

namespace mg {
namespace {
constexpr std::string_view kJournalMagic = "mirrorgraph-journal";
constexpr int kVersion = RunJournal::kFormatVersion;
constexpr int kOldestJournalVersion = 1;  // v1: every task a line of its own
std::string RunPath(const std::string& state_dir, const std::string& run_id) {
  return state_dir + "/runs/" + run_id + ".log";
}
}  // namespace

Result<RunJournal> RunJournal::Create(const std::string& state_dir, const std::string& run_id) {
  MG_RETURN_IF_ERROR(MakeDirs(state_dir + "/runs"));
  auto log = RecordLog::OpenForAppend(RunPath(state_dir, run_id), kJournalMagic, kVersion, /*truncate=*/true);
  if (!log.ok()) return log.status();
  MG_RETURN_IF_ERROR(WriteFileAtomic(state_dir + "/runs/last", run_id + "\n"));
  return RunJournal(std::move(log.value()), run_id);
}

Status RunJournal::Append(const Json& event, bool durable_now) {
  if (durable_now) MG_RETURN_IF_ERROR(WriteBatches());
  return durable_now ? log_.Append(CanonicalJson(event)) : log_.AppendBuffered(CanonicalJson(event));
}

Status RunJournal::AddToBatch(Batch& batch, std::string_view id) {
  if (batch.count == 0) {
    batch.text = "{\"event\":\"tasks\",\"ids\":[";
  } else {
    batch.text += ',';
  }
  AppendJsonString(&batch.text, id);
  return ++batch.count >= kBatchSize ? WriteBatch(batch) : Status::OK();
}

Status RunJournal::WriteBatch(Batch& batch) {
  if (batch.count == 0) return Status::OK();
  batch.text.append("],\"status\":\"").append(batch.status).append("\"}");
  Status written = log_.AppendBuffered(batch.text);
  batch.text.clear();
  batch.count = 0;
  return written;
}

Status RunJournal::WriteBatches() {
  MG_RETURN_IF_ERROR(WriteBatch(cached_));
  return WriteBatch(unneeded_);
}

Status RunJournal::Sync() {
  MG_RETURN_IF_ERROR(WriteBatches());
  return log_.Sync();
}

Status RunJournal::AppendTask(const TaskEvent& ev, bool durable_now) {
  const bool plain = !durable_now && ev.started_at == 0 && ev.error.empty() &&
                     (ev.details == nullptr || ev.details->empty());
  if (plain && ev.status == cached_.status) return AddToBatch(cached_, ev.id);
  if (plain && ev.status == unneeded_.status) return AddToBatch(unneeded_, ev.id);
  // A record written through takes the pending batches with it, as it takes buffered records.
  if (durable_now) MG_RETURN_IF_ERROR(WriteBatches());
  // Members in canonical (sorted) order.
  line_.clear();
  CanonicalJsonWriter w(&line_);
  w.BeginObject();
  if (ev.details != nullptr && !ev.details->empty()) {
    w.Key("details").BeginArray();
    for (const std::string& d : *ev.details) w.String(d);
    w.EndArray();
  }
  bool ran = ev.started_at != 0;
  if (ran) w.Key("duration_ms").Int(ev.finished_at - ev.started_at);
  if (!ev.error.empty()) w.Key("error").String(ev.error);
  w.Key("event").String("task");
  if (ran) w.Key("finished_at").Int(ev.finished_at);
  w.Key("id").String(ev.id);
  if (!ev.key.empty()) w.Key("key").String(ev.key);
  w.Key("reason").String(ev.reason);
  if (ran) w.Key("started_at").Int(ev.started_at);
  w.Key("status").String(ev.status).Key("type").String(ev.type);
  w.EndObject();
  return durable_now ? log_.Append(line_) : log_.AppendBuffered(line_);
}

Status RunJournal::AppendTaskStarted(std::string_view id, std::string_view type, int64_t started_at) {
  // Canonical (sorted) member order, like AppendTask.
  std::string& out = line_;
  out = "{\"event\":\"started\",\"id\":";
  AppendJsonString(&out, id);
  out += ",\"started_at\":" + std::to_string(started_at) + ",\"type\":";
  AppendJsonString(&out, type);
  out += '}';
  MG_RETURN_IF_ERROR(WriteBatches());
  return log_.Append(out);
}

RunJournalSummary SummarizeRun(const std::vector<Json>& events) {
  RunJournalSummary s;
  std::vector<std::string> started;
  std::map<std::string, bool> finished;
  for (const Json& e : events) {
    std::string ev = e.value("event", "");
    if (ev == "start") s.start = e;
    if (ev == "end") {
      s.ended = true;
      s.end = e;
    }
    if (ev == "started") started.push_back(e.value("id", ""));
    if (ev == "task") {
      std::string status = e.value("status", "?");
      s.counts[status]++;
      finished[e.value("id", "")] = true;
      if (status == "failed") s.failures.push_back(e.value("id", "") + ": " + e.value("error", ""));
    }
  }
  for (const std::string& id : started) {
    if (!finished.count(id)) {
      s.interrupted.push_back(id);
      finished[id] = true;  // listed once even if started twice
    }
  }
  if (!s.interrupted.empty()) s.counts["interrupted"] = static_cast<int>(s.interrupted.size());
  return s;
}

Result<std::vector<Json>> RunJournal::Read(const std::string& state_dir, const std::string& run_id) {
  auto contents = RecordLog::Read(RunPath(state_dir, run_id), kJournalMagic, kVersion, kOldestJournalVersion);
  if (!contents.ok()) return contents.status();
  if (!contents->header_ok) return Status::NotFound("no journal for run " + run_id + " in " + state_dir);
  std::vector<Json> events;
  for (std::string_view r : contents->records) {
    Json j = ParseJson(r);
    if (!j.is_object()) continue;
    const Json* ids = FindField(j, "ids");
    if (StringField(j, "event") != "tasks" || ids == nullptr || !ids->is_array()) {
      events.push_back(std::move(j));
      continue;
    }
    // A v2 batch: one "task" event per id, as v1 wrote them (without reason and key).
    const std::string status = StringField(j, "status");
    for (const Json& id : *ids) {
      if (!id.is_string()) continue;
      const std::string& text = id.get_ref<const std::string&>();
      events.push_back(Json{{"event", "task"}, {"id", text}, {"status", status}, {"type", text.substr(0, text.find(':'))}});
    }
  }
  return events;
}

std::optional<std::string> RunJournal::LastRunId(const std::string& state_dir) {
  auto last = ReadFile(state_dir + "/runs/last");
  if (!last.ok()) return std::nullopt;
  std::string id(Trim(last.value()));
  if (id.empty() || id.find('/') != std::string::npos) return std::nullopt;
  return id;
}

std::string RunJournal::NewRunId(int64_t now_millis) {
  std::time_t secs = static_cast<std::time_t>(now_millis / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf) + "-" + std::to_string(::getpid());
}

}  // namespace mg
