#include "tasks/attest_recheck.h"

#include <functional>
#include <map>

#include "sign/cosign_storage.h"
#include "sign/dsse.h"
#include "sign/intoto.h"
#include "util/sha256.h"

namespace mg {

std::string PredicateSha256(const Json& predicate) { return Sha256Digest(CanonicalJson(predicate)); }

namespace {

// The verified statements of `predicate_type` about `subject_digest` in its .att manifest, each
// checked by `wanted(statement)` before its signature is (verifying costs more than comparing).
Result<std::vector<InTotoStatement>> VerifiedStatements(RegistryClient& registry, const std::string& repo,
                                                        const std::string& subject_digest,
                                                        std::string_view predicate_type, const Signer& signer,
                                                        const std::function<bool(const InTotoStatement&)>& wanted) {
  Result<std::vector<CosignLayer>> layers = ReadCosignLayers(registry, repo, subject_digest, kCosignAttestationSuffix);
  if (!layers.ok()) return layers.status();
  const std::string hex = subject_digest.rfind("sha256:", 0) == 0 ? subject_digest.substr(7) : "";
  std::vector<InTotoStatement> out;
  for (const CosignLayer& layer : *layers) {
    auto pt = layer.annotations.find(std::string(kPredicateTypeAnnotation));
    if (pt == layer.annotations.end() || pt->second != predicate_type) continue;
    Result<DsseEnvelope> envelope = ParseDsseEnvelope(layer.payload);
    if (!envelope.ok() || envelope->payload_type != kInTotoPayloadType) continue;
    Result<InTotoStatement> statement = ParseStatement(envelope->payload);
    if (!statement.ok() || statement->predicate_type != predicate_type) continue;
    bool about = false;
    for (const InTotoSubject& s : statement->subjects) {
      auto d = s.digest.find("sha256");
      about = about || (d != s.digest.end() && d->second == hex);
    }
    if (!about || !wanted(*statement)) continue;
    Result<bool> verified = DsseOwnedBy(*envelope, signer, &layer.annotations);
    if (verified.ok() && *verified) out.push_back(std::move(*statement));
  }
  return out;
}

}  // namespace

Result<bool> HasAttestation(RegistryClient& registry, const std::string& repo, const std::string& subject_digest,
                            std::string_view predicate_type, const std::string& predicate_sha256,
                            const Signer& signer) {
  Result<std::vector<InTotoStatement>> found =
      VerifiedStatements(registry, repo, subject_digest, predicate_type, signer, [&](const InTotoStatement& s) {
        return PredicateSha256(s.predicate) == predicate_sha256;
      });
  if (!found.ok()) return found.status();
  return !found->empty();
}

Result<std::vector<Json>> AttachedPredicates(RegistryClient& registry, const std::string& repo,
                                             const std::string& subject_digest, std::string_view predicate_type,
                                             const Signer& signer) {
  Result<std::vector<InTotoStatement>> found = VerifiedStatements(
      registry, repo, subject_digest, predicate_type, signer, [](const InTotoStatement&) { return true; });
  if (!found.ok()) return found.status();
  std::vector<Json> out;
  for (InTotoStatement& s : *found) out.push_back(std::move(s.predicate));
  return out;
}

Result<std::string> RecheckAttestations(RegistryClient& registry, const AttestTarget& target,
                                        const std::string& cached_index, const std::string& cached_key,
                                        const std::vector<AttestedPredicate>& cached, std::string_view predicate_type,
                                        std::string_view what, const Signer& signer) {
  if (cached_index != target.index_digest) {
    return "the version now names the index " + target.index_digest + ", not " + cached_index;
  }
  if (cached_key != signer.Identity()) return "the signer changed (it was " + cached_key + ", it is " + signer.Identity() + ")";
  std::map<std::string, std::string> platform_of;  // digest -> platform ("" for the index)
  for (const AttestSubject& s : target.All()) platform_of[s.digest] = s.platform;
  std::map<std::string, std::string> have;
  for (const AttestedPredicate& a : cached) have[a.subject] = a.predicate_sha256;
  if (have.size() != platform_of.size() || have.size() != cached.size()) {
    return std::string("the index's platform manifests changed");
  }
  for (const auto& [digest, platform] : platform_of) {
    if (have.count(digest) == 0) return std::string("the index's platform manifests changed");
  }
  for (const AttestedPredicate& a : cached) {
    Result<bool> there = HasAttestation(registry, target.repository, a.subject, predicate_type, a.predicate_sha256, signer);
    if (!there.ok()) return there.status();
    if (!*there) {
      const std::string& platform = platform_of[a.subject];
      return std::string(what) + " of " + a.subject + (platform.empty() ? " (index)" : " (" + platform + ")") +
             " is gone from the registry";
    }
  }
  return std::string();
}

}  // namespace mg
