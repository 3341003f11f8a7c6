#include "remote/oci_remote_cache.h"

#include "exec/remote_entry.h"
#include "oci/push.h"
#include "remote/cache_artifact.h"
#include "util/sha256.h"

namespace mg {
namespace {

RemoteLookup Rejected(std::string warning) {
  return RemoteLookup{RemoteLookup::Kind::kRejected, "", std::move(warning)};
}
RemoteLookup Error(std::string warning) { return RemoteLookup{RemoteLookup::Kind::kError, "", std::move(warning)}; }

}  // namespace

OciRemoteCache::OciRemoteCache(RegistryClient& client, std::string repository, std::string engine_version)
    : client_(client), repository_(std::move(repository)), engine_version_(std::move(engine_version)) {}

std::string OciRemoteCache::Describe() const { return "oci://" + client_.registry() + "/" + repository_; }

RemoteLookup OciRemoteCache::Get(std::string_view key, std::string_view id, CancelToken* cancel) {
  try {
    return Lookup(key, id, cancel);
  } catch (const std::exception& e) {
    return Error(Describe() + ":" + CacheTag(key) + ": the lookup threw: " + e.what());
  } catch (...) {
    return Error(Describe() + ":" + CacheTag(key) + ": the lookup threw an unknown exception");
  }
}

RemoteLookup OciRemoteCache::Lookup(std::string_view key, std::string_view id, CancelToken* cancel) {
  const std::string tag = CacheTag(key);
  const std::string where = Describe() + ":" + tag;
  const std::string ignored = "; ignored: the task runs and its entry is written again";
  if (cancel != nullptr && cancel->cancelled()) return Error(where + ": not asked, the run was cancelled");
  Result<Manifest> m = client_.GetManifest(repository_, tag);
  if (!m.ok()) {
    if (m.status().code() == Status::Code::kNotFound) return RemoteLookup{};
    if (m.status().code() == Status::Code::kCorruption) return Rejected(where + " is damaged: " + m.status().message() + ignored);
    return Error("cannot read " + where + ": " + m.status().message() +
                 " (the remote cache is skipped for this task; check [cache] remote and the registry)");
  }
  Result<std::string> digest = CacheEntryLayerDigest(m->json, m->media_type);
  if (!digest.ok()) return Rejected(where + ": " + digest.status().message() + ignored);
  Result<std::string> layer = client_.GetBlob(repository_, *digest, kMaxCacheEntryBytes);
  if (!layer.ok()) {
    const Status::Code code = layer.status().code();
    if (code == Status::Code::kNotFound || code == Status::Code::kCorruption) {
      return Rejected(where + ": damaged: its entry layer " + *digest + " cannot be read: " + layer.status().message() + ignored);
    }
    return Error("cannot read the entry layer of " + where + ": " + layer.status().message());
  }
  Result<Json> entry = DecodeRemoteEntry(*layer, key, id);
  if (!entry.ok()) return Rejected(where + ": " + entry.status().message() + ignored);
  return RemoteLookup{RemoteLookup::Kind::kHit, CanonicalJson(*entry), ""};
}

Status OciRemoteCache::Put(std::string_view key, std::string_view id, const std::string& entry_text) {
  try {
    return Store(key, id, entry_text);
  } catch (const std::exception& e) {
    return Status::Internal("cannot write " + Describe() + ":" + CacheTag(key) + ": the write threw: " + e.what());
  } catch (...) {
    return Status::Internal("cannot write " + Describe() + ":" + CacheTag(key) + ": the write threw");
  }
}

Status OciRemoteCache::Store(std::string_view key, std::string_view id, const std::string& entry_text) {
  const std::string tag = CacheTag(key);
  const std::string what = "cannot write " + Describe() + ":" + tag + " (the entry of " + std::string(id) + ")";
  Result<CacheArtifact> a = EncodeCacheArtifact(key, id, entry_text, engine_version_);
  if (!a.ok()) return a.status().WithContext(what);
  const std::string config_digest = Sha256Digest(kOciEmptyJson);
  auto push = [&](const std::string& digest) -> Status {
    if (digest == config_digest) return PushBlob(client_, repository_, config_digest, kOciEmptyJson);
    return PushBlob(client_, repository_, a->layer_digest, a->layer);
  };
  if (!config_pushed_.load()) {
    MG_RETURN_IF_ERROR(push(config_digest).WithContext(what));
    config_pushed_ = true;
  }
  MG_RETURN_IF_ERROR(push(a->layer_digest).WithContext(what));
  ManifestPutOptions options;
  options.reupload = [&](const std::vector<std::string>& missing) -> Status {
    for (const std::string& d : missing) MG_RETURN_IF_ERROR(push(d));
    return Status::OK();
  };
  Result<std::string> put = PutManifest(client_, repository_, tag, a->manifest,
                                        "application/vnd.oci.image.manifest.v1+json", options);
  if (!put.ok()) return put.status().WithContext(what);
  return Status::OK();
}

}  // namespace mg
