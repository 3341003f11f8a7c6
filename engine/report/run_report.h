// The --json run report and the plan listing.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "exec/executor.h"

namespace mg {

// {"run_id","command","exit_code","summary":{status: count},"tasks":[{"id","type","status","reason",
//  "details","error","key","cache_tier","started_at","finished_at","duration_ms"}]}, tasks sorted by
// id; "cache_tier" ("local" or "remote") for cached tasks whose entry came from a cache tier. With a
// remote cache tier, "remote_cache": RemoteCacheJson(summary.remote).
Json RunReportJson(const TaskGraph& graph, const RunStates& states, const RunSummary& summary,
                   const std::string& run_id, const std::string& command);
// The report's "summary": {status word: count} ("checked" for "ran" in a plan). The journal's
// "end" event holds it too, without the cost of a report of every task.
Json RunSummaryJson(const RunSummary& summary, bool plan);

// {"where","lookups","hits","reused","misses","rejected","errors","writes","write_failures",
//  "warnings":{"rejected":[{"id","reason"}],"errors":[...],"write_failures":[...]}} (docs/cli.md).
Json RemoteCacheJson(const RemoteCacheStats& stats);

// Writes `report` to `path` atomically as indented JSON (PrettyJson: invalid UTF-8 in a message is
// replaced, never an error).
Status WriteRunReport(const std::string& path, const Json& report);

// Human plan: one line per task in dependency order ("would-run  build:hello@1.2.0/linux/amd64  no
// cache entry"), then a summary line. Placeholder tasks are left out. Under a discover task's line,
// one "excluded <version>: <reason>" line per version its plugin left out.
void WritePlan(std::ostream& out, const TaskGraph& graph, const RunStates& states);

// "3 ran, 12 cached, 1 failed, 2 blocked, 4 unneeded" (statuses with a zero count left out). In a
// plan only observations run, so "ran" reads "checked".
std::string SummaryLine(const RunSummary& summary, bool plan = false);

}  // namespace mg
