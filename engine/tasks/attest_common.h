// What the attestation tasks (sign, sbom, provenance) share: the signer from the settings, and
// the images of one version they attest (the index and its platform manifests).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "exec/task_runner.h"
#include "oci/registry_client.h"
#include "sign/signer.h"
#include "tasks/attest_settings.h"
#include "util/status.h"

namespace mg {

// The keyless signer when settings.keyless is set (its errors: no identity token, ...); else the
// signer for settings.key, decrypted once per process and shared by every task
// (sign/signer_cache.h). The passphrase comes from settings.passphrase_file when set, else
// COSIGN_PASSWORD. Errors: FailedPrecondition when no key is configured (the message says how to
// set [attestations] key and make a pair with `mirrorgraph keygen`) or the key file is readable
// by others; NotImplemented for a "scheme://" key reference; the key file's errors (NotFound,
// PermissionDenied for a wrong passphrase, InvalidArgument).
Result<std::shared_ptr<Signer>> AttestSigner(const AttestSettings& settings);

// The signer a cached result names: its "signer" (Signer::Identity), else — a result written
// before keyless signing — its "public_key_sha256" (a key signer's identity).
std::string CachedSigner(const Json& cached);

// Adds "signer" (Identity) to a task result, and "public_key_sha256" for a key signer (the
// documented field verifiers and dashboards read).
void AddSignerFields(const Signer& signer, Json* result);

// A platform manifest as the merge of this run recorded it (manifests[].manifest and
// .config_created, docs/builders.md), so that the attestation tasks need not read it again.
struct RecordedManifest {
  Json manifest;               // the manifest, parsed (an object)
  std::string media_type;      // the merge's manifests[].media_type
  std::string config_created;  // the config's "created" as written; empty when it had none
};

// The recorded manifest of one manifests[] entry of a merge result: only when the entry has a
// "manifest" string whose SHA-256 is the entry's "digest" (so a damaged or foreign result cannot
// stand in for the registry's manifest), that parses as an object, and a "config_created"
// string. Otherwise (a result cached by an older version, a manifest too large to record) null:
// read the registry. Never throws.
std::shared_ptr<const RecordedManifest> RecordedManifestOf(const Json& merge_entry);

struct AttestSubject {
  std::string platform;  // "linux/arm64/v8"; empty for the index
  std::string digest;    // "sha256:<hex>"
  std::shared_ptr<const RecordedManifest> recorded;  // for a platform from this run's merge result; may be null
};

// "sha256:… (linux/arm64)", or "sha256:… (index)" when `platform` is empty: a subject in messages.
std::string DescribeSubject(const std::string& platform, const std::string& digest);
inline std::string DescribeSubject(const AttestSubject& s) { return DescribeSubject(s.platform, s.digest); }

// One version's images, index first.
struct AttestTarget {
  std::string repository;                 // params "repository"
  std::string version;                    // params "version"
  std::string index_digest;               // what the version tag names: an index, or one manifest
  std::string index_media_type;
  std::vector<AttestSubject> platforms;   // the index's platform manifests in index order; empty when
                                          // the tag names a single image manifest
  const Json* merge_result = nullptr;     // the merge result in ctx.inputs, when there was one
                                          // (points into ctx.inputs)

  // The index, then every platform manifest.
  std::vector<AttestSubject> All() const;
};

// From the merge result in ctx.inputs ("merge:..." with "digest" and "manifests"), or — when the
// merge was unneeded because the image was already complete — from the version tag in the
// registry (GET params.repository:params.version; an index's "unknown/unknown" attestation
// entries are skipped). Errors: FailedPrecondition when the tag does not exist or holds no image;
// registry errors with the tag named.
Result<AttestTarget> ResolveAttestTarget(const TaskContext& ctx, RegistryClient& registry);

}  // namespace mg
