// Probe: does <registry>/<repo>:<tag> exist, and is it complete for the wanted platforms?
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "oci/registry_client.h"
#include "util/json.h"
#include "util/status.h"

namespace mg {

enum class ProbeState {
  kComplete,    // the tag exists and holds every wanted platform
  kMissing,     // the registry answered 404 for the tag, and only then
  kIncomplete,  // the tag exists but lacks a wanted platform (or is single-platform, several wanted)
};

const char* ProbeStateName(ProbeState state);  // "complete", "missing", "incomplete"

struct ProbeResult {
  ProbeState state = ProbeState::kMissing;
  std::string digest;                          // the tag's manifest digest; empty when missing
  std::string media_type;                      // of that manifest
  std::vector<std::string> platforms;          // present, sorted: "linux/amd64", "linux/arm64/v8"
  std::vector<std::string> missing_platforms;  // wanted but absent, sorted, as the caller spelled them
  std::string detail;                          // one human sentence on how the state was decided

  // {"detail","digest","media_type","missing_platforms","platforms","state"}; sorted keys.
  Json ToJson() const;
  // nullopt when `json` does not have ToJson()'s shape (a damaged cache entry means "recompute").
  static std::optional<ProbeResult> FromJson(const Json& json);
};

// HEADs the tag, then:
// - 404: kMissing. Any error (401 after auth, 403, 429/5xx after retries, network) is returned as
//   a non-OK Status, never kMissing.
// - When `known` (a previous result, e.g. from the cache) has the same digest as the HEAD, its
//   platform list is reused and no GET is made (content at a digest cannot change).
// - Index or manifest list: platforms from the entries' platform fields (attestation entries,
//   platform unknown/unknown, are ignored); kIncomplete when a wanted platform is absent.
// - Single image manifest: several wanted -> kIncomplete (all wanted are listed missing); exactly
//   one wanted -> its config blob's os/architecture/variant decide; none wanted -> kComplete.
// Platforms match after NormalizePlatform ("linux/arm64" == "linux/arm64/v8"). `known` may be null.
Result<ProbeResult> ProbeImage(RegistryClient& client, const std::string& repo, const std::string& tag,
                               const std::vector<std::string>& wanted_platforms, const ProbeResult* known);

}  // namespace mg
