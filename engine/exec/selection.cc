#include "exec/selection.h"

#include <charconv>

#include "util/sha256.h"
#include "util/strings.h"

namespace mg {

std::string TaskSelection::Describe() const {
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : " and ") + part; };
  if (!only.empty()) add("--only " + only);
  if (!unit.empty()) add("--unit " + unit);
  if (shards > 0) add("--shard " + std::to_string(shard) + "/" + std::to_string(shards));
  return out;
}

bool ParseUnit(const std::string& text, UnitId* out) {
  const size_t at = text.find('@');
  if (at == std::string::npos || at == 0) return false;
  const size_t slash = text.find('/', at);
  if (slash == std::string::npos || slash == at + 1 || slash + 1 == text.size()) return false;
  out->app = text.substr(0, at);
  out->version = text.substr(at + 1, slash - at - 1);
  out->platform = text.substr(slash + 1);
  return true;
}

std::string FormatUnit(const TaskCoords& c) { return c.app + "@" + c.version + "/" + c.platform; }

bool SelectedBy(const std::string& pattern, const Task& task) {
  if (pattern.empty()) return true;
  const TaskCoords& c = task.coords;
  std::vector<std::string> bases = {c.app};
  if (!c.image.empty() && c.image != c.app) bases.push_back(c.app + "/" + c.image);
  if (c.version.empty()) {
    std::string app_part = pattern.substr(0, pattern.find('@'));
    for (const std::string& b : bases) {
      if (GlobMatch(app_part, b)) return true;
    }
    return false;
  }
  for (const std::string& b : bases) {
    if (GlobMatch(pattern, b) || GlobMatch(pattern, b + "@" + c.version)) return true;
    if (!c.platform.empty() && GlobMatch(pattern, b + "@" + c.version + "/" + c.platform)) return true;
  }
  return false;
}

namespace {

uint64_t Hash64(const std::string& text) {
  const std::string hex = Sha256Hex(text);
  uint64_t v = 0;
  std::from_chars(hex.data(), hex.data() + 16, v, 16);
  return v;
}

}  // namespace

int ShardOf(const std::string& app, const std::string& version, int rank, int shards) {
  if (shards <= 1) return 1;
  const auto n = static_cast<uint64_t>(shards);
  if (rank < 0) return static_cast<int>(Hash64(app + "@" + version) % n) + 1;
  return static_cast<int>((Hash64(app) % n + static_cast<uint64_t>(rank) % n) % n) + 1;
}

bool Selects(const TaskSelection& s, const Task& task) {
  if (!SelectedBy(s.only, task)) return false;
  const TaskCoords& c = task.coords;
  if (!s.unit.empty()) {
    UnitId u;
    if (!ParseUnit(s.unit, &u) || c.app != u.app) return false;
    // The app's discover, and the unit's build legs (every image of the app).
    if (!c.version.empty() && (task.type != TaskType::kBuild || c.version != u.version || c.platform != u.platform)) {
      return false;
    }
  }
  if (s.shards > 0 && !c.version.empty() && ShardOf(c.app, c.version, task.version_rank, s.shards) != s.shard) return false;
  return true;
}

bool ParseShard(const std::string& text, int* shard, int* shards, std::string* why) {
  size_t slash = text.find('/');
  auto number = [](std::string_view t, int* out) {
    if (t.empty() || t.size() > 4) return false;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
    return ec == std::errc() && p == t.data() + t.size();
  };
  int i = 0, n = 0;
  if (slash == std::string::npos || !number(std::string_view(text).substr(0, slash), &i) ||
      !number(std::string_view(text).substr(slash + 1), &n)) {
    *why = "expected I/N with whole numbers, e.g. --shard 1/3 (the first of three shares)";
    return false;
  }
  if (n < 1 || n > 1000) {
    *why = "the number of shares N must be between 1 and 1000";
    return false;
  }
  if (i < 1 || i > n) {
    *why = "the share I must be between 1 and N=" + std::to_string(n) + " (shares are numbered from 1)";
    return false;
  }
  *shard = i;
  *shards = n;
  return true;
}

}  // namespace mg
