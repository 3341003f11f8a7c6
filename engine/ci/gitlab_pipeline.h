// `mirrorgraph ci gitlab`: the GitLab CI pipeline (docs/ci.md, "GitLab CI").
#pragma once

#include <string>
#include <vector>

#include "ci/pipeline_context.h"

namespace mg {

// The default output, relative to the repository root: a file the project's .gitlab-ci.yml
// includes (`include: - local: .gitlab/mirrorgraph.gitlab-ci.yml`).
inline constexpr const char* kGitLabPipelinePath = ".gitlab/mirrorgraph.gitlab-ci.yml";
// The child pipeline the plan job writes (an artifact of that job).
inline constexpr const char* kGitLabChildPath = "mirrorgraph-child.yml";
// GitLab runs at most this many jobs from one `parallel: matrix`; more units are split over
// several jobs.
inline constexpr size_t kGitLabMatrixLimit = 200;

// The parent pipeline: mirrorgraph-plan (writes matrix.json and the child pipeline as artifacts)
// -> mirrorgraph-build (triggers the child, `strategy: depend`) -> mirrorgraph-publish (a plain
// `run`). Jobs run on schedules and manual web runs only. A pure function of `ctx`.
std::string GitLabPipeline(const PipelineContext& ctx);

// The child pipeline for `units` (ParseMatrix()): one `parallel: matrix` entry per unit (MG_UNIT,
// MG_RUNNER, MG_PLATFORM_SLUG), tagged with its runner; with no unit, one job that says so. A pure
// function of its arguments.
std::string GitLabChildPipeline(const PipelineContext& ctx, const std::vector<MatrixUnit>& units);

}  // namespace mg
