#include "oci/probe.h"

#include <algorithm>
#include <set>

#include "oci/media_types.h"
#include "oci/platform.h"

namespace mg {
namespace {

std::vector<std::string> SortedUnique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::string ImageName(const RegistryClient& client, const std::string& repo, const std::string& tag) {
  return client.registry() + "/" + repo + ":" + tag;
}

// Fills state, missing_platforms and detail of `r` from r.platforms (index semantics).
void ClassifyByPlatforms(const std::vector<std::string>& wanted, const std::string& name, ProbeResult* r) {
  std::set<std::string> present;
  for (const std::string& p : r->platforms) present.insert(NormalizePlatform(p));
  r->missing_platforms.clear();
  for (const std::string& w : wanted) {
    if (present.count(NormalizePlatform(w)) == 0) r->missing_platforms.push_back(w);
  }
  r->missing_platforms = SortedUnique(std::move(r->missing_platforms));
  if (r->missing_platforms.empty()) {
    r->state = ProbeState::kComplete;
    r->detail = name + " holds every wanted platform";
  } else {
    r->state = ProbeState::kIncomplete;
    std::string list;
    for (const std::string& m : r->missing_platforms) list += (list.empty() ? "" : ", ") + m;
    r->detail = name + " lacks " + list;
  }
}

Result<std::vector<std::string>> IndexPlatforms(const Manifest& m, const std::string& what) {
  auto manifests = m.json.find("manifests");
  if (manifests == m.json.end() || !manifests->is_array()) {
    return Status::Corruption(what + ": index without a \"manifests\" array");
  }
  std::vector<std::string> out;
  for (const Json& entry : *manifests) {
    const Json& platform = ObjectField(entry, "platform");
    std::string os = StringField(platform, "os");
    std::string arch = StringField(platform, "architecture");
    std::string variant = StringField(platform, "variant");
    if (os.empty() || arch.empty() || os == "unknown" || arch == "unknown") continue;  // attestations
    if (StringField(ObjectField(entry, "annotations"), "vnd.docker.reference.type") == "attestation-manifest") {
      continue;
    }
    out.push_back(FormatPlatform(os, arch, variant));
  }
  return SortedUnique(std::move(out));
}

}  // namespace

const char* ProbeStateName(ProbeState state) {
  switch (state) {
    case ProbeState::kComplete: return "complete";
    case ProbeState::kMissing: return "missing";
    case ProbeState::kIncomplete: return "incomplete";
  }
  return "unknown";
}

Json ProbeResult::ToJson() const {
  Json j = Json::object();
  j["state"] = ProbeStateName(state);
  j["digest"] = digest;
  j["media_type"] = media_type;
  j["platforms"] = platforms;
  j["missing_platforms"] = missing_platforms;
  j["detail"] = detail;
  return j;
}

std::optional<ProbeResult> ProbeResult::FromJson(const Json& j) {
  if (!j.is_object()) return std::nullopt;
  ProbeResult r;
  auto state = j.find("state");
  if (state == j.end() || !state->is_string()) return std::nullopt;
  const std::string s = state->get<std::string>();
  if (s == "complete") {
    r.state = ProbeState::kComplete;
  } else if (s == "missing") {
    r.state = ProbeState::kMissing;
  } else if (s == "incomplete") {
    r.state = ProbeState::kIncomplete;
  } else {
    return std::nullopt;
  }
  for (auto [field, out] : {std::pair{"digest", &r.digest}, std::pair{"media_type", &r.media_type},
                            std::pair{"detail", &r.detail}}) {
    auto it = j.find(field);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    *out = it->get<std::string>();
  }
  for (auto [field, out] : {std::pair{"platforms", &r.platforms}, std::pair{"missing_platforms", &r.missing_platforms}}) {
    auto it = j.find(field);
    if (it == j.end() || !it->is_array()) return std::nullopt;
    for (const Json& p : *it) {
      if (!p.is_string()) return std::nullopt;
      out->push_back(p.get<std::string>());
    }
  }
  return r;
}

Result<ProbeResult> ProbeImage(RegistryClient& client, const std::string& repo, const std::string& tag,
                               const std::vector<std::string>& wanted_platforms, const ProbeResult* known) {
  const std::string name = ImageName(client, repo, tag);
  Result<ManifestHead> head = client.HeadManifest(repo, tag);
  if (!head.ok()) return head.status().WithContext("probe " + name);
  ProbeResult r;
  if (!head->exists) {
    r.state = ProbeState::kMissing;
    r.missing_platforms = SortedUnique(wanted_platforms);
    r.detail = name + " does not exist (HTTP 404)";
    return r;
  }

  // Reuse what is known about this exact digest.
  if (known != nullptr && known->state != ProbeState::kMissing && !head->digest.empty() &&
      known->digest == head->digest) {
    const bool index = IsIndexMediaType(known->media_type);
    const bool single_known = IsManifestMediaType(known->media_type) &&
                              (wanted_platforms.size() > 1 || wanted_platforms.empty() || !known->platforms.empty());
    if (index || single_known) {
      r.digest = known->digest;
      r.media_type = known->media_type;
      r.platforms = known->platforms;
      if (index || wanted_platforms.size() == 1 || wanted_platforms.empty()) {
        ClassifyByPlatforms(wanted_platforms, name, &r);
      } else {
        r.state = ProbeState::kIncomplete;
        r.missing_platforms = SortedUnique(wanted_platforms);
        r.detail = name + " is a single-platform manifest; " + std::to_string(wanted_platforms.size()) +
                   " platforms are wanted";
      }
      r.detail += " (digest unchanged since the last probe)";
      return r;
    }
  }

  // Fetch by digest when known, so HEAD and GET describe the same content.
  const std::string reference = head->digest.empty() ? tag : head->digest;
  Result<Manifest> manifest = client.GetManifest(repo, reference);
  if (!manifest.ok()) {
    if (manifest.status().code() == Status::Code::kNotFound) {
      // Deleted between HEAD and GET: say so rather than guess.
      return Status::Unavailable("probe " + name + ": the manifest disappeared between HEAD and GET; try again");
    }
    return manifest.status().WithContext("probe " + name);
  }
  r.digest = manifest->digest;
  r.media_type = manifest->media_type;
  const std::string what = "probe " + name;

  if (IsIndexMediaType(r.media_type)) {
    Result<std::vector<std::string>> platforms = IndexPlatforms(*manifest, what);
    if (!platforms.ok()) return platforms.status();
    r.platforms = std::move(platforms).value();
    ClassifyByPlatforms(wanted_platforms, name, &r);
    return r;
  }
  if (!IsManifestMediaType(r.media_type)) {
    return Status::FailedPrecondition(what + ": unsupported manifest media type '" + r.media_type +
                                      "'; expected an image index or image manifest");
  }
  if (wanted_platforms.size() > 1) {
    r.state = ProbeState::kIncomplete;
    r.missing_platforms = SortedUnique(wanted_platforms);
    r.detail = name + " is a single-platform manifest; " + std::to_string(wanted_platforms.size()) +
               " platforms are wanted";
    return r;
  }
  if (wanted_platforms.empty()) {
    r.state = ProbeState::kComplete;
    r.detail = name + " exists (single-platform manifest; no platform wanted)";
    return r;
  }
  std::optional<std::string> config_digest = OptStringField(ObjectField(manifest->json, "config"), "digest");
  if (!config_digest) return Status::Corruption(what + ": image manifest without a config digest");
  Result<std::string> blob = client.GetBlob(repo, *config_digest, size_t{8} << 20);
  if (!blob.ok()) return blob.status().WithContext(what + ": config blob");
  Json cfg = ParseJson(*blob);
  std::optional<std::string> os = OptStringField(cfg, "os"), arch = OptStringField(cfg, "architecture");
  if (!os || !arch) return Status::Corruption(what + ": image config without os/architecture");
  r.platforms = {FormatPlatform(*os, *arch, StringField(cfg, "variant"))};
  ClassifyByPlatforms(wanted_platforms, name, &r);
  return r;
}

}  // namespace mg
