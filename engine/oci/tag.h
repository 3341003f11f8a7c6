// Pointing a tag at a manifest that is already in the repository.
#pragma once

#include <string>

#include "oci/registry_client.h"
#include "util/status.h"

namespace mg {

enum class TagOutcome {
  kAlreadySet,  // the tag already named the digest; nothing was written
  kSet,         // the tag was created or moved
};

// "already-set", "set".
const char* TagOutcomeName(TagOutcome outcome);

// Makes `tag` of `repo` point at the manifest `digest` (sha256; it must exist in `repo`):
//  1. HEAD /v2/<repo>/manifests/<tag>. When it exists with `digest` -> kAlreadySet, nothing is
//     written. (A registry that sends no Docker-Content-Digest is asked with a GET of the tag.)
//  2. Otherwise GET the manifest by `digest` (verified against it; absent: NotFound) and PUT
//     exactly those bytes under `tag` with the media type it was served with (PutManifest) ->
//     kSet. The registry's answer must name `digest` (else Corruption).
// Invalid repository, tag or digest: InvalidArgument before any request. Registry failures map as
// in registry_client.h / push.h. Idempotent; two callers racing to move one tag both succeed and
// the last PUT wins. Thread-safe as far as `client` is.
Result<TagOutcome> TagManifest(RegistryClient& client, const std::string& repo, const std::string& digest,
                               const std::string& tag);

}  // namespace mg
