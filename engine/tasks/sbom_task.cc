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
#include "util/sha256.h"

namespace mg {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool Digits(std::string_view s, size_t at, size_t n, int* out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

struct ScannedImage {
  std::string platform;
  std::string digest;
  std::string created;  // SPDX form
  ScanResult scan;
  std::vector<std::string> notes;  // for the task's log, written by the task's thread
};

// GETs the image manifest and its config (for "created"), then streams its layers into the scanner.
Result<ScannedImage> Scan(RegistryClient& registry, const std::string& repo, const AttestSubject& subject) {
  const std::string where = registry.registry() + "/" + repo + "@" + subject.digest;
  Result<Manifest> manifest = registry.GetManifest(repo, subject.digest);
  if (!manifest.ok()) return manifest.status().WithContext("reading the image manifest " + where);
  if (!IsManifestMediaType(manifest->media_type)) {
    return Status::FailedPrecondition(where + " is a " + manifest->media_type + ", not an image manifest to scan");
  }
  ScannedImage image{subject.platform, subject.digest, kSpdxFallbackCreated, {}, {}};
  const std::string config_digest = StringField(ObjectField(manifest->json, "config"), "digest");
  if (!config_digest.empty()) {
    Result<std::string> blob = registry.GetBlob(repo, config_digest, size_t{4} << 20);
    if (!blob.ok()) return blob.status().WithContext("reading the image config of " + where);
    const Json parsed = ParseJson(*blob);
    const std::string created = StringField(parsed, "created");
    if (std::optional<std::string> c = SpdxCreatedFrom(created)) {
      image.created = *c;
    } else {
      image.notes.push_back("the image config of " + DescribeSubject(subject.platform, subject.digest) +
                            " has no usable \"created\" (" +
                            (created.empty() ? std::string("none") : "\"" + created + "\"") + "): the SBOM says " +
                            kSpdxFallbackCreated);
    }
  }
  LayerScanner scanner;
  Status scanned = ScanManifestLayers(registry, repo, manifest->json, scanner);
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
  // YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm)
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, &year) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &month) || s[7] != '-' ||
      !Digits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, &hour) || s[13] != ':' ||
      !Digits(s, 14, 2, &minute) || s[16] != ':' || !Digits(s, 17, 2, &second)) {
    return std::nullopt;
  }
  size_t at = 19;
  if (at < s.size() && s[at] == '.') {
    ++at;
    size_t start = at;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') ++at;
    if (at == start) return std::nullopt;
  }
  int offset_minutes = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z') && at + 1 == s.size()) {
    // UTC
  } else if (at < s.size() && (s[at] == '+' || s[at] == '-') && at + 6 == s.size() && s[at + 3] == ':') {
    int oh, om;
    if (!Digits(s, at + 1, 2, &oh) || !Digits(s, at + 4, 2, &om) || oh > 23 || om > 59) return std::nullopt;
    offset_minutes = (oh * 60 + om) * (s[at] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  // Leap seconds fold into the next second's minute like any other overflow.
  int64_t total = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  int64_t days = total >= 0 ? total / 86400 : -((-total + 86399) / 86400);
  int64_t secs = total - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y < 0 || y > 9999) return std::nullopt;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(y), m, d,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return std::string(buf);
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
  if (!is_index) images.push_back({"", target->index_digest});
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
  std::vector<bool> wrote(docs.size(), false);
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
