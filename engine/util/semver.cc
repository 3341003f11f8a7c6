#include "util/semver.h"

#include <algorithm>

#include "util/strings.h"

namespace mg {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsIdentChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

// Dot-separated, non-empty identifiers of [0-9A-Za-z-].
bool ParseIdentifiers(std::string_view text, std::vector<std::string>* out) {
  for (const std::string& id : Split(text, '.')) {
    if (id.empty() || !std::all_of(id.begin(), id.end(), IsIdentChar)) return false;
    if (out) out->push_back(id);
  }
  return true;
}

// Numeric identifiers by value without overflow: strip leading zeros, then longer is larger.
int CompareNumericText(std::string_view a, std::string_view b) {
  a.remove_prefix(std::min(a.find_first_not_of('0'), a.size()));
  b.remove_prefix(std::min(b.find_first_not_of('0'), b.size()));
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int CompareIdentifier(const std::string& a, const std::string& b) {
  bool an = AllDigits(a), bn = AllDigits(b);
  if (an && bn) return CompareNumericText(a, b);
  if (an != bn) return an ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Everything but the text.
int CompareSemantic(const Version& a, const Version& b) {
  size_t n = std::max(a.numbers.size(), b.numbers.size());
  for (size_t i = 0; i < n; ++i) {
    uint64_t x = i < a.numbers.size() ? a.numbers[i] : 0;
    uint64_t y = i < b.numbers.size() ? b.numbers[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  if (a.prerelease.empty() != b.prerelease.empty()) return a.prerelease.empty() ? 1 : -1;
  size_t m = std::min(a.prerelease.size(), b.prerelease.size());
  for (size_t i = 0; i < m; ++i) {
    int c = CompareIdentifier(a.prerelease[i], b.prerelease[i]);
    if (c != 0) return c;
  }
  if (a.prerelease.size() != b.prerelease.size()) return a.prerelease.size() < b.prerelease.size() ? -1 : 1;
  return 0;
}

}  // namespace

std::optional<Version> ParseVersion(std::string_view text) {
  Version v;
  v.text = std::string(text);
  std::string_view rest = text;
  size_t plus = rest.find('+');
  if (plus != std::string_view::npos) {
    if (!ParseIdentifiers(rest.substr(plus + 1), nullptr)) return std::nullopt;
    rest = rest.substr(0, plus);
  }
  size_t dash = rest.find('-');
  if (dash != std::string_view::npos) {
    if (!ParseIdentifiers(rest.substr(dash + 1), &v.prerelease)) return std::nullopt;
    rest = rest.substr(0, dash);
  }
  for (const std::string& part : Split(rest, '.')) {
    if (!AllDigits(part)) return std::nullopt;
    uint64_t value = 0;
    for (char c : part) {
      uint64_t digit = static_cast<uint64_t>(c - '0');
      if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
      value = value * 10 + digit;
    }
    v.numbers.push_back(value);
  }
  return v;
}

int CompareVersions(const Version& a, const Version& b) {
  int c = CompareSemantic(a, b);
  if (c != 0) return c;
  c = a.text.compare(b.text);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool SameVersion(const Version& a, const Version& b) { return CompareSemantic(a, b) == 0; }

Selection SelectVersions(std::vector<Candidate> candidates, int max_versions, bool latest_only) {
  Selection sel;
  // Tag order first, so "the first by tag" is well defined whatever order the source used.
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.tag != b.tag) return a.tag < b.tag;
    if (a.version != b.version) return a.version < b.version;
    return a.commit < b.commit;
  });

  struct Parsed {
    Version v;
    Candidate c;
  };
  std::vector<Parsed> parsed;
  for (Candidate& c : candidates) {
    std::optional<Version> v = ParseVersion(c.version);
    if (!v) {
      sel.dropped.emplace_back(c.version, "not a version");
      continue;
    }
    parsed.push_back({std::move(*v), std::move(c)});
  }
  // Newest first; stable, so within a run of equal versions the tag order survives and the
  // first of the run is the one whose tag sorts first.
  std::stable_sort(parsed.begin(), parsed.end(),
                   [](const Parsed& a, const Parsed& b) { return CompareSemantic(a.v, b.v) > 0; });
  std::vector<Parsed> kept;
  for (Parsed& p : parsed) {
    if (!kept.empty() && SameVersion(kept.back().v, p.v)) {
      const Candidate& first = kept.back().c;
      sel.dropped.emplace_back(p.c.version, "duplicate of " + (first.tag.empty() ? first.version : first.tag));
      continue;
    }
    kept.push_back(std::move(p));
  }

  if (latest_only) {
    auto it = std::find_if(kept.begin(), kept.end(), [](const Parsed& p) { return !p.v.is_prerelease(); });
    for (auto p = kept.begin(); p != kept.end(); ++p) {
      if (p != it) sel.dropped.emplace_back(p->c.version, "not the latest release");
    }
    if (it != kept.end()) {
      sel.latest = it->c.version;
      sel.versions.push_back(std::move(it->c));
    }
    return sel;
  }

  const size_t limit = max_versions <= 0 ? kept.size() : static_cast<size_t>(max_versions);
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i >= limit) {
      sel.dropped.emplace_back(kept[i].c.version, "older than the newest " + std::to_string(limit));
      continue;
    }
    if (sel.latest.empty() && !kept[i].v.is_prerelease()) sel.latest = kept[i].c.version;
    sel.versions.push_back(std::move(kept[i].c));
  }
  return sel;
}

}  // namespace mg
