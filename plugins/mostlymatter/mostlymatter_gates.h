// Mostlymatter's gates: a Mattermost version is mirrored only when Framasoft published its
// binaries for every architecture and the matching `v<version>-limitless` tag exists on Framagit.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mirrorgraph/plugin.hpp"

namespace mostlymatter {

using json = nlohmann::json;

inline constexpr const char* kDefaultBinariesBase = "https://packages.framasoft.org/projects/mostlymatter";
inline constexpr const char* kBinariesEnv = "MIRRORGRAPH_MOSTLYMATTER_BINARIES";
inline constexpr const char* kFramagitProject = "framasoft/framateam/mostlymatter";
inline constexpr const char* kDefaultFramagitApi = "https://framagit.org/api/v4";

struct Gates {
  std::string binaries_base;       // binaries at {binaries_base}/mostlymatter-{arch}-v{version}
  std::vector<std::string> arches; // "amd64", "arm64"
  json tag_source;                 // {"type":"gitlab-tag-exists","project","api_base"?,"token_env"?}
  int max_versions = 10;           // stop once this many passed; <= 0: check every candidate
  int scan_limit = 0;              // gate only the newest this many releases; <= 0: max_versions
  // The engine's window is "published": walk the releases most recently published first (when
  // every candidate has a "published" date; else by version, as for "newest").
  bool by_published = false;
};

// `configured` when not empty, else $MIRRORGRAPH_MOSTLYMATTER_BINARIES when set and not empty, else
// kDefaultBinariesBase; without trailing '/'.
std::string ResolveBinariesBase(const std::string& configured);

// The binary's URL for one architecture and version.
std::string BinaryUrl(const std::string& base, const std::string& arch, const std::string& version);

// Checks `candidates` ([{"version","tag","commit","published"?}], any order) newest first (with
// gates.by_published: most recently published first, ties by version) until
// gates.max_versions have passed every gate, or gates.scan_limit releases (default: max_versions,
// as the seed gates only its newest N) have been checked, whichever comes first: at most
// 3 × scan_limit requests however far Framasoft lags. The releases beyond the scan are excluded
// with the reason "not checked: older than the newest N releases scanned (scan_limit)" (by
// publication: "... than the N most recently published releases scanned ..."); those
// older than the last passing one once max_versions passed are not returned at all (the
// engine's window would leave them out anyway).
// Returns {"candidates":[{"version","tag":"v<version>-limitless","commit":"","published"?} that
// passed],"excluded":[{"version","reason"}]} where a reason
// names every failed gate, joined with "; ": "no linux/arm64 binary at <url> (HTTP 404)",
// "no tag v10.5.1-limitless on framagit (framasoft/framateam/mostlymatter)".
// A HEAD (redirects followed) answering 2xx passes, 404 or 410 fails the gate; any other status,
// and a request with no answer, throws mirrorgraph::Error (the discover task fails: nothing is
// excluded on a transient error). Host errors from the tag lookup propagate the same way.
json ApplyGates(mirrorgraph::Host& host, const json& candidates, const Gates& gates);

}  // namespace mostlymatter
