#include "oci/tag.h"

#include "oci/push.h"
#include "oci/reference.h"
#include "oci/upload_session.h"

namespace mg {

const char* TagOutcomeName(TagOutcome outcome) {
  switch (outcome) {
    case TagOutcome::kAlreadySet:
      return "already-set";
    case TagOutcome::kSet:
      return "set";
  }
  return "unknown";
}

Result<TagOutcome> TagManifest(RegistryClient& client, const std::string& repo, const std::string& digest,
                               const std::string& tag) {
  MG_RETURN_IF_ERROR(CheckPushRepo(client, repo));
  MG_RETURN_IF_ERROR(CheckPushDigest(digest));
  if (!IsValidTag(tag)) {
    return Status::InvalidArgument("invalid tag '" + tag + "' for " + client.registry() + "/" + repo);
  }
  const std::string what = "tag " + client.registry() + "/" + repo + ":" + tag + " as " + digest;

  Result<ManifestHead> head = client.HeadManifest(repo, tag);
  if (!head.ok()) return head.status().WithContext(what);
  if (head->exists) {
    std::string current = head->digest;
    if (current.empty()) {
      Result<Manifest> by_tag = client.GetManifest(repo, tag);
      if (!by_tag.ok()) return by_tag.status().WithContext(what);
      current = by_tag->digest;
    }
    if (current == digest) return TagOutcome::kAlreadySet;
  }

  Result<Manifest> manifest = client.GetManifest(repo, digest);
  if (!manifest.ok()) return manifest.status().WithContext(what);
  Result<std::string> put = PutManifest(client, repo, tag, manifest->bytes, manifest->media_type);
  if (!put.ok()) return put.status().WithContext(what);
  if (*put != digest) {
    return Status::Corruption(what + ": the PUT answered " + *put);  // unreachable: GetManifest verified it
  }
  return TagOutcome::kSet;
}

}  // namespace mg
