// What `mirrorgraph prune` deletes from one repository (docs/cli.md, "prune"): pure decisions over
// the repository's tags and the manifests they name, so that they can be tested without a registry.
// The command (cli/prune_command.cc) does the reading and the deleting.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace mg {

// The tags of one repository, sorted into what prune may touch.
struct TagClasses {
  std::vector<std::string> window;     // version tags of versions in the window (discovered now)
  std::vector<std::string> kept;       // version tags beyond the window kept by `keep`, newest first
  std::vector<std::string> doomed;     // version tags beyond the window and `keep`, newest first
  std::vector<std::string> attached;   // cosign's "sha256-<hex>.sig|.att|.sbom" tags
  std::vector<std::string> others;     // "latest" and every tag that is not a version: never pruned
};

// Sorts `tags`: a tag is a version tag when it parses as a version (util/semver.h); it is in the
// window when it is the same version as one of `window_versions`; the others are ordered newest
// first and the first `keep` of them are kept. Pure; the output lists are deterministic.
TagClasses ClassifyTags(const std::vector<std::string>& tags, const std::vector<std::string>& window_versions,
                        int keep);

// The suffixes of cosign's attached-artifact tags prune removes with their subject.
const std::vector<std::string>& CosignSuffixes();

// One doomed tag, as read from the registry.
struct DoomedImage {
  std::string tag;
  std::string digest;                 // what the tag names (an index, or a single manifest)
  std::vector<std::string> children;  // the manifests an index references; empty for a manifest
};

// One manifest to delete, in order.
struct Deletion {
  std::string digest;
  std::string what;  // "signatures of sha256:…", "attestations of …", "index 1.0.0", "linux/arm64 manifest of 1.0.0"
};

// The plan for one doomed tag: its deletions in a safe order (what is attached first, then the
// tag's own manifest, then its children), or why it is skipped.
struct PrunePlan {
  std::string tag;
  std::string digest;
  std::vector<Deletion> deletions;
  std::string skipped;  // non-empty: nothing of this tag is deleted, and why
};

// Plans the deletion of `image`. `protected_digests` are the manifests that kept tags name or
// reference (directly or through an index), and the manifests of their attached artifacts: never
// deleted. When the tag's own digest is protected (another kept tag names the same manifest, and a
// manifest delete removes every tag naming it) the tag is skipped. A child that is protected is
// left (another kept index shares it). `attached` maps each attached-artifact tag present in the
// repository to the digest of its manifest. `platform_of` names a child for messages ("" when
// unknown). Pure.
PrunePlan PlanPrune(const DoomedImage& image, const std::set<std::string>& protected_digests,
                    const std::map<std::string, std::string>& attached,
                    const std::map<std::string, std::string>& platform_of);

}  // namespace mg
