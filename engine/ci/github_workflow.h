// `mirrorgraph ci github`: the GitHub Actions workflow (docs/ci.md, "GitHub Actions").
#pragma once

#include <string>

#include "ci/pipeline_context.h"

namespace mg {

// The default output, relative to the repository root.
inline constexpr const char* kGitHubWorkflowPath = ".github/workflows/mirrorgraph.yml";

// The whole workflow: plan (`plan --matrix`, the matrix and unit count as outputs) -> build (one
// leg per unit on its runner, the unit passed through env, never interpolated into a script) ->
// publish (a plain `run` once plan succeeded, even when legs failed). Least privilege
// (`permissions: {}` at the top; `packages` only for ghcr.io), one concurrency group without
// cancelling, the state directory as an actions/cache tier. A pure function of `ctx`: the same
// input gives the same bytes.
std::string GitHubWorkflow(const PipelineContext& ctx);

}  // namespace mg
