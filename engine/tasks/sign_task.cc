// The sign task: cosign-compatible signatures on a version's index and on every platform manifest
// (docs/attestations.md). Result:
//   {"index": "sha256:...", "signed": ["sha256:<index>", "sha256:<platform>", ...], "added": n,
//    "key_id": "...", "signer": Signer::Identity(),
//    "public_key_sha256": "sha256:<hex of the public key's DER>" (key signers)}
// A cache hit is re-checked: the same index and signer, and every signature still in the registry
// and verifying -> reused; anything else -> signed again (which adds only what is missing).
#include <optional>
#include <set>

#include "sign/cosign_storage.h"
#include "tasks/attest_common.h"
#include "tasks/attest_parallel.h"
#include "tasks/attest_tasks.h"

namespace mg {
namespace {


// Why the cached result cannot be reused, or "" when it can.
Result<std::string> RecheckCached(const Json& cached, const AttestTarget& target, const Signer& signer,
                                  RegistryClient& registry) {
  if (StringField(cached, "index") != target.index_digest) {
    return "the version now names the index " + target.index_digest + ", not " + StringField(cached, "index");
  }
  if (CachedSigner(cached) != signer.Identity()) {
    return "the signer changed (it was " + CachedSigner(cached) + ", it is " + signer.Identity() + ")";
  }
  std::set<std::string> want, have;
  for (const AttestSubject& s : target.All()) want.insert(s.digest);
  if (cached.contains("signed") && cached["signed"].is_array()) {
    for (const Json& d : cached["signed"]) {
      if (d.is_string()) have.insert(d.get<std::string>());
    }
  }
  if (want != have) return std::string("the index's platform manifests changed");
  for (const AttestSubject& s : target.All()) {
    Result<bool> there = HasCosignSignature(registry, target.repository, s.digest, signer);
    if (!there.ok()) return there.status();
    if (!*there) return "the signature of " + DescribeSubject(s) + " is gone from the registry";
  }
  return std::string();
}

}  // namespace

TaskOutcome RunSignTask(const TaskContext& ctx, RegistryClient& registry, const AttestSettings& settings) {
  Result<std::shared_ptr<Signer>> signer = AttestSigner(settings);
  if (!signer.ok()) return {signer.status(), {}};
  Result<AttestTarget> target = ResolveAttestTarget(ctx, registry);
  if (!target.ok()) return {target.status(), {}};
  const std::vector<AttestSubject> subjects = target->All();

  if (ctx.cached_result != nullptr) {
    Result<std::string> why = RecheckCached(*ctx.cached_result, *target, **signer, registry);
    if (!why.ok()) return {why.status().WithContext("re-checking the signatures of " + target->index_digest), {}};
    if (why->empty()) {
      return {Status::OK(), {}, true,
              "re-checked " + std::to_string(subjects.size()) + " signature(s) of " + target->index_digest};
    }
    ctx.log("signing again: " + *why);
  }

  // Each manifest has its own .sig tag: all are signed at once, logged in order afterwards.
  if (ctx.cancel.load()) return {Status::Cancelled("cancelled while signing " + target->repository), {}};
  std::vector<std::optional<Result<bool>>> wrote(subjects.size());
  Status ran = RunEach(subjects.size(), [&](size_t i) {
    wrote[i] = AttachSignature(registry, target->repository, subjects[i].digest, **signer);
  });
  if (!ran.ok()) return {ran.WithContext("signing the manifests of " + target->index_digest), {}};
  Json signed_digests = Json::array();
  int added = 0;
  for (size_t i = 0; i < subjects.size(); ++i) {
    const AttestSubject& s = subjects[i];
    const Result<bool>& w = *wrote[i];
    if (!w.ok()) return {w.status().WithContext("signing " + DescribeSubject(s)), {}};
    ctx.log((*w ? "signed " : "already signed with this key: ") + DescribeSubject(s));
    added += *w ? 1 : 0;
    signed_digests.push_back(s.digest);
  }
  Json result = {{"index", target->index_digest},
                 {"signed", std::move(signed_digests)},
                 {"added", added},
                 {"key_id", (*signer)->KeyId()}};
  AddSignerFields(**signer, &result);
  return {Status::OK(), std::move(result), false,
          "signed " + std::to_string(subjects.size()) + " manifest(s), " + std::to_string(added) + " new"};
}

}  // namespace mg
