// The merge task: one image × version. Once every wanted platform built, writes one multi-arch
// index over the pushed platform manifests (each re-read and digest-checked in the registry), PUTs
// it by digest, tags it with the version, and — for the app's latest version — moves `latest`.
// Nothing incomplete is ever tagged: a missing platform fails the task before any write.
#pragma once

#include <cstddef>

#include "exec/task_runner.h"
#include "oci/registry_client.h"

namespace mg {

// The largest platform manifest whose text a merge result records (manifests[].manifest): an
// image of a few hundred layers; a bigger one is read again by the tasks that need it.
inline constexpr size_t kMaxRecordedManifestBytes = 64 * 1024;

// ctx.inputs holds the version's build results (task id -> result with "platform" and "digest").
// With ctx.cached_result: the tags are re-checked; right -> reused; `latest` (or the version tag)
// pointing elsewhere -> re-tagged; the index gone -> merged again.
TaskOutcome RunMergeTask(const TaskContext& ctx, RegistryClient& registry);

// The index annotations for one version: org.opencontainers.image.{version,source,revision} from
// the build results (equal across platforms) and dev.mirrorgraph.upstream.tag.
Json MergeAnnotations(const Json& params, const Json& first_build_result);

}  // namespace mg
