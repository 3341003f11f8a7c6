// OciRemoteCache: the remote cache tier (cache/remote_cache.h) in a registry repository, one OCI
// artifact per task key (remote/cache_artifact.h, docs/cache.md).
#pragma once

#include <atomic>
#include <string>

#include "cache/remote_cache.h"
#include "oci/registry_client.h"

namespace mg {

// Thread-safe (as RegistryClient is); Get() and Put() never throw.
//
// Get(): GET the manifest tagged CacheTag(key) (404: kMiss), check it is a cache artifact of this
// format, GET its layer by digest (the client verifies the digest), decode it and check that its
// key material re-hashes to `key` and its task id is `id` (exec/remote_entry.h). A manifest or
// layer that fails any check is kRejected; a registry that cannot be asked (refused connection,
// 401/403, 5xx after the client's retries, cancelled) is kError. Warnings name the tag and why.
//
// Put(): uploads the empty config (once per process) and the entry layer (PushBlob: a HEAD first,
// so an unchanged entry is not sent twice), then PUTs the manifest under the tag, which moves it
// when another writer got there first (the last PUT wins; both were valid for the key).
class OciRemoteCache : public RemoteCache {
 public:
  // `client` talks to the cache's registry and must outlive this object. `repository` is a valid
  // repository name ("mirror/mirrorgraph-cache"). `engine_version` goes into an annotation only
  // (the version that matters for reuse is in the key material's identity).
  OciRemoteCache(RegistryClient& client, std::string repository, std::string engine_version = MIRRORGRAPH_VERSION);

  RemoteLookup Get(std::string_view key, std::string_view id, CancelToken* cancel) override;
  Status Put(std::string_view key, std::string_view id, const std::string& entry_text) override;
  // "oci://<registry>/<repository>".
  std::string Describe() const override;

 private:
  RemoteLookup Lookup(std::string_view key, std::string_view id, CancelToken* cancel);
  Status Store(std::string_view key, std::string_view id, const std::string& entry_text);

  RegistryClient& client_;
  const std::string repository_;
  const std::string engine_version_;
  std::atomic<bool> config_pushed_{false};
};

}  // namespace mg
