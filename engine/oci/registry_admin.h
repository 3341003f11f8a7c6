// The administrative side of the distribution API that `mirrorgraph prune` needs: listing a
// repository's tags and deleting manifests by digest (docs/cli.md, "prune").
#pragma once

#include <string>
#include <vector>

#include "oci/registry_client.h"
#include "util/status.h"

namespace mg {

// GET /v2/<repo>/tags/list?n=1000, then each Link rel="next" (at most 1000 pages), relative links
// resolved against the registry. Returns the tags sorted and deduplicated. A repository the
// registry does not know (404 NAME_UNKNOWN) has no tags: an empty list. An answer without a
// "tags" array of strings (null: none) is Corruption naming the URL; a wrong type never throws.
// Other failures map as in registry_client.h. Thread-safe as far as `client` is.
Result<std::vector<std::string>> ListTags(RegistryClient& client, const std::string& repo);

// DELETE /v2/<repo>/manifests/<digest> (a digest only: the distribution API deletes manifests, and
// with them every tag naming them). 202/200: deleted; 404: NotFound (already gone). 405, or an
// UNSUPPORTED error code: NotImplemented (and only then) saying the registry refuses deletes and, for
// docker-registry, how to enable them (storage.delete.enabled). Other failures as in
// registry_client.h. A reference that is not a digest is InvalidArgument before any request.
Status DeleteManifest(RegistryClient& client, const std::string& repo, const std::string& digest);

}  // namespace mg
