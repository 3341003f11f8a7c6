// Task keys: SHA-256 over the canonical key material of a task.
//
// Material = {"v":1,"type","params","identity","inputs":{dep id: dep result hash}}. Inputs are the
// results of the task's non-observation dependencies: observations (discover, probe) decide which
// tasks exist and whether they are needed, and reach keys only through the parameters they produce
// (version, tag, commit), so a probe that says "missing" twice does not invalidate a finished leg.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "graph/task.h"
#include "util/json.h"

namespace mg {

// Views: the strings must outlive the call they are passed to (the executor points them at the
// graph's task ids and the run state's result hashes).
struct KeyInput {
  std::string_view id;
  std::string_view result_hash;
};

Json KeyMaterial(const Task& task, const std::vector<KeyInput>& inputs);
std::string TaskKey(const Json& material);
// TaskKey(KeyMaterial(task, inputs)) without building the material: the same canonical text is
// written directly from the task's parameter and identity text (the executor computes one key per
// task per run, 100,000 on a large no-op).
std::string TaskKeyOf(const Task& task, const std::vector<KeyInput>& inputs);

// Human reasons why `material` differs from a previous cache entry of the same task id
// ("parameter max_versions changed: 5 -> 10", "plugin outline 1.2.0 -> 1.3.0",
// "input build:a@1/linux/amd64 changed"). Empty when nothing differs.
std::vector<std::string> DescribeKeyChanges(const Json& material, const Json& previous_entry);

}  // namespace mg
