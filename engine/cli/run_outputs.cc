#include "cli/run_outputs.h"

#include <iostream>

#include "http/url.h"
#include "report/notify_summary.h"
#include "report/run_metrics.h"
#include "util/atomic_file.h"
#include "util/clock.h"
#include "util/file_lock.h"

namespace mg {
namespace {

constexpr std::chrono::milliseconds kNotifyTimeout{10000};

// The JSON document at `path`: a discarded Json when it does not exist; when unreadable or not
// JSON, a warning and a discarded Json.
Json ReadStateJson(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) {
    if (text.status().code() != Status::Code::kNotFound) {
      std::cerr << "mirrorgraph: warning: metrics: " << text.status().message() << " (starting afresh)\n";
    }
    return Json(Json::value_t::discarded);
  }
  Json doc = ParseJson(*text);
  if (doc.is_discarded()) std::cerr << "mirrorgraph: warning: metrics: " << path << " is not JSON (starting afresh)\n";
  return doc;
}

void WriteMetrics(Session& session, const Outcome& out, int64_t started_ms, int64_t finished_ms) {
  const std::string& path = session.options().metrics_file;
  const std::string state = session.state_dir();
  // The counters and app records are the state directory's: update them under its lock, as a run does.
  auto lock = FileLock::Acquire(state + "/lock", "mirrorgraph run " + out.run_id + " (metrics)");
  if (!lock.ok()) {
    std::cerr << "mirrorgraph: warning: metrics not written to " << path << ": " << lock.status().message() << "\n";
    return;
  }
  RunMetricsInput in;
  in.graph = &out.graph;
  in.states = &out.states;
  in.summary = &out.summary;
  HttpCounts counts;
  if (const CountingTransport* c = session.http_counts()) {
    counts = c->counts();
    in.http = &counts;
  }
  in.started_ms = started_ms;
  in.finished_ms = finished_ms;
  const std::string apps_path = state + "/app_success.json";
  in.apps = ParseAppRecords(ReadStateJson(apps_path));
  UpdateAppRecords(out.graph, out.states, out.summary, finished_ms, &in.apps);
  if (Status s = WriteFileAtomic(apps_path, PrettyJson(AppRecordsJson(in.apps)) + "\n"); !s.ok()) {
    std::cerr << "mirrorgraph: warning: metrics: " << s.message() << "\n";
  }
  MetricSet metrics = RunMetrics(in);
  const std::string totals_path = state + "/metrics_totals.json";
  Json totals = AddTotals(ReadStateJson(totals_path), &metrics);
  if (Status s = WriteFileAtomic(totals_path, PrettyJson(totals) + "\n"); !s.ok()) {
    std::cerr << "mirrorgraph: warning: metrics: " << s.message() << " (the counters restart next run)\n";
  }
  // node_exporter's textfile collector convention: a temporary file in the same directory,
  // renamed over the file, so the collector never reads half of it.
  if (Status s = WriteFileAtomic(path, metrics.Text()); !s.ok()) {
    std::cerr << "mirrorgraph: warning: metrics not written: " << s.message() << "\n";
  }
}

void PostNotification(Session& session, const Outcome& out, int64_t started_ms, int64_t finished_ms) {
  const std::string& url = session.options().notify_url;
  const std::string shown = NotifyUrlForMessages(url);
  Json body = NotifySummaryJson(out.graph, out.states, out.summary, out.run_id, session.options().command,
                                started_ms, finished_ms);
  // Its own transport and client: the run's may be cancelled (Ctrl-C, --fail-fast), and the
  // notification is still due.
  CurlTransport transport;
  HttpClientOptions options;
  options.max_attempts = 2;
  options.max_retry_after = std::chrono::seconds(5);
  HttpClient client(transport, options);
  HttpRequest req;
  req.method = "POST";
  req.url = url;
  req.headers = {{"Content-Type", "application/json"}};
  req.body = PrettyJson(body);
  req.timeout = kNotifyTimeout;
  req.max_body_bytes = size_t{1} << 20;
  req.redact_query = true;
  Result<HttpResponse> r = client.Send(req);
  if (!r.ok()) {
    // Transport messages name the request as DescribeRequest does: no userinfo, no query.
    std::cerr << "mirrorgraph: warning: --notify " << shown << ": could not post the summary: " << r.status().message()
              << "\n";
    return;
  }
  if (r->status < 200 || r->status >= 300) {
    std::cerr << "mirrorgraph: warning: --notify " << shown << ": the server answered HTTP " << r->status << "\n";
  }
}

}  // namespace

std::string NotifyUrlForMessages(const std::string& url) {
  std::string shown = RedactUrl(url);
  if (size_t q = shown.find_first_of("?#"); q != std::string::npos) shown = shown.substr(0, q) + "?<redacted>";
  return shown;
}

void PublishRunOutputs(Session& session, const Outcome& out, int64_t started_ms) {
  const int64_t finished_ms = SystemClock::Default()->NowMillis();
  if (!session.options().metrics_file.empty()) WriteMetrics(session, out, started_ms, finished_ms);
  if (!session.options().notify_url.empty() && RunIsNotable(out.graph, out.states)) {
    PostNotification(session, out, started_ms, finished_ms);
  }
}

}  // namespace mg
