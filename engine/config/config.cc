#include "config/config.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <system_error>

#include "config/app_table.h"
#include "config/template_dirs.h"
#include "config/toml_reader.h"
#include "http/url_credentials.h"
#include "sources/tag_pattern.h"
#include "util/quote_value.h"
#include "util/strings.h"

namespace fs = std::filesystem;

namespace mg {
namespace {

const std::vector<std::string> kRootKeys = {"registry", "defaults", "attestations", "builders", "engine",
                                            "cache",    "runners",  "ci",           "prune",
                                            "apps"};
const std::vector<std::string> kPruneKeys = {"keep", "apps"};
const std::vector<std::string> kCacheKeys = {"remote", "plain_http"};
const std::vector<std::string> kCiKeys = {"runner", "schedule", "install", "gitlab_image"};
const std::vector<std::string> kBuilderKeys = {"timeout", "buildah_storage_driver", "buildah_isolation",
                                               "buildx_builder"};
const std::vector<std::string> kRegistryKeys = {"host", "namespace", "plain_http", "auth_file"};
const std::vector<std::string> kSettingKeys = {"max_versions", "window",    "platforms",
                                               "builder",      "template", "emulation"};
const std::vector<std::string> kAttestationKeys = {"sbom",       "sign",      "provenance",     "key",
                                                   "builder_id", "signer",    "fulcio_url",     "rekor_url",
                                                   "identity_token", "trusted_root"};
const std::vector<std::string> kEngineKeys = {"state_dir", "plugin_path", "graph_path", "jobs", "pools",
                                              "max_retry_wait", "stop_grace"};
const std::vector<std::string> kAppEngineKeys = {"plugin",  "enabled",  "max_versions", "window",
                                                 "platforms", "builder", "template", "emulation"};
const std::vector<std::string> kBuilders = {"buildah", "docker"};
const std::vector<std::string> kWindows = {"newest", "published"};

// OCI distribution repository path components, joined by '/'.
const std::regex kNamespaceRe("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$");
const std::regex kAppNameRe("^[a-z0-9][a-z0-9._-]*$");
const std::regex kPluginNameRe("^[a-z0-9-]+$");
// Registries cap a repository name at 255 characters (namespace included).
constexpr size_t kMaxAppName = 128;
constexpr size_t kMaxNamespace = 255;
constexpr size_t kMaxPluginName = 128;

// std::regex matches recursively: a value of megabytes overflows the stack. Check the length first.
bool MatchesBounded(const std::string& value, const std::regex& re, size_t max_length) {
  return value.size() <= max_length && std::regex_match(value, re);
}

// Parses one document; every problem goes to `found` (sorted into the caller's Diagnostics later).
class ConfigParser {
 public:
  ConfigParser(std::string file, std::string dir) : file_(std::move(file)), dir_(std::move(dir)) {}

  std::optional<Config> Parse(const toml::table& root);
  Diagnostics& found() { return found_; }
  // After a Parse() with problems: the config as far as it could be read.
  Config& partial() { return partial_; }

 private:
  // Absolute, normalised; "~/" expands to $HOME; relative paths resolve against the config's dir.
  std::string Resolve(const std::string& path) const;
  void ReadRegistry(TableReader& root, RegistryConfig* out);
  void ReadSettings(TableReader& r, AppDefaults* s, SourcePos* template_pos);
  void ReadPlatforms(TableReader& r, std::vector<std::string>* out);
  void ReadAttestations(TableReader& root, AttestationConfig* out);
  void ReadEngine(TableReader& root, EngineConfig* out);
  void ReadBuilders(TableReader& root, BuildersConfig* out);
  void ReadCache(TableReader& root, const RegistryConfig& registry, CacheConfig* out);
  void ReadRunners(TableReader& root, std::map<std::string, std::string>* out);
  void ReadCi(TableReader& root, CiConfig* out);
  void ReadPrune(TableReader& root, const std::vector<AppConfig>& apps, PruneConfig* out);
  void ReadApps(TableReader& root, const AppDefaults& defaults, const SourcePos& default_template_pos,
                std::vector<AppConfig>* out);
  void CheckTagPattern(const toml::table& app, const std::string& qualified);
  // Reports every string below `node` that is a URL carrying credentials (UrlHasCredentials).
  void CheckUrlCredentials(const toml::node& node, const std::string& qualified);
  // Replaces, in every message found, each URL CheckUrlCredentials reported by its redacted form
  // (another check may have quoted the same value).
  void ScrubCredentials();

  // A `template` key as written, checked once the graph path is known.
  struct TemplateRef {
    std::string key;   // "defaults.template", "apps.outline.template"
    std::string name;  // resolved like AppDefaults::template_name
    SourcePos pos;
  };

  std::string file_;
  std::string dir_;
  Diagnostics found_;
  std::vector<TemplateRef> template_refs_;  // in reading order: [defaults] first
  std::vector<std::string> credential_urls_;  // values that are URLs with credentials, as written
  Config partial_;
};

std::string ConfigParser::Resolve(const std::string& path) const {
  fs::path p = path;
  if (StartsWith(path, "~/")) {
    if (const char* home = std::getenv("HOME")) p = fs::path(home) / path.substr(2);
  }
  if (p.is_relative()) p = fs::path(dir_) / p;
  p = p.lexically_normal();
  if (p.filename().empty() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p.string();
}

std::optional<Config> ConfigParser::Parse(const toml::table& root_table) {
  Config config;
  config.dir = dir_;
  TableReader root(root_table, "", file_, kRootKeys, &found_);
  root.ReportUnknownKeys();
  CheckUrlCredentials(root_table, "");

  ReadRegistry(root, &config.registry);

  SourcePos default_template_pos{file_, 1, 1};
  if (const toml::table* t = root.Table("defaults")) {
    TableReader r(*t, "defaults", file_, kSettingKeys, &found_);
    r.ReportUnknownKeys();
    default_template_pos = r.TablePos();
    ReadSettings(r, &config.defaults, &default_template_pos);
  }
  ReadAttestations(root, &config.attestations);
  ReadEngine(root, &config.engine);
  ReadBuilders(root, &config.builders);
  ReadCache(root, config.registry, &config.cache);
  ReadRunners(root, &config.runners);
  ReadCi(root, &config.ci);
  ReadApps(root, config.defaults, default_template_pos, &config.apps);
  ReadPrune(root, config.apps, &config.prune);

  // Template names resolve against the graph path, so check them once the engine table is read.
  std::vector<std::string> dirs = DefaultTemplateDirs(config.engine.graph_path);
  if (template_refs_.empty() || template_refs_[0].key != "defaults.template") {
    // The built-in default: missing only when the templates are not installed.
    template_refs_.push_back({"", config.defaults.template_name, default_template_pos});
  }
  for (const TemplateRef& ref : template_refs_) {
    if (FindTemplateFile(ref.name, dirs).empty()) {
      found_.Add(ref.pos, (ref.key.empty() ? "" : ref.key + ": ") + UnknownTemplateMessage(ref.name, dirs));
    }
  }

  if (!found_.empty()) {
    ScrubCredentials();
    partial_ = std::move(config);
    return std::nullopt;
  }
  return config;
}

void ConfigParser::ScrubCredentials() {
  if (credential_urls_.empty()) return;
  Diagnostics scrubbed;
  for (const Diagnostic& d : found_.items()) {
    std::string message = d.message;
    for (const std::string& url : credential_urls_) message = ScrubUrlCredentials(std::move(message), url);
    scrubbed.Add(d.pos, std::move(message));
  }
  found_ = std::move(scrubbed);
}

void ConfigParser::ReadRegistry(TableReader& root, RegistryConfig* out) {
  if (!root.Has("registry")) {
    found_.Add(SourcePos{file_, 1, 1}, "missing required table [registry] (at least: host = \"ghcr.io\")");
    return;
  }
  const toml::table* t = root.Table("registry");
  if (t == nullptr) return;
  TableReader r(*t, "registry", file_, kRegistryKeys, &found_);
  r.ReportUnknownKeys();
  if (!r.Has("host")) {
    r.RequireKey("host", "the registry's host[:port], e.g. host = \"ghcr.io\"");
  } else if (std::string host; r.String("host", &host)) {
    size_t scheme = host.find("://");
    if (UrlHasCredentials(host)) {
      // Reported by CheckUrlCredentials; nothing of the value is quoted again.
    } else if (host.find('@') != std::string::npos) {
      r.ValueError("host", "must be a host[:port] only, without credentials (\"user:password@\", not shown): give "
                           "the registry's credentials in the docker config, registry.auth_file or "
                           "MIRRORGRAPH_REGISTRY_USERNAME/_PASSWORD (docs/security.md)");
    } else if (host.empty()) {
      r.ValueError("host", "must not be empty; write the registry's host[:port], e.g. \"ghcr.io\"");
    } else if (scheme != std::string::npos) {
      r.ValueError("host", "write the host without a scheme (" + QuoteValue(host.substr(scheme + 3)) + ", not " +
                               QuoteValue(host) + "); set plain_http = true for a registry served over http://");
    } else if (size_t slash = host.find('/'); slash != std::string::npos) {
      r.ValueError("host", "must be a host[:port] only; put the path " + QuoteValue(host.substr(slash + 1)) +
                               " in registry.namespace");
    } else if (auto bad = std::find_if(host.begin(), host.end(),
                                       [](char c) {
                                         return !(std::isalnum(static_cast<unsigned char>(c)) || c == '.' ||
                                                  c == '-' || c == ':' || c == '[' || c == ']' || c == '_');
                                       });
               bad != host.end()) {
      r.ValueError("host", "invalid character '" + std::string(1, *bad) + "' in host " + QuoteValue(host));
    } else {
      out->host = host;
    }
  }
  if (std::string ns; r.String("namespace", &ns)) {
    if (!ns.empty() && !MatchesBounded(ns, kNamespaceRe, kMaxNamespace)) {
      r.ValueError("namespace", QuoteValue(ns) +
                                    " is not a valid repository namespace: lowercase letters and digits, "
                                    "separated by '.', '_', '__' or '-', components joined by '/', at most " +
                                    std::to_string(kMaxNamespace) + " characters");
    } else {
      out->namespace_ = ns;
    }
  }
  r.Bool("plain_http", &out->plain_http);
  if (std::string auth; r.String("auth_file", &auth) && !auth.empty()) out->auth_file = Resolve(auth);
}

void ConfigParser::ReadPlatforms(TableReader& r, std::vector<std::string>* out) {
  std::vector<std::string> platforms;
  if (!r.StringArray("platforms", &platforms)) return;
  if (platforms.empty()) {
    r.ValueError("platforms", "must list at least one platform, e.g. [\"linux/amd64\", \"linux/arm64\"]");
    return;
  }
  bool ok = true;
  const toml::array& array = *r.Node("platforms")->as_array();
  for (size_t i = 0; i < platforms.size(); ++i) {
    SourcePos pos = ToSourcePos(file_, array[i].source());
    std::string where = r.Qualified("platforms") + "[" + std::to_string(i) + "]: ";
    std::string why;
    if (!IsValidPlatform(platforms[i], &why)) {
      found_.Add(pos, where + why);
      ok = false;
    } else if (std::find(platforms.begin(), platforms.begin() + i, platforms[i]) != platforms.begin() + i) {
      found_.Add(pos, where + QuoteValue(platforms[i]) + " is listed twice");
      ok = false;
    }
  }
  if (ok) *out = std::move(platforms);
}

void ConfigParser::ReadSettings(TableReader& r, AppDefaults* s, SourcePos* template_pos) {
  r.Int("max_versions", 1, &s->max_versions);
  if (std::string window; r.String("window", &window)) {
    if (std::find(kWindows.begin(), kWindows.end(), window) == kWindows.end()) {
      std::string message = "unknown window " + QuoteValue(window, '\'');
      if (auto guess = DidYouMean(window, kWindows)) message += "; did you mean '" + *guess + "'?";
      r.ValueError("window", message + " (\"newest\": the max_versions highest versions; \"published\": the "
                                       "max_versions most recently published releases)");
    } else {
      s->window = window;
    }
  }
  ReadPlatforms(r, &s->platforms);
  if (std::string builder; r.String("builder", &builder)) {
    if (std::find(kBuilders.begin(), kBuilders.end(), builder) == kBuilders.end()) {
      std::string message = "unknown builder " + QuoteValue(builder, '\'');
      if (auto guess = DidYouMean(builder, kBuilders)) message += "; did you mean '" + *guess + "'?";
      r.ValueError("builder", message + " (known builders: " + Join(kBuilders, ", ") + ")");
    } else {
      s->builder = builder;
    }
  }
  if (std::string name; r.String("template", &name)) {
    if (name.empty()) {
      r.ValueError("template", "must not be empty; name a template such as \"multi-version\"");
    } else {
      s->template_name = IsTemplatePath(name) ? Resolve(name) : name;
      *template_pos = r.ValuePos("template");
      template_refs_.push_back({r.Qualified("template"), s->template_name, *template_pos});
    }
  }
  r.Bool("emulation", &s->emulation);
}

void ConfigParser::ReadAttestations(TableReader& root, AttestationConfig* out) {
  const toml::table* t = root.Table("attestations");
  if (t == nullptr) return;
  TableReader r(*t, "attestations", file_, kAttestationKeys, &found_);
  r.ReportUnknownKeys();
  r.Bool("sbom", &out->sbom);
  r.Bool("sign", &out->sign);
  r.Bool("provenance", &out->provenance);
  if (std::string key; r.String("key", &key)) {
    // A key reference such as "awskms://..." is not a file.
    out->key = key.empty() || key.find("://") != std::string::npos ? key : Resolve(key);
  }
  r.String("builder_id", &out->builder_id);
  if (r.String("signer", &out->signer) && out->signer != "key" && out->signer != "keyless") {
    r.ValueError("signer", "must be \"key\" (a key file, [attestations] key) or \"keyless\" (an OIDC identity, "
                           "a Fulcio certificate and a Rekor entry per signature)");
  }
  for (const char* name : {"fulcio_url", "rekor_url"}) {
    std::string url;
    if (!r.String(name, &url)) continue;
    if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
      r.ValueError(name, "must be an http:// or https:// URL");
      continue;
    }
    (std::string_view(name) == "fulcio_url" ? out->fulcio_url : out->rekor_url) = url;
  }
  if (std::string spec; r.String("identity_token", &spec)) {
    if (spec != "auto" && spec != "github" && !(spec.rfind("env:", 0) == 0 && spec.size() > 4) &&
        !(spec.rfind("file:", 0) == 0 && spec.size() > 5)) {
      r.ValueError("identity_token", "must be \"auto\", \"github\", \"env:NAME\" or \"file:PATH\"");
    } else {
      out->identity_token = spec.rfind("file:", 0) == 0 ? "file:" + Resolve(spec.substr(5)) : spec;
    }
  }
  if (std::string root; r.String("trusted_root", &root) && !root.empty()) out->trusted_root = Resolve(root);
}

void ConfigParser::ReadEngine(TableReader& root, EngineConfig* out) {
  out->state_dir = Resolve(".mirrorgraph");
  const toml::table* t = root.Table("engine");
  if (t == nullptr) return;
  TableReader r(*t, "engine", file_, kEngineKeys, &found_);
  r.ReportUnknownKeys();
  if (std::string dir; r.String("state_dir", &dir)) {
    if (dir.empty()) {
      r.ValueError("state_dir", "must not be empty (leave it out for \".mirrorgraph\" beside the config)");
    } else {
      out->state_dir = Resolve(dir);
    }
  }
  for (const char* key : {"plugin_path", "graph_path"}) {
    std::vector<std::string> dirs;
    if (!r.StringArray(key, &dirs)) continue;
    std::vector<std::string>& dest = std::string_view(key) == "plugin_path" ? out->plugin_path : out->graph_path;
    for (const std::string& d : dirs) dest.push_back(Resolve(d));
  }
  r.Int("jobs", 0, &out->jobs);
  r.Int("max_retry_wait", 0, &out->max_retry_wait);
  r.Int("stop_grace", 0, &out->stop_grace);
  if (const toml::table* pools = r.Table("pools")) {
    TableReader p(*pools, "engine.pools", file_, {}, &found_);
    for (const auto& [key, value] : *pools) {
      std::string name(key.str());
      int capacity = 0;
      if (p.Int(name, 1, &capacity)) out->pools[name] = capacity;
    }
  }
}

void ConfigParser::ReadBuilders(TableReader& root, BuildersConfig* out) {
  const toml::table* t = root.Table("builders");
  if (t == nullptr) return;
  TableReader r(*t, "builders", file_, kBuilderKeys, &found_);
  r.ReportUnknownKeys();
  r.Int("timeout", 1, &out->timeout_seconds);
  auto one_of = [&](const char* key, const std::vector<std::string>& allowed, std::string* dest) {
    std::string value;
    if (!r.String(key, &value)) return;
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "\"" : ", \"") + a + "\"";
      r.ValueError(key, "unknown value " + QuoteValue(value) + ": use one of " + list);
      return;
    }
    *dest = value;
  };
  one_of("buildah_storage_driver", {"vfs", "overlay"}, &out->buildah_storage_driver);
  one_of("buildah_isolation", {"chroot", "oci", "rootless"}, &out->buildah_isolation);
  r.String("buildx_builder", &out->buildx_builder);
}

void ConfigParser::ReadCache(TableReader& root, const RegistryConfig& registry, CacheConfig* out) {
  const toml::table* t = root.Table("cache");
  if (t == nullptr) return;
  TableReader r(*t, "cache", file_, kCacheKeys, &found_);
  r.ReportUnknownKeys();
  std::string remote;
  if (r.String("remote", &remote) && !remote.empty() && !UrlHasCredentials(remote)) {
    constexpr std::string_view kScheme = "oci://";
    std::string rest = StartsWith(remote, kScheme) ? remote.substr(kScheme.size()) : std::string();
    size_t slash = rest.find('/');
    std::string host = slash == std::string::npos ? rest : rest.substr(0, slash);
    std::string repo = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
    const char* hint = ": write oci://HOST[:PORT]/REPOSITORY, e.g. \"oci://ghcr.io/acme/mirrorgraph-cache\"";
    if (!StartsWith(remote, kScheme)) {
      r.ValueError("remote", "unsupported cache location " + QuoteValue(remote) + hint);
    } else if (host.empty() || host.find('@') != std::string::npos) {
      r.ValueError("remote", "missing registry host in " + QuoteValue(remote) + hint);
    } else if (repo.empty() || !MatchesBounded(repo, kNamespaceRe, kMaxNamespace)) {
      r.ValueError("remote", QuoteValue(repo) + " in " + QuoteValue(remote) +
                                 " is not a valid repository name (lowercase letters and digits, separated by "
                                 "'.', '_', '__' or '-', components joined by '/')" + hint);
    } else {
      out->remote = remote;
      out->remote_host = host;
      out->remote_repository = repo;
      out->remote_plain_http = host == registry.host && registry.plain_http;
    }
  }
  r.Bool("plain_http", &out->remote_plain_http);
}

void ConfigParser::ReadRunners(TableReader& root, std::map<std::string, std::string>* out) {
  const toml::table* t = root.Table("runners");
  if (t == nullptr) return;
  TableReader r(*t, "runners", file_, {}, &found_);
  for (const auto& [key, node] : *t) {
    std::string platform(key.str());
    std::string why;
    if (!IsValidPlatform(platform, &why)) {
      found_.Add(ToSourcePos(file_, key.source()),
                 "runners: " + QuoteValue(platform) + " is not a platform (" + why +
                     "); keys are platforms such as \"linux/arm64\" = \"ubuntu-24.04-arm\"");
      continue;
    }
    std::string label;
    if (!r.String(platform, &label)) continue;
    if (label.empty() || label.find_first_of("\n\r\"'$`") != std::string::npos) {
      r.ValueError(platform, "a runner label must be non-empty and hold no quotes, '$', '`' or line breaks, got " +
                                 QuoteValue(label));
      continue;
    }
    (*out)[platform] = label;
  }
}

void ConfigParser::ReadCi(TableReader& root, CiConfig* out) {
  const toml::table* t = root.Table("ci");
  if (t == nullptr) return;
  TableReader r(*t, "ci", file_, kCiKeys, &found_);
  r.ReportUnknownKeys();
  if (std::string runner; r.String("runner", &runner)) {
    if (runner.empty() || runner.find_first_of("\n\r\"'$`") != std::string::npos) {
      r.ValueError("runner", "a runner label must be non-empty and hold no quotes, '$', '`' or line breaks, got " +
                                 QuoteValue(runner));
    } else {
      out->runner = runner;
    }
  }
  if (std::string cron; r.String("schedule", &cron)) {
    size_t fields = 0;
    bool in_field = false;
    bool ok = cron.find_first_not_of("0123456789*/,- ") == std::string::npos;
    for (char c : cron) {
      if (c != ' ' && !in_field) ++fields;
      in_field = c != ' ';
    }
    if (!ok || fields != 5) {
      r.ValueError("schedule", "expected a five-field cron expression such as \"17 */6 * * *\", got " + QuoteValue(cron));
    } else {
      out->schedule = cron;
    }
  }
  r.String("install", &out->install);
  r.String("gitlab_image", &out->gitlab_image);
}

void ConfigParser::ReadPrune(TableReader& root, const std::vector<AppConfig>& apps, PruneConfig* out) {
  const toml::table* t = root.Table("prune");
  if (t == nullptr) return;
  TableReader r(*t, "prune", file_, kPruneKeys, &found_);
  r.ReportUnknownKeys();
  r.Int("keep", 0, &out->keep);
  const toml::table* per_app = r.Table("apps");
  if (per_app == nullptr) return;
  std::vector<std::string> names;
  for (const AppConfig& a : apps) names.push_back(a.name);
  TableReader pr(*per_app, "prune.apps", file_, {}, &found_);
  for (const auto& [key, node] : *per_app) {
    std::string app(key.str());
    if (std::find(names.begin(), names.end(), app) == names.end()) {
      std::string message = "prune.apps: " + QuoteValue(app) + " is not an app of this config";
      if (auto guess = DidYouMean(app, names)) message += "; did you mean '" + *guess + "'?";
      found_.Add(ToSourcePos(file_, key.source()), message + " (keys are app names, values how many versions beyond "
                                                               "the window to keep: outline = 5)");
      continue;
    }
    int keep = 0;
    if (pr.Int(app, 0, &keep)) out->apps[app] = keep;
  }
}

void ConfigParser::CheckUrlCredentials(const toml::node& node, const std::string& qualified) {
  if (const toml::table* t = node.as_table()) {
    for (const auto& [key, child] : *t) {
      CheckUrlCredentials(child, qualified.empty() ? std::string(key.str()) : qualified + "." + std::string(key.str()));
    }
  } else if (const toml::array* a = node.as_array()) {
    for (size_t i = 0; i < a->size(); ++i) CheckUrlCredentials((*a)[i], qualified + "[" + std::to_string(i) + "]");
  } else if (const auto* s = node.as_string(); s != nullptr && UrlHasCredentials(s->get())) {
    found_.Add(ToSourcePos(file_, node.source()), qualified + ": " + UrlCredentialsProblem(s->get()));
    credential_urls_.push_back(s->get());
  }
}

void ConfigParser::CheckTagPattern(const toml::table& app, const std::string& qualified) {
  const toml::table* source = app["source"].as_table();
  if (source == nullptr || !source->contains("tag_pattern")) return;
  TableReader r(*source, qualified + ".source", file_, {"tag_pattern"}, &found_);
  std::string pattern;
  if (!r.String("tag_pattern", &pattern)) return;
  Status valid = ValidateTagPattern(pattern);
  if (!valid.ok()) found_.Add(r.ValuePos("tag_pattern"), qualified + ".source: " + valid.message());
}

void ConfigParser::ReadApps(TableReader& root, const AppDefaults& defaults, const SourcePos& default_template_pos,
                            std::vector<AppConfig>* out) {
  if (const toml::node* node = root.Node("apps"); node != nullptr && !node->is_table()) {
    root.ValueError("apps", std::string("expected one table per app ([apps.NAME]), got ") + TomlTypeName(node->type()));
    return;
  }
  const toml::table* apps = root.Table("apps");
  if (apps == nullptr) return;
  for (const auto& [key, node] : *apps) {
    std::string name(key.str());
    // A bad name is shown clipped in every message about its table (util/strings.h).
    bool name_ok = MatchesBounded(name, kAppNameRe, kMaxAppName);
    std::string qualified = "apps." + (name_ok ? name : ClipValue(name));
    if (name.size() > kMaxAppName) {
      found_.Add(ToSourcePos(file_, key.source()),
                 "app name " + QuoteValue(name, '\'') + " is too long: names become image names, at most " +
                     std::to_string(kMaxAppName) + " characters");
    } else if (!name_ok) {
      found_.Add(ToSourcePos(file_, key.source()),
                 "invalid app name " + QuoteValue(name, '\'') +
                     ": names become image names, so they must match ^[a-z0-9][a-z0-9._-]*$ "
                     "(lowercase letters, digits, '.', '_', '-')");
    }
    const toml::table* t = node.as_table();
    if (t == nullptr) {
      found_.Add(ToSourcePos(file_, node.source()),
                 qualified + ": expected a table ([" + qualified + "]), got " + TomlTypeName(node.type()));
      continue;
    }
    TableReader r(*t, qualified, file_, kAppEngineKeys, &found_);
    AppConfig app;
    app.name = name;
    app.pos = r.TablePos();
    if (!r.Has("plugin")) {
      r.RequireKey("plugin", "a plugin name such as \"generic\" or a path to a .so file");
    } else if (std::string plugin; r.String("plugin", &plugin)) {
      if (EndsWith(plugin, ".so")) {
        app.plugin = Resolve(plugin);
      } else if (MatchesBounded(plugin, kPluginNameRe, kMaxPluginName)) {
        app.plugin = plugin;
      } else {
        r.ValueError("plugin", "invalid plugin " + QuoteValue(plugin) +
                                   ": expected a plugin name (lowercase letters, digits, '-') or a path ending in .so");
      }
    }
    r.Bool("enabled", &app.enabled);
    AppDefaults settings = defaults;
    app.template_pos = default_template_pos;
    ReadSettings(r, &settings, &app.template_pos);
    app.max_versions = settings.max_versions;
    app.window = settings.window;
    app.platforms = settings.platforms;
    app.builder = settings.builder;
    app.template_name = settings.template_name;
    app.emulation = settings.emulation;
    app.table = TomlToJson(*t, file_, qualified, &app.key_positions, &found_);
    CheckTagPattern(*t, qualified);
    out->push_back(std::move(app));
  }
  std::sort(out->begin(), out->end(), [](const AppConfig& a, const AppConfig& b) { return a.name < b.name; });
}

std::string AbsoluteDirOf(const std::string& path) {
  std::error_code ec;
  fs::path dir = fs::path(path).parent_path();
  fs::path abs = fs::absolute(dir.empty() ? fs::path(".") : dir, ec);
  if (ec) abs = dir;
  abs = abs.lexically_normal();
  if (abs.filename().empty() && abs.has_parent_path() && abs != abs.root_path()) abs = abs.parent_path();
  return abs.string();
}

}  // namespace

SourcePos AppConfig::PositionOf(const std::string& dotted_path) const {
  std::string path = dotted_path;
  while (!path.empty()) {
    auto it = key_positions.find(path);
    if (it != key_positions.end()) return it->second;
    size_t cut = path.find_last_of(".[");
    if (cut == std::string::npos) break;
    path.resize(cut);
  }
  return pos;
}

namespace {

std::optional<Config> ParseConfigText(const std::string& text, const std::string& path, Diagnostics* diags,
                                      Config* partial) {
  Diagnostics local;
  if (diags == nullptr) diags = &local;
  Diagnostics found;
  std::optional<toml::table> root = ParseToml(text, path, &found);
  std::optional<Config> config;
  if (root) {
    ConfigParser parser(path, AbsoluteDirOf(path));
    config = parser.Parse(*root);
    found = parser.found();
    if (config) config->path = path;
    if (!config && partial != nullptr) {
      *partial = std::move(parser.partial());
      partial->path = path;
    }
  }
  AppendSorted(found, diags);
  return config;
}

}  // namespace

std::optional<Config> ParseConfig(const std::string& text, const std::string& path, Diagnostics* diags) {
  return ParseConfigText(text, path, diags, nullptr);
}

std::optional<Config> LoadConfig(const std::string& path, Diagnostics* diags) {
  return LoadConfig(path, diags, nullptr);
}

std::optional<Config> LoadConfig(const std::string& path, Diagnostics* diags, Config* partial) {
  Result<std::string> text = ReadTextFile(path);
  if (!text.ok()) {
    std::string message = text.status().message();
    std::error_code ec;
    if (!fs::exists(path, ec)) message += " (use -c to point at your config)";
    if (diags != nullptr) diags->Add(SourcePos{}, message);
    return std::nullopt;
  }
  return ParseConfigText(*text, path, diags, partial);
}

}  // namespace mg
