// The sbom task: an SPDX 2.3 SBOM for every platform image of a version, and one covering every
// platform for the index, each attached as a signed cosign attestation (predicate type
// https://spdx.dev/Document) to its digest (docs/attestations.md, "The sbom task"). Result:
//   {"index": "sha256:...", "added": n, "public_key_sha256": "sha256:...",
//    "documents": [{"subject": "sha256:...", "platform": "linux/amd64" | "" (index),
//                   "packages": N, "predicate_sha256": "sha256:..."}, ...]}   (index first)
// Documents are deterministic: the creation time is the image config's "created" (the index
// document: the latest of its images'), so a rerun builds equal statements and adds nothing.
// A cache hit is re-checked: same index, platforms and key, and every document still attached
// and verifying -> reused; anything else -> scanned and attached again (adding only what is missing).
#include "tasks/sbom_task.h"

#include <cstdio>
#include <optional>

#include "oci/media_types.h"
#include "sbom/registry_layers.h"
#include "sbom/spdx.h"
#include "sign/cosign_storage.h"
#include "sign/intoto.h"
#include "tasks/attest_common.h"
#include "tasks/attest_parallel.h"
#include "tasks/attest_recheck.h"
#include "tasks/attest_tasks.h"
#include "util/clock.h"
#include "util/sha256.h"

namespace mg {
namespace {

struct ScannedImage {
  std::string platform;
  std::string digest;
  std::string created;  // SPDX form
  ScanResult scan;
  std::vector<std::string> notes;  // for the task's log, written by the task's thread
};

// The image's "created" in SPDX form, or the fallback with a note saying why.
void SetCreated(ScannedImage& image, const std::string& created) {
  if (std::optional<std::string> c = SpdxCreatedFrom(created)) {
    image.created = *c;
    return;
  }
  image.notes.push_back(
      "the image config of " + DescribeSubject(image.platform, image.digest) + " has no usable \"created\" (" +
      (created.empty() ? std::string("none") : "\"" + created + "\"") + "): the SBOM says " + kSpdxFallbackCreated);
}

// Streams the image's layers into the scanner. The manifest and the config's "created" come from
// the merge result of this run when it recorded them (subject.recorded), else they are read: a GET
// of the manifest and one of its config.
Result<ScannedImage> Scan(RegistryClient& registry, const std::string& repo, const AttestSubject& subject) {
  const std::string where = registry.registry() + "/" + repo + "@" + subject.digest;
  ScannedImage image{subject.platform, subject.digest, kSpdxFallbackCreated, {}, {}};
  Json read_manifest;
  const Json* manifest_json = nullptr;
  if (subject.recorded != nullptr) {
    if (!IsManifestMediaType(subject.recorded->media_type)) {
      return Status::FailedPrecondition(where + " is a " + subject.recorded->media_type +
                                        ", not an image manifest to scan");
    }
    manifest_json = &subject.recorded->manifest;
    if (!StringField(ObjectField(*manifest_json, "config"), "digest").empty()) {
      SetCreated(image, subject.recorded->config_created);
    }
  } else {
    Result<Manifest> manifest = registry.GetManifest(repo, subject.digest);
    if (!manifest.ok()) return manifest.status().WithContext("reading the image manifest " + where);
    if (!IsManifestMediaType(manifest->media_type)) {
      return Status::FailedPrecondition(where + " is a " + manifest->media_type + ", not an image manifest to scan");
    }
    read_manifest = std::move(manifest->json);
    manifest_json = &read_manifest;
    const std::string config_digest = StringField(ObjectField(*manifest_json, "config"), "digest");
    if (!config_digest.empty()) {
      Result<std::string> blob = registry.GetBlob(repo, config_digest, size_t{4} << 20);
      if (!blob.ok()) return blob.status().WithContext("reading the image config of " + where);
      SetCreated(image, StringField(ParseJson(*blob), "created"));
    }
  }
  LayerScanner scanner;
  Status scanned = ScanManifestLayers(registry, repo, *manifest_json, scanner);
  if (!scanned.ok()) return scanned.WithContext("scanning " + where);
  Result<ScanResult> result = scanner.Finish();
  if (!result.ok()) return result.status().WithContext("scanning " + where);
  image.scan = std::move(*result);
  image.notes.push_back("scanned " + DescribeSubject(subject.platform, subject.digest) + ": " +
                        std::to_string(image.scan.packages.size()) + " package(s) in " +
                        std::to_string(image.scan.layers) + " layer(s)");
  for (const std::string& w : image.scan.warnings) image.notes.push_back("warning: " + w);
  return image;
}

std::vector<AttestedPredicate> CachedDocuments(const Json& cached) {
  std::vector<AttestedPredicate> out;
  if (cached.contains("documents") && cached["documents"].is_array()) {
    for (const Json& d : cached["documents"]) {
      if (d.is_object()) out.push_back({StringField(d, "subject"), StringField(d, "predicate_sha256")});
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> SpdxCreatedFrom(std::string_view s) {
  const std::optional<int64_t> millis = ParseRfc3339(s);
  if (!millis) return std::nullopt;
  const int64_t seconds = *millis >= 0 ? *millis / 1000 : -((-*millis + 999) / 1000);  // floor
  const std::string text = FormatRfc3339(seconds * 1000);  // "YYYY-MM-DDThh:mm:ss.000Z"
  if (text.size() != 24 || text[0] == '-') return std::nullopt;  // a year SPDX cannot write
  return text.substr(0, 19) + "Z";
}

TaskOutcome RunSbomTask(const TaskContext& ctx, RegistryClient& registry, const AttestSettings& settings) {
  Result<std::shared_ptr<Signer>> signer = AttestSigner(settings);
  if (!signer.ok()) return {signer.status(), {}};
  Result<AttestTarget> target = ResolveAttestTarget(ctx, registry);
  if (!target.ok()) return {target.status(), {}};

  if (ctx.cached_result != nullptr) {
    Result<std::string> why =
        RecheckAttestations(registry, *target, StringField(*ctx.cached_result, "index"),
                            CachedSigner(*ctx.cached_result), CachedDocuments(*ctx.cached_result),
                            kSpdxPredicateType, "the SPDX SBOM", **signer);
    if (!why.ok()) return {why.status().WithContext("re-checking the SBOMs of " + target->index_digest), {}};
    if (why->empty()) {
      return {Status::OK(), {}, true,
              "re-checked " + std::to_string(target->All().size()) + " SBOM(s) of " + target->index_digest};
    }
    ctx.log("attaching the SBOMs again: " + *why);
  }

  // The images: every platform manifest of the index, or the one image the tag names. Scanned at
  // once (each streams its own layers; memory stays bounded per image).
  std::vector<AttestSubject> images = target->platforms;
  const bool is_index = !images.empty();
  if (!is_index) images.push_back({"", target->index_digest, nullptr});
  if (ctx.cancel.load()) return {Status::Cancelled("cancelled while scanning " + target->repository), {}};
  std::vector<std::optional<Result<ScannedImage>>> results(images.size());
  Status ran = RunEach(images.size(), [&](size_t i) { results[i] = Scan(registry, target->repository, images[i]); });
  if (!ran.ok()) return {ran.WithContext("scanning the images of " + target->index_digest), {}};
  std::vector<ScannedImage> scanned;
  for (std::optional<Result<ScannedImage>>& r : results) {
    if (!r->ok()) return {r->status(), {}};
    for (const std::string& note : (*r)->notes) ctx.log(note);
    scanned.push_back(std::move(r->value()));
  }

  // The documents: the index's first (it covers every platform), then one per image.
  const std::string repository = registry.registry() + "/" + target->repository;
  struct Document {
    SpdxInput input;
    std::string subject, platform;
    size_t packages = 0;
  };
  std::vector<Document> docs;
  if (is_index) {
    Document all;
    all.input.repository = repository;
    all.input.tag = target->version;
    all.input.index_digest = target->index_digest;
    all.input.created = kSpdxFallbackCreated;
    all.subject = target->index_digest;
    for (const ScannedImage& i : scanned) {
      all.input.images.push_back({i.digest, i.platform, i.scan});
      all.input.created = std::max(all.input.created, i.created);  // fixed-width form: text order is time order
      all.packages += i.scan.packages.size();
    }
    docs.push_back(std::move(all));
  }
  for (ScannedImage& i : scanned) {
    Document one;
    one.input.repository = repository;
    one.input.tag = target->version;
    one.input.created = i.created;
    one.subject = i.digest;
    one.platform = i.platform;
    one.packages = i.scan.packages.size();
    one.input.images.push_back({i.digest, i.platform, std::move(i.scan)});
    docs.push_back(std::move(one));
  }

  // Built and attached at once: each document goes to its own .att tag.
  if (ctx.cancel.load()) return {Status::Cancelled("cancelled while attaching the SBOMs of " + target->repository), {}};
  std::vector<Status> statuses(docs.size());
  // char, not bool: RunEach's threads write their own elements at once, which vector<bool>'s packed
  // bits would make a data race.
  std::vector<char> wrote(docs.size(), 0);
  std::vector<std::string> hashes(docs.size());
  ran = RunEach(docs.size(), [&](size_t i) {
    const Document& d = docs[i];
    // Serialised once: the statement is written around this text and its hash is PredicateSha256's.
    Result<std::string> doc = WriteSpdx(d.input);
    if (!doc.ok()) {
      statuses[i] = doc.status().WithContext("the SBOM of " + DescribeSubject(d.platform, d.subject));
      return;
    }
    hashes[i] = Sha256Digest(*doc);
    Result<bool> w = AttachCanonicalAttestation(registry, target->repository, d.subject,
                                                std::string(kSpdxPredicateType), *doc, **signer);
    if (!w.ok()) {
      statuses[i] = w.status().WithContext("attaching the SBOM of " + DescribeSubject(d.platform, d.subject));
      return;
    }
    wrote[i] = *w;
  });
  if (!ran.ok()) return {ran.WithContext("attaching the SBOMs of " + target->index_digest), {}};
  Json documents = Json::array();
  int added = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (!statuses[i].ok()) return {statuses[i], {}};
    ctx.log((wrote[i] ? "attached the SBOM of " : "the SBOM is already attached: ") +
            DescribeSubject(docs[i].platform, docs[i].subject));
    added += wrote[i] ? 1 : 0;
    documents.push_back({{"subject", docs[i].subject},
                         {"platform", docs[i].platform},
                         {"packages", static_cast<int64_t>(docs[i].packages)},
                         {"predicate_sha256", hashes[i]}});
  }

  const size_t count = documents.size();
  Json result = {{"index", target->index_digest},
                 {"documents", std::move(documents)},
                 {"added", added}};
  AddSignerFields(**signer, &result);
  return {Status::OK(), std::move(result), false,
          "attached " + std::to_string(count) + " SBOM(s), " + std::to_string(added) + " new"};
}

}  // namespace mg
