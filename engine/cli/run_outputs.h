// What `run` hands out after the tasks: --metrics FILE and --notify URL (docs/metrics.md).
#pragma once

#include <cstdint>
#include <string>

#include "cli/execute.h"
#include "cli/session.h"

namespace mg {

// Writes the metrics file (with --metrics: updating <state>/app_success.json and
// <state>/metrics_totals.json under the state lock) and posts the notification (with --notify, when
// the run was notable). Never changes the run's outcome: every problem is a warning on stderr,
// naming the file or the URL without credentials. `started_ms`: when the run started.
void PublishRunOutputs(Session& session, const Outcome& out, int64_t started_ms);

// `url` safe for messages: userinfo removed and the query replaced by "?<redacted>".
std::string NotifyUrlForMessages(const std::string& url);

}  // namespace mg
