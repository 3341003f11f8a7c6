// The parsed and validated mirror.toml (docs/config.md documents every key and default).
//
// LoadConfig() reads a file, checks every engine-owned key (types, unknown keys with a "did you
// mean", regexes, platform strings, template names) and returns either a Config or every problem
// found as Diagnostics. Plugin-owned keys of an app table are kept as raw JSON plus a map from JSON
// path to source position, so plugin-reported problems are printed at the right line and column.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "util/json.h"

namespace mg {

struct RegistryConfig {
  std::string host;        // "ghcr.io", "127.0.0.1:5000"
  std::string namespace_;  // "this-is-tobi/mirror"; may be empty
  bool plain_http = false; // http:// instead of https:// (loopback/test registries)
  std::string auth_file;   // docker config.json (absolute); empty: $DOCKER_CONFIG/config.json or ~/.docker/config.json
};

struct AttestationConfig {
  bool sbom = true;
  bool sign = true;
  bool provenance = true;
  std::string key;         // signing key path (absolute) or a "scheme://" key reference; empty: none
  std::string builder_id;  // SLSA runDetails.builder.id; empty: the documented default
  // Keyless signing (docs/attestations.md, "Keyless signing").
  std::string signer = "key";  // "key" | "keyless"
  std::string fulcio_url = "https://fulcio.sigstore.dev";
  std::string rekor_url = "https://rekor.sigstore.dev";
  std::string identity_token = "auto";  // sign/identity_token.h: "auto", "github", "env:NAME", "file:PATH"
  std::string trusted_root;  // a Sigstore trusted_root.json (absolute) for `verify`; empty: none
};

// Settings every app inherits unless it overrides them.
struct AppDefaults {
  int max_versions = 10;
  // Which max_versions versions: "newest" | "published" (docs/versions.md); "" when not set, so
  // each app's plugin chooses (the seed's plugins: "published"; others: "newest").
  std::string window;
  std::vector<std::string> platforms = {"linux/amd64", "linux/arm64"};
  std::string builder = "buildah";  // "buildah" | "docker"
  std::string template_name = "multi-version";  // a name, or an absolute path to a .toml file
  bool emulation = false;           // build foreign platforms under QEMU binfmt
};

struct AppConfig {
  std::string name;           // the key under [apps]
  std::string plugin;         // plugin name, or absolute path to a .so
  bool enabled = true;
  int max_versions = 10;      // resolved against [defaults]
  std::string window;         // resolved against [defaults]; "" = the plugin's default
  std::vector<std::string> platforms;
  std::string builder;
  std::string template_name;
  SourcePos template_pos;     // where template_name was set: the app's `template` or [defaults]
  bool emulation = false;
  Json table;                 // the whole [apps.NAME] table as JSON (for the plugin)
  SourcePos pos;              // where [apps.NAME] starts
  // Dotted key path relative to the app table -> where that value is written. Keys are joined by
  // '.', array elements are "[i]": "source", "source.tag_pattern", "build.args.FOO", "edits[0].pattern".
  std::map<std::string, SourcePos> key_positions;

  // Where a dotted key path was written; for an unknown path, its nearest recorded ancestor
  // ("source.nope" -> "source"), then the app table's own position.
  SourcePos PositionOf(const std::string& dotted_path) const;
};

// How builds run (docs/builders.md).
struct BuildersConfig {
  int timeout_seconds = 7200;                   // per build subprocess (clone, build, export)
  std::string buildah_storage_driver = "vfs";   // "vfs" works everywhere, as root, without fuse
  std::string buildah_isolation = "chroot";     // "chroot" needs no runtime; "oci" uses runc/crun
  std::string buildx_builder;                   // docker: `--builder NAME`; empty: the current builder
};

struct EngineConfig {
  std::string state_dir;                 // absolute; by default ".mirrorgraph" beside the config file
  std::vector<std::string> plugin_path;  // extra plugin directories, absolute (resolved against the config dir)
  std::vector<std::string> graph_path;   // extra template directories, absolute
  int jobs = 0;                          // 0: number of CPUs + 2
  // Longest wait (seconds) for a Retry-After or an API rate limit reset before failing instead.
  int max_retry_wait = 60;
  // Seconds a stopped subprocess group gets between SIGTERM and SIGKILL (a signal, --fail-fast, a
  // timeout; an earlier run's leftovers); 0: SIGKILL at once.
  int stop_grace = 10;
  std::map<std::string, int> pools;      // pool name -> capacity ("registry": 8, "build": 1, "upstream": 4)
};

// The second cache tier (docs/cache.md): task results as small OCI artifacts in a registry.
struct CacheConfig {
  std::string remote;       // as written: "oci://HOST[:PORT]/REPOSITORY"; empty: no remote tier
  std::string remote_host;  // "127.0.0.1:5000"
  std::string remote_repository;  // "mirror/mirrorgraph-cache"
  // http:// for the remote; by default the registry's plain_http when the hosts are equal, else false.
  bool remote_plain_http = false;
};

// Retention (`mirrorgraph prune`, docs/cli.md): how many versions beyond the window each image keeps.
struct PruneConfig {
  int keep = 0;                       // [prune] keep
  std::map<std::string, int> apps;    // [prune.apps] app = keep, overriding `keep`; names are apps'
  int KeepFor(const std::string& app) const {
    auto it = apps.find(app);
    return it == apps.end() ? keep : it->second;
  }
};

// Generated CI pipelines (docs/ci.md): `mirrorgraph ci github|gitlab`.
struct CiConfig {
  std::string runner = "ubuntu-24.04";      // plan and publish jobs; build legs without a [runners] entry
  std::string schedule = "17 */6 * * *";    // cron, UTC
  // Shell commands that put `mirrorgraph` on PATH in a job; empty: the documented default.
  std::string install;
  std::string gitlab_image = "debian:12";   // GitLab jobs' image (runners with a docker executor)
};

struct Config {
  std::string path;       // the config file as given
  std::string dir;        // its directory (absolute); relative paths in the file resolve against it
  RegistryConfig registry;
  AppDefaults defaults;
  AttestationConfig attestations;
  BuildersConfig builders;
  EngineConfig engine;
  CacheConfig cache;
  // [runners]: platform ("linux/arm64") -> CI runner label ("ubuntu-24.04-arm"); platforms without
  // one build on ci.runner (under emulation when that is foreign).
  std::map<std::string, std::string> runners;
  CiConfig ci;
  PruneConfig prune;
  std::vector<AppConfig> apps;  // sorted by name
};

// Parses and validates `path`. On any problem returns nullopt and appends all of them to `diags`,
// sorted by position. Relative paths in the file resolve against the file's directory. Template
// names are checked against DefaultTemplateDirs(engine.graph_path) (config/template_dirs.h).
std::optional<Config> LoadConfig(const std::string& path, Diagnostics* diags);
// Same; and when the file is valid TOML but has problems, `*partial` (if non-null) receives the
// config as far as it could be read (its `path` set), so a caller can add checks of its own (that
// every app's plugin exists) to the same report instead of making the user fix the file twice.
// `*partial` is untouched when the config loads, or the file is unreadable or not valid TOML.
std::optional<Config> LoadConfig(const std::string& path, Diagnostics* diags, Config* partial);
// Same, from text (tests); `path` is only used in positions.
std::optional<Config> ParseConfig(const std::string& text, const std::string& path, Diagnostics* diags);

// "linux/amd64", "linux/arm64/v8": os/arch[/variant] with known os and arch names.
bool IsValidPlatform(const std::string& platform, std::string* why);

}  // namespace mg
