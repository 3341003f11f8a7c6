// Units of work for a CI matrix (docs/ci.md): `plan --matrix FILE` lists them, `run --unit ID`
// runs one. A unit is app × version × platform: the build legs of that platform for every image
// of the app (exec/selection.h).
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "exec/run_state.h"
#include "graph/task_graph.h"
#include "tasks/app_resolver.h"
#include "util/status.h"

namespace mg {

// Checks that `unit` can name a unit of `apps` before anything runs: the form
// "APP@VERSION/OS/ARCH[/VARIANT]", an enabled app, one of its platforms. InvalidArgument with what
// is wrong and an example otherwise.
Status CheckUnitId(const std::string& unit, const std::vector<ResolvedApp>& apps);

// The units a plan found to do (a build leg with status would-run), sorted by id, as GitHub's
// `fromJSON` matrix takes them: {"include":[{"unit","app","version","platform","runner"}]}; the
// runner is [runners][platform], else ci.runner. GitLab's generated child pipeline reads the same.
Json MatrixJson(const TaskGraph& graph, const RunStates& states, const Config& config);

}  // namespace mg
