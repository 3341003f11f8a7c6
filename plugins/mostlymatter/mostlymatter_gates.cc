#include "mostlymatter_gates.h"

#include <algorithm>
#include <cstdlib>

#include "seed_common.h"

namespace mostlymatter {

std::string ResolveBinariesBase(const std::string& configured) {
  std::string base = configured;
  if (base.empty()) {
    const char* env = std::getenv(kBinariesEnv);
    base = env != nullptr && *env != '\0' ? env : kDefaultBinariesBase;
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

std::string BinaryUrl(const std::string& base, const std::string& arch, const std::string& version) {
  return base + "/mostlymatter-" + arch + "-v" + version;
}

namespace {

// "" when the binary exists, else why not. Throws on an answer that says nothing either way.
std::string CheckBinary(mirrorgraph::Host& host, const std::string& url, const std::string& arch) {
  json req = {{"method", "HEAD"}, {"url", url}, {"headers", json::object()}, {"follow_redirects", true}};
  json resp = json::parse(host.Http(req.dump()), nullptr, false);
  if (resp.is_discarded() || !resp.is_object() || !resp.contains("status") || !resp["status"].is_number_integer()) {
    throw mirrorgraph::Error("HEAD " + url + ": the engine's http service gave no status");
  }
  int status = resp["status"].get<int>();
  if (status >= 200 && status < 300) return "";
  std::string what = "no linux/" + arch + " binary at " + url + " (HTTP " + std::to_string(status) + ")";
  if (status == 404 || status == 410) return what;
  throw mirrorgraph::Error("HEAD " + url + " answered HTTP " + std::to_string(status) +
                           ", which says neither that the binary exists nor that it does not; retry later");
}

// "" when the tag exists, else why not.
std::string CheckTag(mirrorgraph::Host& host, const json& tag_source, const std::string& tag) {
  json req = tag_source;
  req["tag"] = tag;
  json resp = json::parse(host.DiscoverSource(req.dump()), nullptr, false);
  if (resp.is_discarded() || !resp.is_object() || !resp.contains("exists") || !resp["exists"].is_boolean()) {
    throw mirrorgraph::Error("the engine's gitlab-tag-exists lookup of " + tag + " gave no \"exists\" boolean");
  }
  if (resp["exists"].get<bool>()) return "";
  return "no tag " + tag + " on framagit (" + tag_source.value("project", std::string()) + ")";
}

}  // namespace

json ApplyGates(mirrorgraph::Host& host, const json& candidates, const Gates& gates) {
  std::vector<json> sorted;
  for (const json& c : candidates) {
    if (c.is_object() && c.contains("version") && c["version"].is_string()) sorted.push_back(c);
  }
  std::stable_sort(sorted.begin(), sorted.end(), [](const json& a, const json& b) {
    return seed::VersionLess(b["version"].get<std::string>(), a["version"].get<std::string>());
  });
  auto published = [](const json& c) {
    return c.contains("published") && c["published"].is_string() ? c["published"].get<std::string>() : std::string();
  };
  // GitHub writes every published_at in one form ("2024-05-16T12:00:00Z"): text order is time order.
  const bool by_published = gates.by_published && !sorted.empty() &&
                            std::all_of(sorted.begin(), sorted.end(), [&](const json& c) { return !published(c).empty(); });
  if (by_published) {
    std::stable_sort(sorted.begin(), sorted.end(),
                     [&](const json& a, const json& b) { return published(a) > published(b); });
  }
  json passed = json::array(), excluded = json::array();
  const int scan = gates.scan_limit > 0 ? gates.scan_limit : gates.max_versions;
  size_t scanned = 0;
  for (const json& c : sorted) {
    if (gates.max_versions > 0 && passed.size() >= static_cast<size_t>(gates.max_versions)) break;
    const std::string version = c["version"].get<std::string>();
    if (scan > 0 && scanned >= static_cast<size_t>(scan)) {
      excluded.push_back({{"version", version},
                          {"reason", by_published ? "not checked: older than the " + std::to_string(scan) +
                                                        " most recently published releases scanned (scan_limit)"
                                                  : "not checked: older than the newest " + std::to_string(scan) +
                                                        " releases scanned (scan_limit)"}});
      continue;
    }
    ++scanned;
    std::vector<std::string> reasons;
    for (const std::string& arch : gates.arches) {
      std::string why = CheckBinary(host, BinaryUrl(gates.binaries_base, arch, version), arch);
      if (!why.empty()) reasons.push_back(why);
    }
    std::string why = CheckTag(host, gates.tag_source, "v" + version + "-limitless");
    if (!why.empty()) reasons.push_back(why);
    if (reasons.empty()) {
      // Built from Framagit's tag; the Mattermost release's commit is another repository's.
      json one = {{"version", version}, {"tag", "v" + version + "-limitless"}, {"commit", ""}};
      if (!published(c).empty()) one["published"] = published(c);  // the Mattermost release's: the engine's window
      passed.push_back(std::move(one));
      continue;
    }
    std::string reason;
    for (const std::string& r : reasons) reason += (reason.empty() ? "" : "; ") + r;
    host.Log(MG_LOG_INFO, "mostlymatter " + version + " left out: " + reason);
    excluded.push_back({{"version", version}, {"reason", reason}});
  }
  return json{{"candidates", passed}, {"excluded", excluded}};
}

}  // namespace mostlymatter
