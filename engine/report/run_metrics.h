// The run's metrics (docs/metrics.md): what a run did, as a MetricSet, with counters that add up
// across runs, and the per-app success record that survives runs where an app had nothing to do.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "exec/executor.h"
#include "graph/task_graph.h"
#include "http/counting_transport.h"
#include "report/metrics_text.h"
#include "util/json.h"

namespace mg {

// When each app last succeeded and last published, in Unix milliseconds (0: never recorded).
struct AppRecord {
  int64_t last_success = 0;  // a run checked the app (its discover has a result) and none of its tasks failed or was blocked
  int64_t last_publish = 0;  // a run merged (pushed and tagged) at least one version of the app
};
using AppRecords = std::map<std::string, AppRecord>;

// <state>/app_success.json: {"version":1,"apps":{"<app>":{"last_success":ms,"last_publish":ms}}}.
// Parsing never throws: a document of another shape or version is empty, members of the wrong
// type are left out.
AppRecords ParseAppRecords(const Json& doc);
Json AppRecordsJson(const AppRecords& records);

// Updates `records` with this run: see AppRecord. An interrupted run updates last_publish only.
void UpdateAppRecords(const TaskGraph& graph, const RunStates& states, const RunSummary& summary,
                      int64_t now_ms, AppRecords* records);

// What went into the metrics besides the graph.
struct RunMetricsInput {
  const TaskGraph* graph = nullptr;
  const RunStates* states = nullptr;
  const RunSummary* summary = nullptr;
  const HttpCounts* http = nullptr;  // may be null: no HTTP metrics
  AppRecords apps;                   // after UpdateAppRecords
  int64_t started_ms = 0;
  int64_t finished_ms = 0;
};

// The families of docs/metrics.md with this run's values; counters (and the summary's _sum and
// _count) hold this run's increments only (see AddTotals).
MetricSet RunMetrics(const RunMetricsInput& input);

// Counters across runs. `previous` is the last run's TotalsJson (or anything else: unreadable
// shapes are ignored, never thrown on); its samples of counter and summary families declared in
// `metrics` are added to them. Returns the new totals document:
// {"version":1,"samples":[{"name","suffix","labels":{},"value"}]} (sorted).
Json AddTotals(const Json& previous, MetricSet* metrics);

}  // namespace mg
