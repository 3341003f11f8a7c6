// The attestation tasks of one image × version, after its merge (docs/attestations.md):
//   sign        cosign-compatible signatures on the index and on every platform manifest;
//   sbom        an SPDX 2.3 SBOM per platform image and one for the index, as signed attestations;
//   provenance  SLSA v1 provenance for the index and every platform, as a signed attestation.
// Each finds the index from its merge result in ctx.inputs, or — when the merge was unneeded
// because the image was already complete — by resolving the version tag in the registry. Each is
// idempotent: what already exists for that exact digest (same signer, same content) is not added
// again. Thread-safe: the executor runs tasks of different versions at once.
#pragma once

#include "exec/task_runner.h"
#include "oci/registry_client.h"
#include "tasks/attest_settings.h"

namespace mg {

TaskOutcome RunSignTask(const TaskContext& ctx, RegistryClient& registry, const AttestSettings& settings);
TaskOutcome RunSbomTask(const TaskContext& ctx, RegistryClient& registry, const AttestSettings& settings);
TaskOutcome RunProvenanceTask(const TaskContext& ctx, RegistryClient& registry, const AttestSettings& settings);

}  // namespace mg
