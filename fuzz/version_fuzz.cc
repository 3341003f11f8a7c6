// Tag patterns and versions (sources/tag_pattern.h, util/semver.h). Input: the first line is a
// tag pattern (from mirror.toml), every other line an upstream tag. Checks that Compile accepts
// exactly what ValidateTagPattern accepts, that CompareVersions is a consistent total order, and
// that SelectVersions does not depend on the input order.
#include <algorithm>
#include <cstdint>
#include <set>
#include <vector>

#include "fuzz_util.h"
#include "sources/tag_pattern.h"
#include "util/semver.h"

namespace {

int Sign(int v) { return (v > 0) - (v < 0); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [pattern, rest] = mg::fuzz::SplitFirstLine(mg::fuzz::AsView(data, size));
  // Upstream tag names are unique (git refs, release names): duplicates are dropped. At most 32
  // tags per input keep the pairwise checks cheap.
  std::vector<std::string> tags;
  std::set<std::string> seen;
  while (!rest.empty() && tags.size() < 32) {
    auto [line, tail] = mg::fuzz::SplitFirstLine(rest);
    if (seen.emplace(line).second) tags.emplace_back(line);
    rest = tail;
  }

  const bool valid = mg::ValidateTagPattern(std::string(pattern)).ok();
  mg::Result<mg::TagPattern> compiled = mg::TagPattern::Compile(std::string(pattern));
  if (valid != compiled.ok()) mg::fuzz::Violated("ValidateTagPattern and Compile disagree", pattern);

  std::vector<mg::Candidate> candidates;
  std::vector<mg::Version> versions;
  for (const std::string& tag : tags) {
    std::string version = tag;
    if (compiled.ok()) {
      std::optional<std::string> extracted = compiled->Extract(tag);
      if (!extracted) continue;
      version = *extracted;
    }
    candidates.push_back({version, tag, "", ""});
    if (std::optional<mg::Version> v = mg::ParseVersion(version)) {
      if (v->numbers.empty()) mg::fuzz::Violated("a parsed version without numbers", version);
      if (v->text != version) mg::fuzz::Violated("a parsed version's text differs", version);
      versions.push_back(std::move(*v));
    }
  }

  for (const mg::Version& a : versions) {
    if (mg::CompareVersions(a, a) != 0) mg::fuzz::Violated("a version differs from itself", a.text);
    for (const mg::Version& b : versions) {
      if (Sign(mg::CompareVersions(a, b)) != -Sign(mg::CompareVersions(b, a))) {
        mg::fuzz::Violated("CompareVersions is not antisymmetric", a.text + " vs " + b.text);
      }
    }
  }

  const mg::Selection forward = mg::SelectVersions(candidates, 3, false);
  std::reverse(candidates.begin(), candidates.end());
  const mg::Selection backward = mg::SelectVersions(candidates, 3, false);
  if (forward.versions != backward.versions || forward.latest != backward.latest) {
    mg::fuzz::Violated("SelectVersions depends on the input order");
  }
  (void)mg::SelectVersions(candidates, 0, true);
  return 0;
}
