// Placeholders until the attestation tasks land (docs/roadmap.md): each fails with a clear
// message, never a silent success. Replaced file by file by sign_task.cc, sbom_task.cc and
// provenance_task.cc.
#include "tasks/attest_tasks.h"

namespace mg {
namespace {

TaskOutcome NotYet(const TaskContext& ctx) {
  return {Status::NotImplemented(std::string(TaskTypeName(ctx.task.type)) +
                                 " tasks are not runnable yet in mirrorgraph " MIRRORGRAPH_VERSION
                                 " (docs/roadmap.md); turn them off in [attestations] to mirror without them"),
          {}};
}

}  // namespace

TaskOutcome RunSbomTask(const TaskContext& ctx, RegistryClient&, const AttestSettings&) { return NotYet(ctx); }
TaskOutcome RunProvenanceTask(const TaskContext& ctx, RegistryClient&, const AttestSettings&) { return NotYet(ctx); }

}  // namespace mg
