#include "util/semver.h"

#include <algorithm>

#include "util/clock.h"
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

const char* WindowName(Window w) { return w == Window::kPublished ? "published" : "newest"; }

std::optional<Window> ParseWindow(std::string_view text) {
  if (text == "newest") return Window::kNewest;
  if (text == "published") return Window::kPublished;
  return std::nullopt;
}

Selection SelectVersions(std::vector<Candidate> candidates, int max_versions, bool latest_only, Window window) {
  Selection sel;
  // Tag order first, so "the first by tag" is well defined whatever order the source used.
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.tag != b.tag) return a.tag < b.tag;
    if (a.version != b.version) return a.version < b.version;
    if (a.commit != b.commit) return a.commit < b.commit;
    return a.published < b.published;
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
  // in_window[i]: kept[i] is selected. kNewest: the first `limit` (kept is newest first).
  std::vector<bool> in_window(kept.size(), false);
  sel.window = window;
  if (window == Window::kPublished) {
    std::vector<std::pair<int64_t, size_t>> by_date;  // (published, index in kept)
    for (size_t i = 0; i < kept.size(); ++i) {
      std::optional<int64_t> when = ParseRfc3339(kept[i].c.published);
      if (!when) {
        sel.window = Window::kNewest;
        sel.note = "window \"published\": " + kept[i].c.version +
                   (kept[i].c.published.empty() ? std::string(" has no publication date")
                                                 : " has an unreadable publication date \"" +
                                                       kept[i].c.published.substr(0, 64) + "\"") +
                   " (the source gives none for some or all versions), so the " + std::to_string(limit) +
                   " newest by version were kept instead";
        break;
      }
      by_date.emplace_back(*when, i);
    }
    if (sel.window == Window::kPublished) {
      // Most recent first; at equal times the higher version (lower index) first.
      std::stable_sort(by_date.begin(), by_date.end(),
                       [](const auto& a, const auto& b) { return a.first > b.first; });
      for (size_t k = 0; k < by_date.size() && k < limit; ++k) in_window[by_date[k].second] = true;
    }
  }
  if (sel.window == Window::kNewest) {
    for (size_t i = 0; i < kept.size() && i < limit; ++i) in_window[i] = true;
  }
  const std::string reason = sel.window == Window::kPublished
                                 ? "older than the " + std::to_string(limit) + " most recently published"
                                 : "below the " + std::to_string(limit) + " newest versions";
  for (size_t i = 0; i < kept.size(); ++i) {
    if (!in_window[i]) {
      sel.dropped.emplace_back(kept[i].c.version, reason);
      continue;
    }
    if (sel.latest.empty() && !kept[i].v.is_prerelease()) sel.latest = kept[i].c.version;
    sel.versions.push_back(std::move(kept[i].c));
  }
  return sel;
}

}  // namespace mg
