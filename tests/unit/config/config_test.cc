#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "config/config.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;

namespace {

// Every diagnostic of parsing `text` as "mirror.toml", rendered "file:line:column: message".
std::vector<std::string> Errors(const std::string& text) {
  mg::Diagnostics diags;
  std::optional<mg::Config> config = mg::ParseConfig(text, "mirror.toml", &diags);
  BOOST_CHECK(!config.has_value());
  std::vector<std::string> out;
  for (const mg::Diagnostic& d : diags.items()) out.push_back(d.ToString());
  return out;
}

std::string OneError(const std::string& text) {
  std::vector<std::string> errors = Errors(text);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  return errors[0];
}

mg::Config MustParse(const std::string& text, const std::string& path = "mirror.toml") {
  mg::Diagnostics diags;
  std::optional<mg::Config> config = mg::ParseConfig(text, path, &diags);
  BOOST_REQUIRE_MESSAGE(config.has_value(), diags.ToString());
  BOOST_CHECK(diags.empty());
  return *config;
}

const char* kMinimal = "[registry]\nhost = \"ghcr.io\"\n";

// A scratch directory removed at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("mg-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void Write(const std::string& name, const std::string& text) const {
    fs::create_directories((path / name).parent_path());
    std::ofstream(path / name) << text;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(config_test)

BOOST_AUTO_TEST_CASE(every_key_is_read) {
  const std::string text = R"([registry]
host = "127.0.0.1:5000"
namespace = "this-is-tobi/mirror"
plain_http = true
auth_file = "auth/config.json"

[defaults]
max_versions = 3
platforms = ["linux/amd64", "linux/arm/v7"]
builder = "docker"
template = "latest-only"
emulation = true

[attestations]
sbom = false
sign = false
provenance = false
key = "keys/cosign.key"
builder_id = "https://example.test/builder"

[engine]
state_dir = "state"
plugin_path = ["plugins", "/opt/mg/plugins"]
graph_path = ["../graphs"]
jobs = 6
max_retry_wait = 5
pools = { registry = 8, build = 1 }

[apps.outline]
plugin = "outline"
enabled = false

[apps.mattermost]
plugin = "lib/custom.so"
)";
  mg::Config c = MustParse(text, "/srv/mirror/mirror.toml");
  BOOST_CHECK_EQUAL(c.path, "/srv/mirror/mirror.toml");
  BOOST_CHECK_EQUAL(c.dir, "/srv/mirror");
  BOOST_CHECK_EQUAL(c.registry.host, "127.0.0.1:5000");
  BOOST_CHECK_EQUAL(c.registry.namespace_, "this-is-tobi/mirror");
  BOOST_CHECK(c.registry.plain_http);
  BOOST_CHECK_EQUAL(c.registry.auth_file, "/srv/mirror/auth/config.json");
  BOOST_CHECK_EQUAL(c.defaults.max_versions, 3);
  BOOST_CHECK((c.defaults.platforms == std::vector<std::string>{"linux/amd64", "linux/arm/v7"}));
  BOOST_CHECK_EQUAL(c.defaults.builder, "docker");
  BOOST_CHECK_EQUAL(c.defaults.template_name, "latest-only");
  BOOST_CHECK(c.defaults.emulation);
  BOOST_CHECK(!c.attestations.sbom);
  BOOST_CHECK(!c.attestations.sign);
  BOOST_CHECK(!c.attestations.provenance);
  BOOST_CHECK_EQUAL(c.attestations.key, "/srv/mirror/keys/cosign.key");
  BOOST_CHECK_EQUAL(c.attestations.builder_id, "https://example.test/builder");
  BOOST_CHECK_EQUAL(c.engine.state_dir, "/srv/mirror/state");
  BOOST_CHECK((c.engine.plugin_path == std::vector<std::string>{"/srv/mirror/plugins", "/opt/mg/plugins"}));
  BOOST_CHECK((c.engine.graph_path == std::vector<std::string>{"/srv/graphs"}));
  BOOST_CHECK_EQUAL(c.engine.jobs, 6);
  BOOST_CHECK_EQUAL(c.engine.max_retry_wait, 5);
  BOOST_CHECK((c.engine.pools == std::map<std::string, int>{{"build", 1}, {"registry", 8}}));
  BOOST_REQUIRE_EQUAL(c.apps.size(), 2u);
  // Sorted by name, whatever the file order.
  BOOST_CHECK_EQUAL(c.apps[0].name, "mattermost");
  BOOST_CHECK_EQUAL(c.apps[0].plugin, "/srv/mirror/lib/custom.so");
  BOOST_CHECK(c.apps[0].enabled);
  BOOST_CHECK_EQUAL(c.apps[1].name, "outline");
  BOOST_CHECK_EQUAL(c.apps[1].plugin, "outline");
  BOOST_CHECK(!c.apps[1].enabled);
  BOOST_CHECK_EQUAL(c.apps[1].pos.line, 29);
  BOOST_CHECK_EQUAL(c.apps[1].pos.column, 1);
}

BOOST_AUTO_TEST_CASE(defaults_apply_and_apps_override_them) {
  const std::string text = std::string(kMinimal) + R"(
[apps.plain]
plugin = "generic"

[apps.custom]
plugin = "generic"
max_versions = 2
platforms = ["linux/arm64"]
builder = "docker"
template = "latest-only"
emulation = true
window = "published"
)";
  mg::Config c = MustParse(text);
  BOOST_CHECK_EQUAL(c.registry.namespace_, "");
  BOOST_CHECK(!c.registry.plain_http);
  BOOST_CHECK_EQUAL(c.registry.auth_file, "");
  BOOST_CHECK(c.attestations.sbom && c.attestations.sign && c.attestations.provenance);
  BOOST_CHECK_EQUAL(c.engine.jobs, 0);
  BOOST_CHECK_EQUAL(c.engine.max_retry_wait, 60);
  BOOST_CHECK_EQUAL(c.engine.state_dir, (fs::current_path() / ".mirrorgraph").string());
  BOOST_REQUIRE_EQUAL(c.apps.size(), 2u);
  const mg::AppConfig& custom = c.apps[0];
  const mg::AppConfig& plain = c.apps[1];
  BOOST_CHECK_EQUAL(plain.name, "plain");
  BOOST_CHECK_EQUAL(plain.max_versions, 10);
  BOOST_CHECK((plain.platforms == std::vector<std::string>{"linux/amd64", "linux/arm64"}));
  BOOST_CHECK_EQUAL(plain.builder, "buildah");
  BOOST_CHECK_EQUAL(plain.template_name, "multi-version");
  BOOST_CHECK(!plain.emulation);
  BOOST_CHECK(plain.enabled);
  BOOST_CHECK_EQUAL(custom.max_versions, 2);
  BOOST_CHECK((custom.platforms == std::vector<std::string>{"linux/arm64"}));
  BOOST_CHECK_EQUAL(custom.builder, "docker");
  BOOST_CHECK_EQUAL(custom.template_name, "latest-only");
  BOOST_CHECK_EQUAL(custom.template_pos.line, 12);
  BOOST_CHECK_EQUAL(custom.template_pos.column, 12);
  BOOST_CHECK(custom.emulation);
  BOOST_CHECK_EQUAL(plain.window, "");  // not set: the plugin's default
  BOOST_CHECK_EQUAL(custom.window, "published");
}

BOOST_AUTO_TEST_CASE(defaults_section_changes_what_apps_inherit) {
  const std::string text = std::string(kMinimal) + R"(
[defaults]
max_versions = 4
platforms = ["linux/amd64"]
window = "newest"

[apps.a]
plugin = "generic"

[apps.b]
plugin = "generic"
window = "published"
)";
  mg::Config c = MustParse(text);
  BOOST_REQUIRE_EQUAL(c.apps.size(), 2u);
  BOOST_CHECK_EQUAL(c.apps[0].window, "newest");
  BOOST_CHECK_EQUAL(c.apps[1].window, "published");
  BOOST_CHECK_EQUAL(c.apps[0].max_versions, 4);
  BOOST_CHECK((c.apps[0].platforms == std::vector<std::string>{"linux/amd64"}));
}

BOOST_AUTO_TEST_CASE(plugin_keys_become_json_with_positions) {
  const std::string text = std::string(kMinimal) + R"(
[apps.mattermost]
plugin = "generic"
source.type = "github"
source.repo = "mattermost/mattermost"
source.tag_pattern = '^v(\d+\.\d+\.\d+)$'
edits = [{ pattern = "curl", replace = "curl -L" }]
released = 2024-01-02

[apps.mattermost.build.args]
FOO = "bar"
N = 3
)";
  mg::Config c = MustParse(text);
  BOOST_REQUIRE_EQUAL(c.apps.size(), 1u);
  const mg::AppConfig& app = c.apps[0];
  BOOST_CHECK_EQUAL(app.table["plugin"], "generic");
  BOOST_CHECK_EQUAL(app.table["source"]["repo"], "mattermost/mattermost");
  BOOST_CHECK_EQUAL(app.table["source"]["tag_pattern"], "^v(\\d+\\.\\d+\\.\\d+)$");
  BOOST_CHECK_EQUAL(app.table["build"]["args"]["FOO"], "bar");
  BOOST_CHECK_EQUAL(app.table["build"]["args"]["N"], 3);
  BOOST_CHECK_EQUAL(app.table["edits"][0]["replace"], "curl -L");
  BOOST_CHECK_EQUAL(app.table["released"], "2024-01-02");

  auto at = [&](const std::string& path) {
    auto it = app.key_positions.find(path);
    BOOST_REQUIRE_MESSAGE(it != app.key_positions.end(), "no position for " + path);
    return std::to_string(it->second.line) + ":" + std::to_string(it->second.column);
  };
  BOOST_CHECK_EQUAL(at("plugin"), "5:10");
  BOOST_CHECK_EQUAL(at("source"), "6:1");
  BOOST_CHECK_EQUAL(at("source.repo"), "7:15");
  BOOST_CHECK_EQUAL(at("source.tag_pattern"), "8:22");
  BOOST_CHECK_EQUAL(at("edits[0].replace"), "9:40");
  BOOST_CHECK_EQUAL(at("build.args"), "12:1");
  BOOST_CHECK_EQUAL(at("build.args.FOO"), "13:7");
  BOOST_CHECK_EQUAL(at("build.args.N"), "14:5");

  // Unknown paths fall back to the nearest ancestor, then to the app table.
  mg::SourcePos p = app.PositionOf("build.args.MISSING");
  BOOST_CHECK_EQUAL(p.line, 12);
  p = app.PositionOf("edits[3].pattern");
  BOOST_CHECK_EQUAL(p.line, 9);
  BOOST_CHECK_EQUAL(p.column, 9);
  p = app.PositionOf("nothing.here");
  BOOST_CHECK_EQUAL(p.line, 4);
  BOOST_CHECK_EQUAL(p.file, "mirror.toml");
}

BOOST_AUTO_TEST_CASE(wrong_types_point_at_the_value) {
  BOOST_CHECK_EQUAL(OneError("[registry]\nhost = 5\n"),
                    "mirror.toml:2:8: registry.host: expected a string, got an integer");
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[defaults]\nemulation = \"yes\"\n"),
                    "mirror.toml:4:13: defaults.emulation: expected a boolean (true or false), got a string");
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[engine]\njobs = -1\n"),
                    "mirror.toml:4:8: engine.jobs: must be at least 0, got -1");
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[engine]\npools = { build = 0 }\n"),
                    "mirror.toml:4:19: engine.pools.build: must be at least 1, got 0");
  BOOST_CHECK_EQUAL(OneError("defaults = 3\n" + std::string(kMinimal)),
                    "mirror.toml:1:12: defaults: expected a table, got an integer");
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[engine]\nplugin_path = [\"a\", 1]\n"),
                    "mirror.toml:4:21: engine.plugin_path[1]: expected a string, got an integer");
}

BOOST_AUTO_TEST_CASE(unknown_keys_suggest_the_closest) {
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[defaults]\nplatfroms = [\"linux/amd64\"]\n"),
                    "mirror.toml:4:1: unknown key 'platfroms' in [defaults]; did you mean 'platforms'?");
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "\n[regsitry]\nhost = \"x\"\n"),
                    "mirror.toml:4:2: unknown key 'regsitry'; did you mean 'registry'?");
  std::string far = OneError(std::string(kMinimal) + "[attestations]\ncolour = true\n");
  BOOST_CHECK_EQUAL(far,
                    "mirror.toml:4:1: unknown key 'colour' in [attestations] "
                    "(known keys: sbom, sign, provenance, key, builder_id, signer, fulcio_url, rekor_url, "
                    "identity_token, trusted_root)");
}

BOOST_AUTO_TEST_CASE(registry_host_is_checked) {
  BOOST_CHECK_EQUAL(OneError("[registry]\nnamespace = \"x\"\n"),
                    "mirror.toml:1:1: missing required key 'host' in [registry] "
                    "(the registry's host[:port], e.g. host = \"ghcr.io\")");
  BOOST_CHECK_EQUAL(OneError("[defaults]\n"),
                    "mirror.toml:1:1: missing required table [registry] (at least: host = \"ghcr.io\")");
  std::string scheme = OneError("[registry]\nhost = \"https://ghcr.io\"\n");
  BOOST_CHECK_EQUAL(scheme.rfind("mirror.toml:2:8: registry.host: write the host without a scheme (\"ghcr.io\"", 0), 0u);
  std::string path = OneError("[registry]\nhost = \"ghcr.io/me\"\n");
  BOOST_CHECK_NE(path.find("put the path \"me\" in registry.namespace"), std::string::npos);
  std::string ns = OneError("[registry]\nhost = \"ghcr.io\"\nnamespace = \"Me/Mirror\"\n");
  BOOST_CHECK_EQUAL(ns.rfind("mirror.toml:3:13: registry.namespace: \"Me/Mirror\" is not a valid", 0), 0u);
}

BOOST_AUTO_TEST_CASE(setting_values_are_checked) {
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[defaults]\nmax_versions = 0\n"),
                    "mirror.toml:4:16: defaults.max_versions: must be at least 1, got 0");
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[defaults]\nbuilder = \"dokcer\"\n"),
                    "mirror.toml:4:11: defaults.builder: unknown builder 'dokcer'; did you mean 'docker'? "
                    "(known builders: buildah, docker)");
  const std::string windows = " (\"newest\": the max_versions highest versions; \"published\": the max_versions most "
                              "recently published releases)";
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[defaults]\nwindow = \"publish\"\n"),
                    "mirror.toml:4:10: defaults.window: unknown window 'publish'; did you mean 'published'?" + windows);
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[apps.a]\nplugin = \"generic\"\nwindow = \"latest\"\n"),
                    "mirror.toml:5:10: apps.a.window: unknown window 'latest'" + windows);
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[apps.a]\nplugin = \"generic\"\nwindow = 3\n"),
                    "mirror.toml:5:10: apps.a.window: expected a string, got an integer");
  std::string tmpl = OneError(std::string(kMinimal) + "[apps.a]\nplugin = \"generic\"\ntemplate = \"multi-versoin\"\n");
  BOOST_CHECK_EQUAL(tmpl.rfind("mirror.toml:5:12: apps.a.template: unknown template 'multi-versoin'; did you mean 'multi-version'? "
                               "(known templates: ",
                               0),
                    0u);
  BOOST_CHECK_NE(tmpl.find("latest-only"), std::string::npos);
  std::string in_defaults = OneError(std::string(kMinimal) + "[defaults]\ntemplate = \"zzz\"\n");
  BOOST_CHECK_EQUAL(in_defaults.rfind("mirror.toml:4:12: defaults.template: unknown template 'zzz' (known templates: ", 0),
                    0u);
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[defaults]\ntemplate = \"./nowhere.toml\"\n"),
                    "mirror.toml:4:12: defaults.template: template file '" + (fs::current_path() / "nowhere.toml").string() +
                        "' does not exist");
}

BOOST_AUTO_TEST_CASE(app_tables_are_checked) {
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[apps.Outline]\nplugin = \"outline\"\n"),
                    "mirror.toml:3:7: invalid app name 'Outline': names become image names, so they must match "
                    "^[a-z0-9][a-z0-9._-]*$ (lowercase letters, digits, '.', '_', '-')");
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[apps.outline]\nenabled = true\n"),
                    "mirror.toml:3:1: missing required key 'plugin' in [apps.outline] "
                    "(a plugin name such as \"generic\" or a path to a .so file)");
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[apps.outline]\nplugin = \"Out_line\"\n"),
                    "mirror.toml:4:10: apps.outline.plugin: invalid plugin \"Out_line\": expected a plugin name "
                    "(lowercase letters, digits, '-') or a path ending in .so");
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[apps]\noutline = \"generic\"\n"),
                    "mirror.toml:4:11: apps.outline: expected a table ([apps.outline]), got a string");
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[[apps]]\nplugin = \"generic\"\n"),
                    "mirror.toml:3:1: apps: expected one table per app ([apps.NAME]), got an array");
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[apps.a]\nplugin = \"generic\"\nratio = 0.5\n"),
                    "mirror.toml:5:9: apps.a.ratio: floating-point numbers are not supported; write the value as "
                    "a string or an integer");
}

// Issue 9, finding 2: no configured URL carries credentials; the error shows none of them.
BOOST_AUTO_TEST_CASE(urls_with_credentials_are_refused) {
  const std::string secret = "CANARY-c0nf1g";
  std::vector<std::string> errors = Errors(
      "[registry]\nhost = \"bob:" + secret + "@reg.example\"\n"
      "[attestations]\nbuilder_id = \"https://ci:" + secret + "@ci.example/builder\"\n"
      "[apps.a]\nplugin = \"generic\"\n"
      "source = { type = \"git-tags\", url = \"https://bob:" + secret + "@git.example/a.git\" }\n"
      "[apps.b]\nplugin = \"generic\"\n"
      "source = { type = \"github-releases\", repo = \"o/b\", api_base = \"https://" + secret + "@gh.example/api/v3\" }\n"
      "build = { args = { MIRRORS = [\"https://m.example\", \"http://u:" + secret + "@m2.example\"] } }\n"
      "[apps.c]\nplugin = \"generic\"\nsource = { type = \"git-tags\", url = \"ssh://git@git.example/c.git\" }\n");
  BOOST_REQUIRE_EQUAL(errors.size(), 5u);
  BOOST_CHECK_EQUAL(errors[0].rfind("mirror.toml:2:8: registry.host: must be a host[:port] only, without credentials", 0),
                    0u);
  BOOST_CHECK_EQUAL(errors[1].rfind("mirror.toml:4:14: attestations.builder_id: \"https://ci.example/builder\" with "
                                    "credentials before the host",
                                    0),
                    0u);
  BOOST_CHECK_EQUAL(errors[2].rfind("mirror.toml:7:37: apps.a.source.url: \"https://git.example/a.git\" with credentials", 0),
                    0u);
  BOOST_CHECK_EQUAL(errors[3].rfind("mirror.toml:10:63: apps.b.source.api_base: \"https://gh.example/api/v3\"", 0), 0u);
  BOOST_CHECK_EQUAL(errors[4].rfind("mirror.toml:11:52: apps.b.build.args.MIRRORS[1]: \"http://m2.example\"", 0), 0u);
  for (const std::string& e : errors) {
    BOOST_TEST(e.find(secret) == std::string::npos, e);
    BOOST_TEST(e.find("bob") == std::string::npos, e);
  }
  BOOST_TEST(errors[2].find("GIT_ASKPASS") != std::string::npos);
  // The same URL in the host position with a scheme is reported once, still without the secret.
  std::string with_scheme = OneError("[registry]\nhost = \"https://bob:" + secret + "@reg.example\"\n");
  BOOST_TEST(with_scheme.find(secret) == std::string::npos, with_scheme);
  BOOST_TEST(with_scheme.find("registry.auth_file") != std::string::npos, with_scheme);
  // Another check quoting the same value quotes it without the credentials.
  std::vector<std::string> twice = Errors(std::string(kMinimal) + "[defaults]\ntemplate = \"https://bob:" + secret +
                                          "@t.example/x.toml\"\n");
  BOOST_REQUIRE_EQUAL(twice.size(), 2u);
  for (const std::string& e : twice) BOOST_TEST(e.find(secret) == std::string::npos, e);
  // An ssh user name is an account, not a secret.
  MustParse(std::string(kMinimal) + "[apps.c]\nplugin = \"generic\"\nsource = { type = \"git-tags\", url = "
            "\"ssh://git@git.example/c.git\" }\n");
}

BOOST_AUTO_TEST_CASE(tag_pattern_needs_valid_syntax_and_a_group) {
  std::string no_group =
      OneError(std::string(kMinimal) + "[apps.a]\nplugin = \"generic\"\nsource.tag_pattern = '^v\\d+$'\n");
  BOOST_CHECK_EQUAL(no_group.rfind("mirror.toml:5:22: apps.a.source: tag_pattern \"^v\\d+$\" has no capture group", 0), 0u);
  std::string bad = OneError(std::string(kMinimal) + "[apps.a]\nplugin = \"generic\"\n[apps.a.source]\ntag_pattern = '^v(\\d+'\n");
  BOOST_CHECK_EQUAL(bad.rfind("mirror.toml:6:15: apps.a.source: tag_pattern \"^v(\\d+\" is not a valid RE2 regular "
                              "expression: ",
                              0),
                    0u);
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[apps.a]\nplugin = \"generic\"\nsource.tag_pattern = 1\n"),
                    "mirror.toml:5:22: apps.a.source.tag_pattern: expected a string, got an integer");
}

BOOST_AUTO_TEST_CASE(platforms_are_checked) {
  std::vector<std::string> errors =
      Errors(std::string(kMinimal) + "[defaults]\nplatforms = [\"linux/x86_64\", \"linux\", \"linux/amd64\", \"linux/amd64\"]\n");
  BOOST_REQUIRE_EQUAL(errors.size(), 3u);
  BOOST_CHECK_EQUAL(errors[0].rfind("mirror.toml:4:14: defaults.platforms[0]: unknown arch 'x86_64' in \"linux/x86_64\" "
                                    "(did you mean 'amd64'?); expected os/arch[/variant]",
                                    0),
                    0u);
  BOOST_CHECK_NE(errors[0].find("known arch: amd64, arm64, arm, 386, ppc64le, s390x, riscv64, mips64le"),
                 std::string::npos);
  BOOST_CHECK_EQUAL(errors[1].rfind("mirror.toml:4:30: defaults.platforms[1]: invalid platform \"linux\"", 0), 0u);
  BOOST_CHECK_EQUAL(errors[2], "mirror.toml:4:54: defaults.platforms[3]: \"linux/amd64\" is listed twice");
  BOOST_CHECK_EQUAL(OneError(std::string(kMinimal) + "[apps.a]\nplugin = \"generic\"\nplatforms = []\n"),
                    "mirror.toml:5:13: apps.a.platforms: must list at least one platform, e.g. "
                    "[\"linux/amd64\", \"linux/arm64\"]");
}

BOOST_AUTO_TEST_CASE(all_problems_are_reported_in_file_order) {
  const std::string text = R"([registry]
host = 1
colour = "red"

[defaults]
max_versions = "ten"
builder = "podman"

[apps.b]
plugin = 3

[apps.a]
source.tag_pattern = "("
)";
  std::vector<std::string> errors = Errors(text);
  BOOST_REQUIRE_EQUAL(errors.size(), 7u);
  std::vector<std::string> where;
  for (const std::string& e : errors) where.push_back(e.substr(0, e.find(": ")));
  BOOST_CHECK((where == std::vector<std::string>{"mirror.toml:2:8", "mirror.toml:3:1", "mirror.toml:6:16",
                                                 "mirror.toml:7:11", "mirror.toml:10:10", "mirror.toml:12:1",
                                                 "mirror.toml:13:22"}));
}

BOOST_AUTO_TEST_CASE(syntax_errors_have_a_position) {
  std::string e = OneError("[registry]\nhost = \"ghcr.io\"\nhost = \"again\"\n");
  BOOST_CHECK_EQUAL(e.rfind("mirror.toml:3:", 0), 0u);
  BOOST_CHECK_NE(e.find("invalid TOML: "), std::string::npos);
}

BOOST_AUTO_TEST_CASE(load_config_reads_files_and_resolves_paths) {
  TempDir dir;
  dir.Write("conf/mirror.toml", std::string(kMinimal) + "[engine]\nstate_dir = \"../state\"\ngraph_path = [\"g\"]\n"
                                                       "[defaults]\ntemplate = \"mine\"\n"
                                                       "[apps.a]\nplugin = \"generic\"\ntemplate = \"g/mine.toml\"\n");
  dir.Write("conf/g/mine.toml", "name = \"mine\"\n");
  mg::Diagnostics diags;
  std::optional<mg::Config> c = mg::LoadConfig((dir.path / "conf/mirror.toml").string(), &diags);
  BOOST_REQUIRE_MESSAGE(c.has_value(), diags.ToString());
  BOOST_CHECK_EQUAL(c->dir, (dir.path / "conf").string());
  BOOST_CHECK_EQUAL(c->engine.state_dir, (dir.path / "state").string());
  BOOST_CHECK_EQUAL(c->defaults.template_name, "mine");
  BOOST_REQUIRE_EQUAL(c->apps.size(), 1u);
  BOOST_CHECK_EQUAL(c->apps[0].template_name, (dir.path / "conf/g/mine.toml").string());
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_one_diagnostic) {
  TempDir dir;
  std::string path = (dir.path / "mirror.toml").string();
  mg::Diagnostics diags;
  BOOST_CHECK(!mg::LoadConfig(path, &diags).has_value());
  BOOST_REQUIRE_EQUAL(diags.size(), 1u);
  BOOST_CHECK_EQUAL(diags.items()[0].ToString(),
                    "cannot read " + path + ": No such file or directory (use -c to point at your config)");
}


BOOST_AUTO_TEST_CASE(cache_runners_and_ci_tables_are_read) {
  mg::Config c = MustParse(std::string("[registry]\nhost = \"127.0.0.1:5000\"\nplain_http = true\n") +
                           "[cache]\nremote = \"oci://127.0.0.1:5000/mirror/mirrorgraph-cache\"\n"
                           "[runners]\n\"linux/arm64\" = \"ubuntu-24.04-arm\"\n\"linux/amd64\" = \"ubuntu-24.04\"\n"
                           "[ci]\nrunner = \"self-hosted\"\nschedule = \"0 */4 * * *\"\ninstall = \"make install\"\n");
  BOOST_CHECK_EQUAL(c.cache.remote_host, "127.0.0.1:5000");
  BOOST_CHECK_EQUAL(c.cache.remote_repository, "mirror/mirrorgraph-cache");
  BOOST_CHECK(c.cache.remote_plain_http);  // same host as the plain-http registry
  BOOST_CHECK_EQUAL(c.runners.size(), 2u);
  BOOST_CHECK_EQUAL(c.runners.at("linux/arm64"), "ubuntu-24.04-arm");
  BOOST_CHECK_EQUAL(c.ci.runner, "self-hosted");
  BOOST_CHECK_EQUAL(c.ci.schedule, "0 */4 * * *");
  BOOST_CHECK_EQUAL(c.ci.install, "make install");

  mg::Config other = MustParse(std::string(kMinimal) + "[cache]\nremote = \"oci://cache.example:5000/a/b\"\n");
  BOOST_CHECK(!other.cache.remote_plain_http);  // another host: https unless said
  BOOST_CHECK(MustParse(kMinimal).cache.remote.empty());
  BOOST_CHECK_EQUAL(MustParse(kMinimal).ci.runner, "ubuntu-24.04");
}

BOOST_AUTO_TEST_CASE(prune_keeps_per_app) {
  const std::string apps = "[apps.hello]\nplugin = \"generic\"\n[apps.world]\nplugin = \"generic\"\n";
  mg::Config c = MustParse(std::string(kMinimal) + "[prune]\nkeep = 2\n[prune.apps]\nworld = 5\n" + apps);
  BOOST_CHECK_EQUAL(c.prune.KeepFor("hello"), 2);
  BOOST_CHECK_EQUAL(c.prune.KeepFor("world"), 5);
  BOOST_CHECK_EQUAL(MustParse(std::string(kMinimal) + apps).prune.KeepFor("hello"), 0);

  std::string e = OneError(std::string(kMinimal) + "[prune]\nkeep = -1\n" + apps);
  BOOST_CHECK_MESSAGE(e.find("mirror.toml:4:8: prune.keep") == 0, e);
  e = OneError(std::string(kMinimal) + "[prune]\nkepe = 1\n" + apps);
  BOOST_CHECK_MESSAGE(e.find("did you mean 'keep'") != std::string::npos, e);
  e = OneError(std::string(kMinimal) + "[prune.apps]\nwrold = 1\n" + apps);
  BOOST_CHECK_MESSAGE(e.find("mirror.toml:4:1: prune.apps: \"wrold\" is not an app of this config; did you mean 'world'?") == 0, e);
  e = OneError(std::string(kMinimal) + "[prune.apps]\nhello = \"all\"\n" + apps);
  BOOST_CHECK_MESSAGE(e.find("mirror.toml:4:9: prune.apps.hello") == 0, e);
}

BOOST_AUTO_TEST_CASE(bad_cache_runners_and_ci_values_are_positioned) {
  std::string e = OneError(std::string(kMinimal) + "[cache]\nremote = \"s3://bucket/x\"\n");
  BOOST_CHECK_MESSAGE(e.find("mirror.toml:4:10: cache.remote: unsupported cache location") == 0, e);
  BOOST_CHECK_MESSAGE(e.find("oci://HOST[:PORT]/REPOSITORY") != std::string::npos, e);
  e = OneError(std::string(kMinimal) + "[cache]\nremote = \"oci://ghcr.io/Acme\"\n");
  BOOST_CHECK_MESSAGE(e.find("not a valid repository name") != std::string::npos, e);
  e = OneError(std::string(kMinimal) + "[cache]\nremote = \"oci://user:pw@ghcr.io/acme/cache\"\n");
  BOOST_CHECK_MESSAGE(e.find("pw@") == std::string::npos, e);  // credentials are never quoted
  e = OneError(std::string(kMinimal) + "[runners]\n\"linux/arm65\" = \"x\"\n");
  BOOST_CHECK_MESSAGE(e.find("mirror.toml:4:1: runners: \"linux/arm65\" is not a platform") == 0, e);
  e = OneError(std::string(kMinimal) + "[runners]\n\"linux/arm64\" = \"x$(id)\"\n");
  BOOST_CHECK_MESSAGE(e.find("runners.linux/arm64") != std::string::npos || e.find("runner label") != std::string::npos, e);
  e = OneError(std::string(kMinimal) + "[ci]\nschedule = \"every day\"\n");
  BOOST_CHECK_MESSAGE(e.find("five-field cron") != std::string::npos, e);
  e = OneError(std::string(kMinimal) + "[ci]\nrunnr = \"x\"\n");
  BOOST_CHECK_MESSAGE(e.find("did you mean 'runner'") != std::string::npos, e);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
