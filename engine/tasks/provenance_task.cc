// The provenance task: SLSA v1 provenance (predicate type https://slsa.dev/provenance/v1) for a
// version's index and every platform manifest, attached as a signed cosign attestation to each
// (docs/attestations.md, "The provenance task"). The predicate is the same for every subject: it
// describes how the whole index was made. Result:
//   {"index": "sha256:...", "subjects": [{"subject": "sha256:...", "platform": "" | "linux/amd64",
//    "predicate_sha256": "sha256:..."}, ...] (index first), "added": n,
//    "public_key_sha256": "sha256:...", "builder_id": "...", "source": {"url", "commit"} (when known),
//    "unknown": [what the predicate could not say], "basis": where the facts came from,
//    "reconstructed": why (only for a reconstructed predicate), "replaced": why the reconstructed
//    one it replaced was reconstructed (only then), "predicate": {the SLSA predicate}}
// The facts come, best first, from the merge result of this run, the merge result an earlier run
// recorded for this very index (TaskContext::recorded, when the merge was unneeded), or the build
// results an earlier run recorded for its platform manifests — with the build times those results
// carry (from whichever runner built them), else from this state directory's run journals. Only
// when none of these exists is the predicate reconstructed from the index's
// annotations, marked so (internalParameters.reconstructed_from) with what is unknown listed; it
// is replaced, here and in the registry, as soon as a run finds the recorded facts. A cache hit is
// re-checked like the sbom task's, against the configured builder id, and against a better basis.
#include "tasks/provenance_task.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "cache/journal.h"
#include "http/url_credentials.h"
#include "oci/platform.h"
#include "oci/reference.h"
#include "sign/cosign_storage.h"
#include "sign/intoto.h"
#include "sign/slsa_provenance.h"
#include "tasks/attest_common.h"
#include "tasks/attest_parallel.h"
#include "tasks/attest_recheck.h"
#include "tasks/attest_tasks.h"
#include "util/strings.h"

namespace mg {

namespace {

constexpr char kBaseNameAnnotation[] = "org.opencontainers.image.base.name";
constexpr char kBaseDigestAnnotation[] = "org.opencontainers.image.base.digest";

// `values` (platform -> value) as one member of `out`: `key` when every platform has the same
// value, else `key`_per_platform, an object by platform. Nothing when `values` is empty.
void PutCollapsed(Json& out, const std::string& key, const std::map<std::string, Json>& values) {
  if (values.empty()) return;
  bool same = true;
  for (const auto& [platform, v] : values) same = same && v == values.begin()->second;
  if (same) {
    out[key] = values.begin()->second;
    return;
  }
  Json per = Json::object();
  for (const auto& [platform, v] : values) per[platform] = v;
  out[key + "_per_platform"] = std::move(per);
}

bool IsUrl(const std::string& v) {
  auto starts = [&](std::string_view p) {
    if (v.size() <= p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(v[i])) != p[i]) return false;
    }
    return true;
  };
  if (!starts("https://") && !starts("http://")) return false;
  return std::none_of(v.begin(), v.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

// The git ref of an upstream tag as a resolved dependency names it.
std::string GitRef(const std::string& ref, const std::string& tag) {
  if (ref.empty() || ref.rfind("refs/", 0) == 0) return ref;
  return ref == tag ? "refs/tags/" + ref : ref;
}

struct Facts {
  SlsaProvenanceInput input;
  std::set<std::string> unknown;
  Json source = Json::object();  // {"url", "commit"} for the result, when known
};

void AddSource(Facts& f, const std::string& url, const std::string& ref, const std::string& commit,
               const std::string& tag, const TaskContext& ctx) {
  if (url.empty()) {
    f.unknown.insert("source");
    return;
  }
  f.source["url"] = url;  // callers pass it through RedactUrlCredentials
  if (commit.empty()) {
    f.unknown.insert("source commit");
    return;
  }
  Result<ResourceDescriptor> dep = GitCommitDependency(url, GitRef(ref, tag), commit);
  if (!dep.ok()) {
    ctx.log("the source commit is not usable (" + dep.status().message() + "): left out");
    f.unknown.insert("source commit");
    return;
  }
  f.source["commit"] = commit;
  f.input.resolved_dependencies.push_back(std::move(*dep));
}

// Base images from the platform manifests' annotations: buildah writes the base image's name and
// manifest digest, or both empty for FROM scratch (no base image). Without them (docker, other
// tools) the base images are unknown. `known` holds the annotations of manifests already read
// (digest -> the manifest's "annotations", from the merge result when it carries them); the others
// are read from the registry (a manifest is content-addressed: a recorded copy is as good).
Status AddBaseImages(Facts& f, RegistryClient& registry, const AttestTarget& target,
                     const std::map<std::string, Json>& known = {}) {
  bool all_known = !target.platforms.empty();
  std::vector<std::optional<Result<Json>>> annotations(target.platforms.size());
  Status ran = RunEach(annotations.size(), [&](size_t i) {
    auto k = known.find(target.platforms[i].digest);
    if (k != known.end()) {
      annotations[i] = k->second;
      return;
    }
    Result<Manifest> m = registry.GetManifest(target.repository, target.platforms[i].digest);
    if (!m.ok()) {
      annotations[i] = m.status();
    } else {
      annotations[i] = ObjectField(m->json, "annotations");
    }
  });
  MG_RETURN_IF_ERROR(ran.WithContext("reading the platform manifests of " + target.index_digest));
  for (size_t i = 0; i < target.platforms.size(); ++i) {
    const AttestSubject& s = target.platforms[i];
    Result<Json>& got = *annotations[i];
    if (!got.ok()) return got.status().WithContext("reading " + DescribeSubject(s.platform, s.digest) + " for its base image");
    const Json& a = *got;
    const std::optional<std::string> base_name = OptStringField(a, kBaseNameAnnotation);
    const std::optional<std::string> base_digest = OptStringField(a, kBaseDigestAnnotation);
    const bool annotated = base_name && base_digest;
    const std::string name = annotated ? *base_name : "";
    const std::string digest = annotated ? *base_digest : "";
    if (annotated && name.empty() && digest.empty()) continue;  // FROM scratch
    if (name.empty() || !IsValidDigest(digest)) {
      all_known = false;
      continue;
    }
    Result<ResourceDescriptor> dep = OciDigestDependency(BaseImageUri(name, s.platform), digest);
    if (dep.ok()) f.input.resolved_dependencies.push_back(std::move(*dep));
  }
  if (!all_known) f.unknown.insert("base images");
  return Status::OK();
}

// Build arguments whose value is a URL: downloaded during the build, not by the engine, so their
// content is not known (no digest).
void AddBuildArgUrls(Facts& f, const Json& build_args) {
  if (!build_args.is_object()) return;
  for (const auto& [name, value] : build_args.items()) {
    if (!value.is_string() || !IsUrl(value.get<std::string>())) continue;
    ResourceDescriptor d;
    d.uri = value.get<std::string>();
    d.name = "build-arg:" + name;
    f.input.resolved_dependencies.push_back(std::move(d));
  }
}

Json BaseExternal(const TaskContext& ctx, const AttestTarget& target, RegistryClient& registry) {
  const Json p = ctx.task.Params();
  Json platforms = Json::array();
  for (const AttestSubject& s : target.platforms) platforms.push_back(s.platform);
  return {{"app", ctx.task.coords.app},
          {"image", p.value("image", ctx.task.coords.image)},
          {"version", target.version},
          {"tag", p.value("tag", target.version)},
          {"repository", registry.registry() + "/" + target.repository},
          {"platforms", std::move(platforms)}};
}

// A merge result that describes the target's index (this run's, or one an earlier run recorded,
// or one assembled from recorded build results), with the identity (engine, plugin) it was made
// under and where it came from.
struct MergeFacts {
  Json merge;
  Json identity;
  std::string basis;  // "merge", "recorded merge", "recorded builds"
};

// From the merge result: what the builds recorded.
Result<Facts> FromMerge(const TaskContext& ctx, RegistryClient& registry, const AttestTarget& target,
                        const AttestSettings& settings, const MergeFacts& facts) {
  const Json& merge = facts.merge;
  const Json p = ctx.task.Params();
  const std::string tag = p.value("tag", target.version);
  Facts f;
  Json external = BaseExternal(ctx, target, registry);
  const Json& source = ObjectField(merge, "source");
  if (source.is_object() && !source.empty()) {
    Json s = Json::object();
    for (const char* k : {"type", "url", "ref"}) {
      if (source.contains(k)) s[k] = source[k];
    }
    // A merge result cached by an older version may hold a URL with credentials.
    if (s.contains("url") && s["url"].is_string()) s["url"] = RedactUrlCredentials(s["url"].get<std::string>());
    external["source"] = std::move(s);
  }
  AddSource(f, RedactUrlCredentials(StringField(source, "url")), StringField(source, "ref"), StringField(source, "commit"),
            tag, ctx);

  std::map<std::string, Json> recipes, builders, edits;
  if (merge.contains("manifests") && merge["manifests"].is_array()) {
    for (const Json& m : merge["manifests"]) {
      const std::string platform = StringField(m, "platform");
      const Json& build = ObjectField(m, "build");
      if (build.empty()) continue;
      if (build.contains("recipe") && build["recipe"].is_object()) {
        Json recipe = build["recipe"];
        recipe.erase("source");  // in externalParameters.source, once
        AddBuildArgUrls(f, ObjectField(recipe, "build_args"));
        recipes[platform] = std::move(recipe);
      }
      if (build.contains("builder") && build["builder"].is_object()) builders[platform] = build["builder"];
      if (build.contains("edits_applied")) edits[platform] = build["edits_applied"];
    }
  }
  // The platform manifests' annotations when the merge recorded them: the manifest's text
  // (checked against its digest, RecordedManifestOf), or an "annotations" object.
  std::map<std::string, Json> manifest_annotations;
  for (const Json& m : ArrayField(merge, "manifests")) {
    if (std::shared_ptr<const RecordedManifest> recorded = RecordedManifestOf(m)) {
      manifest_annotations[StringField(m, "digest")] = ObjectField(recorded->manifest, "annotations");
    } else if (const Json* a = FindField(m, "annotations"); a != nullptr && a->is_object()) {
      manifest_annotations[StringField(m, "digest")] = *a;
    }
  }
  const size_t n = target.platforms.size();
  if (recipes.size() != n) f.unknown.insert("recipe");
  if (builders.size() != n) f.unknown.insert("builder");
  if (edits.size() != n) f.unknown.insert("edits applied");
  PutCollapsed(external, "recipe", recipes);

  const Json& identity = facts.identity;
  Json internal = Json::object();
  PutCollapsed(internal, "builder", builders);
  PutCollapsed(internal, "edits_applied", edits);
  internal["engine"] = {{"name", "mirrorgraph"},
                        {"version", StringField(identity, "engine", MIRRORGRAPH_VERSION)}};
  if (identity.is_object() && identity.contains("plugin") && identity["plugin"].is_object()) {
    internal["plugin"] = identity["plugin"];
  }
  MG_RETURN_IF_ERROR(AddBaseImages(f, registry, target, manifest_annotations));

  std::vector<std::string> platforms;
  for (const AttestSubject& s : target.platforms) platforms.push_back(s.platform);
  std::optional<BuildTimes> times = BuildTimesFromMerge(merge, platforms.size());
  if (!times && !settings.state_dir.empty()) {
    TaskCoords coords = ctx.task.coords;
    coords.platform.clear();
    times = FindBuildTimes(settings.state_dir, FormatTaskId(TaskType::kBuild, coords), platforms);
  }
  f.input.invocation_id = settings.run_id;
  if (times) {
    f.input.started_on_millis = times->started_on;
    f.input.finished_on_millis = times->finished_on;
    f.input.invocation_id = times->run_id;
  } else {
    f.unknown.insert("startedOn");
    f.unknown.insert("finishedOn");
  }
  f.input.external_parameters = std::move(external);
  f.input.internal_parameters = std::move(internal);
  f.input.builder_version = {{"mirrorgraph", MIRRORGRAPH_VERSION}};
  return f;
}

// From the registry: the image was complete before this run, so only the index's annotations
// (written by the merge that made it) say where it came from.
Result<Facts> FromRegistry(const TaskContext& ctx, RegistryClient& registry, const AttestTarget& target,
                           const AttestSettings& settings, const std::string& why) {
  const Json p = ctx.task.Params();
  Result<Manifest> index = registry.GetManifest(target.repository, target.index_digest);
  if (!index.ok()) return index.status().WithContext("reading the annotations of " + target.index_digest);
  const Json& a = ObjectField(index->json, "annotations");
  auto annotation = [&](const char* key) { return StringField(a, key); };
  const std::string url = RedactUrlCredentials(annotation("org.opencontainers.image.source"));
  const std::string commit = annotation("org.opencontainers.image.revision");
  const std::string upstream_tag = annotation("dev.mirrorgraph.upstream.tag");
  const std::string tag = !upstream_tag.empty() ? upstream_tag : p.value("tag", target.version);

  Facts f;
  Json external = BaseExternal(ctx, target, registry);
  external["tag"] = tag;
  if (!url.empty()) external["source"] = {{"url", url}, {"ref", tag}};
  AddSource(f, url, tag, commit, tag, ctx);
  MG_RETURN_IF_ERROR(AddBaseImages(f, registry, target));
  for (const char* k : {"recipe", "builder", "edits applied", "engine", "plugin", "startedOn", "finishedOn"}) {
    f.unknown.insert(k);
  }
  const std::string version = annotation("org.opencontainers.image.version");
  Json shown_annotations = a.is_object() ? a : Json::object();
  if (!url.empty()) shown_annotations["org.opencontainers.image.source"] = url;
  Json internal = Json::object();
  internal[std::string(kReconstructedFromField)] = {{"index_annotations", shown_annotations}, {"why", why}};
  if (!version.empty() && version != target.version) {
    ctx.log("the index says it is version " + version + ", not " + target.version);
  }
  f.input.external_parameters = std::move(external);
  f.input.internal_parameters = std::move(internal);
  f.input.invocation_id = settings.run_id;
  return f;
}

// Whether `predicate` has the shape of ours: runDetails.builder is an object (whose id a run sets).
bool NamesItsBuilder(const Json& predicate) {
  const Json* builder = FindField(ObjectField(predicate, "runDetails"), "builder");
  return builder != nullptr && builder->is_object();
}

// The platform manifest digests a merge result lists, sorted; nullopt when one is malformed.
std::optional<std::vector<std::string>> MergeDigests(const Json& merge) {
  const Json* manifests = FindField(merge, "manifests");
  if (manifests == nullptr || !manifests->is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const Json& m : *manifests) {
    const std::string d = StringField(m, "digest");
    if (d.empty()) return std::nullopt;
    out.push_back(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// What earlier runs recorded about the target's index (ctx.recorded): the merge result that made
// it, else a merge result assembled from the build results that pushed its platform manifests.
// nullopt, with *why saying what is missing, when neither names exactly this index.
std::optional<MergeFacts> RecordedMerge(const TaskContext& ctx, const AttestTarget& target,
                                        const AttestSettings& settings, std::string* why) {
  std::vector<std::string> want;
  for (const AttestSubject& s : target.platforms) want.push_back(s.digest);
  std::sort(want.begin(), want.end());
  const std::string where = settings.state_dir.empty() ? std::string("this state directory")
                                                       : "the state directory " + settings.state_dir;
  *why = "no run recorded in " + where + " how it was built (its merge or its builds)";
  if (ctx.recorded == nullptr || !ctx.recorded->is_object()) return std::nullopt;
  std::map<std::string, const Json*> builds;  // platform manifest digest -> its recorded build entry
  for (const auto& [id, entry] : ctx.recorded->items()) {
    const Json* result = FindField(entry, "result");
    if (result == nullptr || !result->is_object()) continue;
    if (id.rfind("merge:", 0) == 0) {
      const std::string digest = StringField(*result, "digest");
      if (digest == target.index_digest && MergeDigests(*result) == want) {
        const Json* identity = FindField(entry, "identity");
        return MergeFacts{*result, identity != nullptr ? *identity : Json(), "recorded merge"};
      }
      *why = "the merge recorded in " + where + " made " + (digest.empty() ? std::string("no index") : digest) +
             ", not the index the tag names now";
    } else if (id.rfind("build:", 0) == 0) {
      const std::string digest = StringField(*result, "digest");
      if (!digest.empty()) builds[digest] = &entry;
    }
  }
  if (want.empty()) return std::nullopt;
  Json manifests = Json::array();
  const Json* first = nullptr;
  for (const AttestSubject& s : target.platforms) {
    auto b = builds.find(s.digest);
    if (b == builds.end()) return std::nullopt;
    const Json& result = (*b->second)["result"];
    if (first == nullptr) first = b->second;
    Json entry = {{"platform", s.platform}, {"digest", s.digest}, {"build", Json::object()}};
    for (const char* key : {"builder", "recipe", "edits_applied", "ran"}) {
      if (result.contains(key)) entry["build"][key] = result[key];
    }
    manifests.push_back(std::move(entry));
  }
  Json merge = {{"digest", target.index_digest}, {"manifests", std::move(manifests)}};
  const Json& first_result = (*first)["result"];
  if (first_result.contains("source") && first_result["source"].is_object()) merge["source"] = first_result["source"];
  const Json* identity = FindField(*first, "identity");
  return MergeFacts{std::move(merge), identity != nullptr ? *identity : Json(), "recorded builds"};
}

std::vector<AttestedPredicate> CachedSubjects(const Json& cached) {
  std::vector<AttestedPredicate> out;
  if (cached.contains("subjects") && cached["subjects"].is_array()) {
    for (const Json& s : cached["subjects"]) {
      if (s.is_object()) out.push_back({StringField(s, "subject"), StringField(s, "predicate_sha256")});
    }
  }
  return out;
}

}  // namespace

std::string BaseImageUri(const std::string& name, const std::string& platform) {
  std::string repo = name, tag = "latest";
  size_t at = repo.find('@');
  if (at != std::string::npos) repo.resize(at);
  size_t slash = repo.rfind('/');
  size_t colon = repo.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    tag = repo.substr(colon + 1);
    repo.resize(colon);
  }
  std::string uri = "pkg:docker/" + repo + "@" + tag;
  if (!platform.empty()) {
    std::string encoded;
    for (char c : platform) encoded += c == '/' ? std::string("%2F") : std::string(1, c);
    uri += "?platform=" + encoded;
  }
  return uri;
}

std::optional<BuildTimes> BuildTimesFromMerge(const Json& merge, size_t platforms) {
  const Json& manifests = ArrayField(merge, "manifests");
  if (platforms == 0 || manifests.size() != platforms) return std::nullopt;
  std::optional<BuildTimes> t;
  for (const Json& m : manifests) {
    const Json& ran = ObjectField(ObjectField(m, "build"), "ran");
    const std::optional<int64_t> started = IntField(ran, "started_on"), finished = IntField(ran, "finished_on");
    const std::string run = StringField(ran, "run_id");
    if (!started || !finished || *started <= 0 || *finished < *started || run.empty()) return std::nullopt;
    if (!t) {
      t = BuildTimes{*started, *finished, run};
      continue;
    }
    t->started_on = std::min(t->started_on, *started);
    if (*finished >= t->finished_on) {
      t->finished_on = *finished;
      t->run_id = run;
    }
  }
  return t;
}

std::optional<BuildTimes> FindBuildTimes(const std::string& state_dir, const std::string& build_id_prefix,
                                         const std::vector<std::string>& platforms, size_t max_runs) {
  if (state_dir.empty() || platforms.empty()) return std::nullopt;
  std::set<std::string> wanted;
  for (const std::string& p : platforms) wanted.insert(NormalizePlatform(p));
  std::vector<std::string> runs;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(state_dir + "/runs", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0) runs.push_back(name.substr(0, name.size() - 4));
  }
  std::sort(runs.rbegin(), runs.rend());
  if (runs.size() > max_runs) runs.resize(max_runs);

  struct Found {
    int64_t started = 0, finished = 0;
    std::string run;
  };
  std::map<std::string, Found> found;  // normalised platform -> its newest build
  const std::string prefix = build_id_prefix + "/";
  for (const std::string& run : runs) {
    Result<std::vector<Json>> events = RunJournal::Read(state_dir, run);
    if (!events.ok()) continue;
    std::map<std::string, Found> in_run;
    for (const Json& e : *events) {
      if (StringField(e, "event") != "task" || StringField(e, "type") != "build" || StringField(e, "status") != "ran") continue;
      const std::string id = StringField(e, "id");
      if (id.rfind(prefix, 0) != 0) continue;
      const std::string platform = NormalizePlatform(id.substr(prefix.size()));
      if (wanted.count(platform) == 0 || found.count(platform) > 0) continue;
      const int64_t started = IntField(e, "started_at").value_or(0), finished = IntField(e, "finished_at").value_or(0);
      if (started <= 0 || finished < started) continue;
      in_run[platform] = {started, finished, run};
    }
    found.insert(in_run.begin(), in_run.end());
    if (found.size() == wanted.size()) break;
  }
  if (found.size() != wanted.size()) return std::nullopt;
  BuildTimes t;
  t.started_on = found.begin()->second.started;
  for (const auto& [platform, f] : found) {
    t.started_on = std::min(t.started_on, f.started);
    if (f.finished >= t.finished_on) {
      t.finished_on = f.finished;
      t.run_id = f.run;
    }
  }
  return t;
}

std::vector<std::string> ExplainProvenanceResult(const Json& result, const Json* recorded_merge) {
  std::vector<std::string> out;
  if (!result.is_object()) return out;
  const Json* predicate = FindField(result, "predicate");
  const std::string index = StringField(result, "index");
  if (std::optional<ReconstructedProvenance> r = predicate != nullptr ? FindReconstructed(*predicate) : std::nullopt) {
    out.push_back("provenance: RECONSTRUCTED from the index annotations of " + index +
                  (r->why.empty() ? std::string() : ": " + r->why));
    if (!r->unknown.empty()) out.push_back("it does not say: " + Join(r->unknown, ", "));
    if (recorded_merge != nullptr && StringField(*recorded_merge, "digest") == index && !index.empty()) {
      out.push_back("the merge result of " + index + " is recorded now: the next run replaces it with the full provenance");
    } else {
      out.push_back("a run with the state directory that built " + (index.empty() ? std::string("it") : index) +
                    " replaces it; rebuilding (delete the tag, run again) also does");
    }
    return out;
  }
  const std::string basis = StringField(result, "basis");
  out.push_back("provenance: from the " + (basis.empty() ? std::string("merge") : basis) + " of " + index);
  const Json* unknown = FindField(result, "unknown");
  if (unknown != nullptr && unknown->is_array() && !unknown->empty()) {
    std::vector<std::string> u;
    for (const Json& x : *unknown) {
      if (x.is_string()) u.push_back(x.get<std::string>());
    }
    out.push_back("unknown: " + Join(u, ", "));
  }
  const std::string replaced = StringField(result, "replaced");
  if (!replaced.empty()) out.push_back("it replaced a reconstructed provenance (" + replaced + ")");
  return out;
}

TaskOutcome RunProvenanceTask(const TaskContext& ctx, RegistryClient& registry, const AttestSettings& settings) {
  Result<std::shared_ptr<Signer>> signer = AttestSigner(settings);
  if (!signer.ok()) return {signer.status(), {}};
  Result<AttestTarget> target = ResolveAttestTarget(ctx, registry);
  if (!target.ok()) return {target.status(), {}};

  // The best facts known about how the index was made.
  std::optional<MergeFacts> merge;
  std::string unrecorded;  // why there are none, when there are none
  if (target->merge_result != nullptr) {
    merge = MergeFacts{*target->merge_result, ctx.task.Identity(), "merge"};
  } else {
    merge = RecordedMerge(ctx, *target, settings, &unrecorded);
  }

  const std::string builder_id = settings.builder_id.empty() ? std::string(kDefaultBuilderId) : settings.builder_id;
  const Json* cached = ctx.cached_result;
  std::optional<ReconstructedProvenance> cached_reconstructed;
  if (cached != nullptr && cached->is_object() && cached->contains("predicate")) {
    cached_reconstructed = FindReconstructed((*cached)["predicate"]);
  }
  if (cached != nullptr) {
    Result<std::string> why = std::string();
    if (StringField(*cached, "builder_id") != builder_id) {
      why = "the builder id changed to " + builder_id;
    } else if (cached_reconstructed && merge) {
      why = "it was reconstructed from the index annotations, and the " + merge->basis + " of " +
            target->index_digest + " is known now";
    } else {
      why = RecheckAttestations(registry, *target, StringField(*cached, "index"), CachedSigner(*cached),
                                CachedSubjects(*cached), kSlsaProvenanceV1PredicateType, "the provenance",
                                **signer);
    }
    if (!why.ok()) return {why.status().WithContext("re-checking the provenance of " + target->index_digest), {}};
    if (why->empty()) {
      std::string note = "re-checked the provenance of " + std::to_string(target->All().size()) + " manifest(s) of " +
                         target->index_digest;
      if (cached_reconstructed) note += " (reconstructed: " + unrecorded + ")";
      return {Status::OK(), {}, true, note};
    }
    ctx.log("attaching the provenance again: " + *why);
  }

  Facts facts;
  Json predicate;
  std::string basis;
  const bool same_index = cached != nullptr && StringField(*cached, "index") == target->index_digest &&
                          NamesItsBuilder(ObjectField(*cached, "predicate"));
  // An earlier run's predicate of this very index is kept as it was (its facts were at least as
  // good), unless this run merged or it was reconstructed and the recorded facts are known now —
  // and unless it came from the remote cache tier: anyone with push rights there can write a
  // result, and what is signed here must come from this machine's runs or from the registry,
  // where a predicate of ours verifies under the key (docs/cache.md, "Trust model").
  const bool keeps_cached = same_index && (!merge || (merge->basis != "merge" && !cached_reconstructed));
  const bool reuse_cached = keeps_cached && !ctx.cached_result_remote;
  if (keeps_cached && ctx.cached_result_remote) {
    ctx.log("not re-signing the predicate of the remote cache's provenance result: rebuilt from what this machine knows");
  }
  // Without recorded facts or a cached predicate (a new state directory, e.g. a fresh CI runner),
  // a provenance of ours already attached to the index is the best there is: a full one, else a
  // reconstructed one (attached again rather than a new reconstruction on every run).
  std::optional<Json> attached;
  if (!reuse_cached && !merge) {
    Result<std::vector<Json>> found = AttachedPredicates(registry, target->repository, target->index_digest,
                                                         kSlsaProvenanceV1PredicateType, **signer);
    if (!found.ok()) return {found.status().WithContext("reading the provenance attached to " + target->index_digest), {}};
    for (const Json& p : *found) {
      if (!NamesItsBuilder(p)) continue;  // not one of ours
      if (!FindReconstructed(p)) {
        attached = p;
        break;
      }
      if (!attached) attached = p;
    }
  }
  if (attached) {
    const bool full = !FindReconstructed(*attached);
    ctx.log("re-attaching the " + std::string(full ? "" : "reconstructed ") + "provenance already attached to " +
            target->index_digest + " (nothing recorded here says more)");
    predicate = std::move(*attached);
    for (const std::string& u :
         StringsField(ObjectField(ObjectField(predicate, "buildDefinition"), "internalParameters"), "unknown")) {
      facts.unknown.insert(u);
    }
    predicate["runDetails"]["builder"]["id"] = builder_id;
    basis = full ? "attached provenance" : "index annotations";
  } else if (reuse_cached) {
    ctx.log("re-attaching the provenance recorded when " + target->index_digest + " was built");
    facts.source = ObjectField(*cached, "source");
    for (const Json& u : ArrayField(*cached, "unknown")) {
      if (u.is_string()) facts.unknown.insert(u.get<std::string>());
    }
    basis = StringField(*cached, "basis", cached_reconstructed ? "index annotations" : "cached predicate");
    predicate = (*cached)["predicate"];
    predicate["runDetails"]["builder"]["id"] = builder_id;
  } else {
    std::string why_reconstructed;
    if (!merge) {
      why_reconstructed = "the image was complete before this run, so its build was not observed, and " + unrecorded;
      ctx.log("reconstructing the provenance from the index annotations: " + why_reconstructed);
    } else if (merge->basis != "merge") {
      ctx.log("the provenance from the " + merge->basis + " of " + target->index_digest + " (the image was complete before this run)");
    }
    Result<Facts> found = merge ? FromMerge(ctx, registry, *target, settings, *merge)
                                : FromRegistry(ctx, registry, *target, settings, why_reconstructed);
    if (!found.ok()) return {found.status(), {}};
    facts = std::move(*found);
    basis = merge ? merge->basis : "index annotations";
    if (!facts.unknown.empty()) {
      facts.input.internal_parameters["unknown"] = Json(std::vector<std::string>(facts.unknown.begin(), facts.unknown.end()));
    }
    facts.input.builder_id = builder_id;
    Result<Json> built = BuildSlsaProvenance(facts.input);
    if (!built.ok()) return {built.status().WithContext("the provenance of " + target->index_digest), {}};
    predicate = std::move(*built);
  }
  const std::optional<ReconstructedProvenance> reconstructed = FindReconstructed(predicate);
  const std::string predicate_sha256 = PredicateSha256(predicate);

  // Attached to every manifest at once: each has its own .att tag. A full predicate takes the
  // place of reconstructed ones of ours (an earlier run's, before the facts were known).
  if (ctx.cancel.load()) return {Status::Cancelled("cancelled while attaching the provenance of " + target->repository), {}};
  const std::vector<AttestSubject> all = target->All();
  std::vector<std::optional<Result<bool>>> wrote(all.size());
  std::vector<size_t> superseded(all.size(), 0);
  const std::function<bool(const Json&)> weaker = [&](const Json& other) {
    return !reconstructed && FindReconstructed(other).has_value();
  };
  Status ran = RunEach(all.size(), [&](size_t i) {
    wrote[i] = AttachAttestationReplacing(registry, target->repository, all[i].digest,
                                          std::string(kSlsaProvenanceV1PredicateType), predicate, **signer, weaker,
                                          &superseded[i]);
  });
  if (!ran.ok()) return {ran.WithContext("attaching the provenance of " + target->index_digest), {}};
  Json subjects = Json::array();
  int added = 0;
  size_t removed = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    const AttestSubject& s = all[i];
    const Result<bool>& w = *wrote[i];
    if (!w.ok()) return {w.status().WithContext("attaching the provenance of " + DescribeSubject(s.platform, s.digest)), {}};
    ctx.log((*w ? "attached the provenance of " : "the provenance is already attached: ") + DescribeSubject(s.platform, s.digest) +
            (superseded[i] > 0 ? " (in place of " + std::to_string(superseded[i]) + " reconstructed one(s))" : ""));
    added += *w ? 1 : 0;
    removed += superseded[i];
    subjects.push_back({{"subject", s.digest}, {"platform", s.platform}, {"predicate_sha256", predicate_sha256}});
  }
  const size_t count = subjects.size();
  Json result = {{"index", target->index_digest},
                 {"subjects", std::move(subjects)},
                 {"added", added},
                 {"builder_id", builder_id},
                 {"basis", basis},
                 {"predicate", predicate},
                 {"unknown", Json(std::vector<std::string>(facts.unknown.begin(), facts.unknown.end()))}};
  AddSignerFields(**signer, &result);
  if (!facts.source.empty()) result["source"] = facts.source;
  if (reconstructed) result["reconstructed"] = reconstructed->why;
  if (!reconstructed && (cached_reconstructed || removed > 0)) {
    result["replaced"] = cached_reconstructed && !cached_reconstructed->why.empty()
                             ? cached_reconstructed->why
                             : std::string("a reconstructed provenance found in the registry");
  }
  std::string note = "attached the provenance of " + std::to_string(count) + " manifest(s), " + std::to_string(added) +
                     " new, from the " + basis;
  if (reconstructed) note += " (reconstructed)";
  if (result.contains("replaced")) note += ", replacing a reconstructed one";
  if (!facts.unknown.empty()) note += "; unknown: " + Join(std::vector<std::string>(facts.unknown.begin(), facts.unknown.end()), ", ");
  return {Status::OK(), std::move(result), false, note};
}

}  // namespace mg
