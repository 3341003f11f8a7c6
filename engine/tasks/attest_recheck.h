// What the sbom and provenance tasks re-check before they reuse a cached result: the version still
// names the attested index with the same platform manifests, the signer is the cached one, and each
// attestation is still attached to its digest, is owned by the signer and holds exactly the cached
// predicate (docs/attestations.md, "Re-checked cache hits").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "oci/registry_client.h"
#include "sign/signer.h"
#include "tasks/attest_common.h"
#include "util/json.h"
#include "util/status.h"

namespace mg {

// "sha256:<hex>" of CanonicalJson(predicate): how a task's result names the predicate it attached.
std::string PredicateSha256(const Json& predicate);

// True when <repo>:CosignTag(subject_digest, ".att") has a DSSE layer annotated with
// `predicate_type` whose envelope `signer` owns (Signer::Owns), whose in-toto statement lists
// `subject_digest` among its subjects and whose predicate has PredicateSha256 == predicate_sha256.
// Layers that do not parse or verify are skipped (they may be another key's). Errors:
// ReadCosignLayers' (registry failures, Corruption of the .att manifest).
Result<bool> HasAttestation(RegistryClient& registry, const std::string& repo, const std::string& subject_digest,
                            std::string_view predicate_type, const std::string& predicate_sha256,
                            const Signer& signer);

// The predicates of `predicate_type` attached at <repo>:CosignTag(subject_digest, ".att") whose
// DSSE envelope `signer` owns and whose in-toto statement lists `subject_digest` among its
// subjects, in layer order. Layers that do not parse or verify are skipped. Errors: as
// HasAttestation's.
Result<std::vector<Json>> AttachedPredicates(RegistryClient& registry, const std::string& repo,
                                             const std::string& subject_digest, std::string_view predicate_type,
                                             const Signer& signer);

// One attestation a cached result says it attached.
struct AttestedPredicate {
  std::string subject;           // "sha256:<hex>"
  std::string predicate_sha256;  // PredicateSha256 of what was attached
};

// Why a cached result of an attestation task cannot be reused, or "" when it can: `target` (the
// version's index and platforms now) must be `cached_index` with exactly the cached subjects, the
// signer's identity `cached_key` (Signer::Identity), and every cached attestation still there (HasAttestation).
// The reason names the subject ("the SPDX SBOM of sha256:... (linux/arm64) is gone from the
// registry"); `what` names the attestation kind in it. Errors: the registry's.
Result<std::string> RecheckAttestations(RegistryClient& registry, const AttestTarget& target,
                                        const std::string& cached_index, const std::string& cached_key,
                                        const std::vector<AttestedPredicate>& cached, std::string_view predicate_type,
                                        std::string_view what, const Signer& signer);

}  // namespace mg
