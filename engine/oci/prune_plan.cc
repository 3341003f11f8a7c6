#include "oci/prune_plan.h"

#include <algorithm>
#include <optional>

#include "oci/reference.h"
#include "util/semver.h"

namespace mg {
namespace {

bool IsHex64(const std::string& s, size_t from) {
  if (s.size() < from + 64) return false;
  return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(from), s.begin() + static_cast<std::ptrdiff_t>(from + 64),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool IsAttachedTag(const std::string& tag) {
  if (tag.rfind("sha256-", 0) != 0 || !IsHex64(tag, 7)) return false;
  const std::string rest = tag.substr(7 + 64);
  for (const std::string& suffix : CosignSuffixes()) {
    if (rest == "." + suffix) return true;
  }
  return false;
}

const char* SuffixNoun(const std::string& suffix) {
  if (suffix == "sig") return "signatures";
  if (suffix == "att") return "attestations";
  return "SBOM";
}

}  // namespace

const std::vector<std::string>& CosignSuffixes() {
  static const std::vector<std::string> suffixes = {"sig", "att", "sbom"};
  return suffixes;
}

TagClasses ClassifyTags(const std::vector<std::string>& tags, const std::vector<std::string>& window_versions,
                        int keep) {
  std::vector<Version> window;
  for (const std::string& w : window_versions) {
    if (std::optional<Version> v = ParseVersion(w)) window.push_back(*v);
  }
  TagClasses out;
  std::vector<std::pair<Version, std::string>> beyond;
  std::vector<std::string> sorted = tags;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (const std::string& tag : sorted) {
    if (IsAttachedTag(tag)) {
      out.attached.push_back(tag);
      continue;
    }
    std::optional<Version> v = tag == "latest" ? std::nullopt : ParseVersion(tag);
    if (!v) {
      out.others.push_back(tag);
      continue;
    }
    const bool in_window =
        std::any_of(window.begin(), window.end(), [&](const Version& w) { return SameVersion(w, *v); });
    if (in_window) {
      out.window.push_back(tag);
    } else {
      beyond.emplace_back(std::move(*v), tag);
    }
  }
  std::sort(beyond.begin(), beyond.end(), [](const auto& a, const auto& b) { return CompareVersions(a.first, b.first) > 0; });
  for (size_t i = 0; i < beyond.size(); ++i) {
    (static_cast<int>(i) < keep ? out.kept : out.doomed).push_back(beyond[i].second);
  }
  return out;
}

PrunePlan PlanPrune(const DoomedImage& image, const std::set<std::string>& protected_digests,
                    const std::map<std::string, std::string>& attached,
                    const std::map<std::string, std::string>& platform_of) {
  PrunePlan plan;
  plan.tag = image.tag;
  plan.digest = image.digest;
  if (protected_digests.count(image.digest) > 0) {
    plan.skipped = "a kept tag names the same manifest " + image.digest +
                   " (deleting it would delete that tag too); untag it by hand if it should go";
    return plan;
  }
  std::vector<std::pair<std::string, std::string>> subjects;  // digest, how to name it
  for (const std::string& child : image.children) {
    if (child == image.digest) continue;
    auto p = platform_of.find(child);
    subjects.emplace_back(child, (p != platform_of.end() && !p->second.empty() ? p->second + " manifest" : "manifest " + child) +
                                     " of " + image.tag);
  }
  subjects.emplace_back(image.digest, (image.children.empty() ? "manifest " : "index ") + image.tag);
  std::set<std::string> planned;
  auto add = [&](const std::string& digest, const std::string& what) {
    if (digest.empty() || protected_digests.count(digest) > 0 || !planned.insert(digest).second) return;
    plan.deletions.push_back({digest, what});
  };
  // What is attached first: an interrupted prune never leaves a signature whose subject is gone
  // while the subject's tag remains findable, and a rerun finds the rest through the tag.
  for (const auto& [digest, name] : subjects) {
    for (const std::string& suffix : CosignSuffixes()) {
      auto a = attached.find(CosignTag(digest, suffix));
      if (a != attached.end()) add(a->second, std::string(SuffixNoun(suffix)) + " of " + name);
    }
  }
  add(image.digest, subjects.back().second);
  for (size_t i = 0; i + 1 < subjects.size(); ++i) add(subjects[i].first, subjects[i].second);
  return plan;
}

}  // namespace mg
