#include "tasks/merge_task.h"

#include <map>
#include <optional>
#include <set>

#include "http/url_credentials.h"
#include "oci/reference.h"
#include "oci/index_builder.h"
#include "oci/platform.h"
#include "oci/push.h"
#include "oci/tag.h"
#include "tasks/attest_parallel.h"
#include "util/sha256.h"

namespace mg {

Json MergeAnnotations(const Json& params, const Json& build) {
  Json a = Json::object();
  const std::string version = StringField(params, "version");
  a["org.opencontainers.image.version"] = version;
  a["dev.mirrorgraph.upstream.tag"] = StringField(params, "tag", version);
  // A build result may come from the remote cache tier, so its fields are read as untrusted:
  // a member of another type reads as absent, never throws.
  const Json& s = ObjectField(build, "source");
  // Redacted: a build result cached by an older version may hold a URL with credentials.
  if (std::string url = StringField(s, "url"); !url.empty()) {
    a["org.opencontainers.image.source"] = RedactUrlCredentials(url);
  }
  if (std::string commit = StringField(s, "commit"); !commit.empty()) a["org.opencontainers.image.revision"] = commit;
  return a;
}

namespace {

// Sets `tag` to `digest`, logging what happened. Returns whether it wrote.
Result<bool> EnsureTag(const TaskContext& ctx, RegistryClient& registry, const std::string& repo,
                       const std::string& digest, const std::string& tag) {
  auto t = TagManifest(registry, repo, digest, tag);
  if (!t.ok()) return t.status().WithContext("tagging " + repo + ":" + tag);
  ctx.log(*t == TagOutcome::kSet ? "tagged " + tag + " -> " + digest : tag + " already points at " + digest);
  return *t == TagOutcome::kSet;
}

// Puts the index `bytes` (digest `digest`) under `tag` unless the tag already points at it: one
// HEAD, and one PUT when needed (the PUT by tag also stores the manifest by its digest).
Status PutUnlessSet(const TaskContext& ctx, RegistryClient& registry, const std::string& repo, const std::string& tag,
                    const std::string& digest, const std::string& bytes, const std::string& media_type) {
  auto head = registry.HeadManifest(repo, tag);
  if (!head.ok()) return head.status().WithContext("checking " + repo + ":" + tag);
  if (head->exists && head->digest == digest) {
    ctx.log(tag + " already points at " + digest);
    return Status::OK();
  }
  auto put = PutManifest(registry, repo, tag, bytes, media_type);
  if (!put.ok()) return put.status().WithContext("tagging " + repo + ":" + tag);
  ctx.log("tagged " + tag + " -> " + digest);
  return Status::OK();
}

}  // namespace

TaskOutcome RunMergeTask(const TaskContext& ctx, RegistryClient& registry) {
  const Json p = ctx.task.Params();
  const std::string repo = p.value("repository", ""), version = p.value("version", "");
  const bool latest = p.value("latest", false);

  if (ctx.cached_result != nullptr) {
    // Re-check: the cached index is in the registry and lists exactly this version's build
    // digests (a result from a remote cache tier is not trusted to name the right index,
    // docs/cache.md); then the version tag (and latest) are pointed at it. The result is read
    // without throwing, and only a digest counts, never a tag.
    const std::string digest = StringField(*ctx.cached_result, "digest");
    bool usable = false;
    if (IsValidDigest(digest)) {
      Result<Manifest> index = registry.GetManifest(repo, digest);
      if (!index.ok() && index.status().code() != Status::Code::kNotFound) {
        return {index.status().WithContext("re-checking the cached index " + digest), {}};
      }
      if (index.ok()) {
        std::set<std::string> listed, built;
        for (const Json& m : ArrayField(index->json, "manifests")) listed.insert(StringField(m, "digest"));
        for (const auto& [id, result] : ctx.inputs.items()) {
          if (id.rfind("build:", 0) == 0) built.insert(StringField(result, "digest"));
        }
        usable = built.empty() || listed == built;
        if (!usable) ctx.log("the cached index " + digest + " does not list this version's builds: merging again");
      } else {
        ctx.log("the cached index " + digest + " is gone from the registry: merging again");
      }
    } else {
      ctx.log("the cached merge result names no valid digest: merging again");
    }
    if (usable) {
      bool wrote = false;
      std::vector<std::string> tags = {version};
      if (latest) tags.push_back("latest");
      for (const std::string& tag : tags) {
        auto w = EnsureTag(ctx, registry, repo, digest, tag);
        if (!w.ok()) return {w.status(), {}};
        wrote = wrote || *w;
      }
      if (!wrote) return {Status::OK(), {}, true, "re-checked " + digest + " and its tags"};
      Json result = *ctx.cached_result;
      result["tags"] = tags;
      TaskOutcome retagged(Status::OK(), std::move(result), false, "re-tagged " + digest);
      retagged.from_cached = true;
      return retagged;
    }
  }

  // One build result per wanted platform.
  std::vector<std::string> wanted = p.value("platforms", std::vector<std::string>{});
  std::map<std::string, const Json*> by_platform;  // normalised platform -> build result
  for (const auto& [id, result] : ctx.inputs.items()) {
    if (id.rfind("build:", 0) != 0 || !result.is_object()) continue;
    by_platform[NormalizePlatform(StringField(result, "platform"))] = &result;
  }
  std::vector<const Json*> builds;
  for (const std::string& w : wanted) {
    auto it = by_platform.find(NormalizePlatform(w));
    if (it == by_platform.end()) {
      return {Status::FailedPrecondition("no build result for " + w + " of " + repo + ":" + version +
                                         "; nothing was tagged"),
              {}};
    }
    builds.push_back(it->second);
  }
  // The platforms are described at once (the registry client is thread-safe): each is a GET of the
  // manifest and of its config, and a merge waits on the slowest rather than on their sum.
  std::vector<std::optional<Result<PlatformManifest>>> described_all(builds.size());
  Status ran = RunEach(builds.size(), [&](size_t i) {
    described_all[i] = DescribePlatformManifest(registry, repo, StringField(*builds[i], "digest"));
  });
  if (!ran.ok()) return {ran.WithContext("describing the platform images of " + repo + ":" + version), {}};
  std::vector<PlatformManifest> entries;
  const Json* first = nullptr;
  for (size_t i = 0; i < wanted.size(); ++i) {
    const std::string& w = wanted[i];
    const std::string digest = StringField(*builds[i], "digest");
    Result<PlatformManifest>& described = *described_all[i];
    if (!described.ok()) {
      return {described.status().WithContext("the " + w + " image " + digest + " of " + repo +
                                             " (nothing was tagged; a rerun rebuilds what is gone)"),
              {}};
    }
    if (NormalizePlatform(described->os + "/" + described->architecture +
                          (described->variant.empty() ? "" : "/" + described->variant)) != NormalizePlatform(w)) {
      return {Status::Corruption("the image built for " + w + " (" + digest + ") says it is for " + described->os +
                                 "/" + described->architecture + "; nothing was tagged"),
              {}};
    }
    entries.push_back(std::move(described.value()));
    if (first == nullptr) first = builds[i];
  }
  if (entries.empty()) return {Status::FailedPrecondition("no platforms to merge for " + repo + ":" + version), {}};

  auto index = BuildIndex(entries, MergeAnnotations(p, *first));
  if (!index.ok()) return {index.status().WithContext("building the index of " + repo + ":" + version), {}};
  const std::string media_type = IndexMediaTypeFor(entries.front().media_type);
  const std::string digest = "sha256:" + Sha256Hex(*index);
  ctx.log("index " + digest + " over " + std::to_string(entries.size()) + " platforms");
  // The version tag first, then latest: a tag only ever names a complete index.
  std::vector<std::string> tags = {version};
  if (latest) tags.push_back("latest");
  for (const std::string& tag : tags) {
    Status st = PutUnlessSet(ctx, registry, repo, tag, digest, *index, media_type);
    if (!st.ok()) return {st.WithContext("pushing the index of " + repo + ":" + version), {}};
  }
  // Each platform's entry carries what its build did, for provenance: builder, recipe, edits, and
  // when it ran; and what this task read of it (the manifest's text, the config's "created"), so
  // the sbom and provenance tasks need not read it again (docs/builders.md).
  Json manifests = Json::array();
  for (size_t i = 0; i < entries.size(); ++i) {
    const PlatformManifest& e = entries[i];
    const Json& build = *by_platform.at(NormalizePlatform(wanted[i]));
    Json entry = {{"platform", e.os + "/" + e.architecture + (e.variant.empty() ? "" : "/" + e.variant)},
                  {"digest", e.digest}, {"media_type", e.media_type}, {"size", e.size}};
    for (const char* key : {"builder", "recipe", "edits_applied", "ran"}) {
      if (build.contains(key)) entry["build"][key] = build[key];
    }
    if (e.manifest_text.size() <= kMaxRecordedManifestBytes) {
      entry["manifest"] = e.manifest_text;
      entry["config_created"] = e.config_created;
    }
    manifests.push_back(std::move(entry));
  }
  Json result = {{"digest", digest},
                 {"media_type", media_type},
                 {"size", static_cast<int64_t>(index->size())},
                 {"repository", repo},
                 {"registry", registry.registry()},
                 {"tags", tags},
                 {"version", version},
                 {"manifests", std::move(manifests)}};
  if (first->contains("source")) result["source"] = (*first)["source"];
  return {Status::OK(), std::move(result)};
}

}  // namespace mg
