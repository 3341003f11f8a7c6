#include "report/discover_view.h"

namespace mg {
namespace {

std::string StringOr(const Json& object, const char* key, const char* fallback) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string(fallback);
}

void AppendVerdicts(const Json& result, const char* key, std::vector<VersionVerdict>* out) {
  if (!result.is_object()) return;
  auto list = result.find(key);
  if (list == result.end() || !list->is_array()) return;
  for (const Json& e : *list) {
    if (!e.is_object()) {
      out->push_back({"?", "(an entry that is not an object: " + CanonicalJson(e).substr(0, 80) + ")"});
      continue;
    }
    out->push_back({StringOr(e, "version", "?"), StringOr(e, "reason", "(no reason given)")});
  }
}

}  // namespace

std::vector<std::string> SelectedVersions(const Json& result) {
  std::vector<std::string> out;
  if (!result.is_object()) return out;
  auto list = result.find("versions");
  if (list == result.end() || !list->is_array()) return out;
  for (const Json& v : *list) out.push_back(v.is_object() ? StringOr(v, "version", "?") : "?");
  return out;
}

std::vector<VersionVerdict> ExcludedVersions(const Json& result) {
  std::vector<VersionVerdict> out;
  AppendVerdicts(result, "excluded", &out);
  AppendVerdicts(result, "dropped", &out);
  return out;
}

std::optional<std::string> WhyNotSelected(const Json& result, const std::string& version) {
  for (const VersionVerdict& v : ExcludedVersions(result)) {
    if (v.version == version) return v.reason;
  }
  return std::nullopt;
}

std::vector<std::string> DiscoverPlanLines(const Json& result) {
  std::vector<std::string> lines;
  const std::vector<std::string> selected = SelectedVersions(result);
  const std::string latest = result.is_object() ? StringOr(result, "latest", "") : "";
  std::string line = "selected ";
  for (size_t i = 0; i < selected.size(); ++i) {
    line += (i == 0 ? "" : ", ") + selected[i] + (selected[i] == latest ? " (latest)" : "");
  }
  lines.push_back(selected.empty() ? "selected nothing" : line);
  // Why the window applied is not the one asked for (a published window without dates).
  if (const std::string note = result.is_object() ? StringOr(result, "note", "") : ""; !note.empty()) {
    lines.push_back("note: " + note);
  }
  const std::vector<VersionVerdict> excluded = ExcludedVersions(result);
  for (size_t i = 0; i < excluded.size();) {
    size_t end = i + 1;
    while (end < excluded.size() && excluded[end].reason == excluded[i].reason) ++end;
    if (end - i <= kPlanRunLimit) {
      for (; i < end; ++i) lines.push_back("excluded " + excluded[i].version + ": " + excluded[i].reason);
      continue;
    }
    std::string names;
    for (size_t k = i; k < i + kPlanRunLimit; ++k) names += (k == i ? "" : ", ") + excluded[k].version;
    lines.push_back("excluded " + names + " and " + std::to_string(end - i - kPlanRunLimit) + " more: " +
                    excluded[i].reason);
    i = end;
  }
  return lines;
}

}  // namespace mg
