// The `mostlymatter` plugin: Mattermost's GitHub releases for which Framasoft published the
// Mostlymatter binaries and the v<version>-limitless tag (docs/plugins.md, "The seed's plugins").
// Stateless, so its methods are safe to call concurrently.
#include <cstdlib>
#include <string>

#include "mirrorgraph/plugin.hpp"
#include "mostlymatter_gates.h"
#include "seed_common.h"

namespace mostlymatter {
namespace {

constexpr const char* kImage = "mostlymatter";
constexpr const char* kReleasesRepo = "mattermost/mattermost";
constexpr const char* kTagPattern = R"(^v(\d+\.\d+\.\d+)$)";

// The normalised source: {"type":"mostlymatter","releases":{github-releases source},
// "tags":{"type":"gitlab-tag-exists","project","api_base"?,"token_env"?},"binaries_base"?,
// "arches":[...],"max_versions":N}. Problems are added to *check.
json SourceOf(seed::ConfigChecker* check, const json& defaults) {
  check->RejectUnknownKeys(
      {"api_base", "token_env", "framagit_api_base", "framagit_token_env", "binaries_base", "scan_limit"});
  json source = {{"type", "mostlymatter"}};
  source["releases"] = seed::GithubReleases(kReleasesRepo, kTagPattern, check->Url("api_base"), check->EnvName("token_env"));
  json tags = {{"type", "gitlab-tag-exists"}, {"project", kFramagitProject}};
  std::string framagit = check->Url("framagit_api_base");
  // Without a configured base the engine's $MIRRORGRAPH_GITLAB_API wins over Framagit (tests).
  if (!framagit.empty()) tags["api_base"] = framagit;
  std::string token_env = check->EnvName("framagit_token_env");
  if (!token_env.empty()) tags["token_env"] = token_env;
  source["tags"] = tags;
  std::string binaries = check->Url("binaries_base");
  if (!binaries.empty()) source["binaries_base"] = binaries;
  json arches = json::array();
  if (defaults.contains("platforms") && defaults["platforms"].is_array()) {
    for (const json& p : defaults["platforms"]) {
      if (p.is_string()) arches.push_back(seed::ArchOf(p.get<std::string>()));
    }
  }
  if (arches.empty()) arches = {"amd64", "arm64"};
  source["arches"] = arches;
  source["max_versions"] = defaults.contains("max_versions") && defaults["max_versions"].is_number_integer()
                               ? defaults["max_versions"].get<int>()
                               : 10;
  // How many of the newest Mattermost releases are gated; 0: as many as max_versions (the seed).
  source["scan_limit"] = check->Int("scan_limit", 0, 1);
  return source;
}

// The Framagit API base the tag lookups use when none is configured: $MIRRORGRAPH_GITLAB_API is
// read by the engine, so only Framagit itself is filled in here when that is unset.
json TagSource(const json& source) {
  json tags = source.value("tags", json::object());
  if (!tags.contains("api_base")) {
    const char* env = std::getenv("MIRRORGRAPH_GITLAB_API");
    if (env == nullptr || *env == '\0') tags["api_base"] = kDefaultFramagitApi;
  }
  return tags;
}

class MostlymatterPlugin : public mirrorgraph::Plugin {
 public:
  std::string Configure(mirrorgraph::Host&, const std::string& in_json) override {
    json in = seed::ParseInput(in_json, "configure");
    seed::ConfigChecker check(in.value("config", json::object()));
    json source = SourceOf(&check, in.value("defaults", json::object()));
    return json{{"errors", check.errors()},
                {"images", json::array({{{"name", kImage}, {"depends_on", json::array()}}})},
                {"source", source},
                {"window", seed::kSeedWindow}}
        .dump();
  }

  std::string Discover(mirrorgraph::Host& host, const std::string& in_json) override {
    json in = seed::ParseInput(in_json, "discover");
    json source = in.value("source", json());
    if (!source.is_object() || source.value("type", std::string()) != "mostlymatter") {
      seed::ConfigChecker check(in.value("config", json::object()));
      source = SourceOf(&check, json::object());
    }
    json releases = seed::DiscoverThroughHost(host, source["releases"]);
    Gates gates;
    gates.binaries_base = ResolveBinariesBase(source.value("binaries_base", std::string()));
    for (const json& a : source.value("arches", json::array({"amd64", "arm64"}))) gates.arches.push_back(a.get<std::string>());
    gates.tag_source = TagSource(source);
    // How many versions to keep: the engine's discover input (newest N; 1 for a latest-only
    // template), else what configure recorded.
    gates.max_versions = in.value("select", std::string()) == "latest" ? 1
                         : in.contains("max_versions") && in["max_versions"].is_number_integer()
                             ? in["max_versions"].get<int>()
                             : source.value("max_versions", 10);
    gates.scan_limit = source.value("scan_limit", 0);
    gates.by_published = in.value("window", std::string()) == "published";
    json out = ApplyGates(host, releases["candidates"], gates);
    // What the releases call left out (drafts, prereleases) comes first.
    json excluded = releases["excluded"];
    for (const json& e : out["excluded"]) excluded.push_back(e);
    out["excluded"] = excluded;
    return out.dump();
  }

  std::string Recipe(mirrorgraph::Host&, const std::string& in_json) override {
    json in = seed::ParseInput(in_json, "recipe");
    std::string image = in.value("image", std::string(kImage));
    if (image != kImage) throw mirrorgraph::Error("mostlymatter has one image, 'mostlymatter' (asked for '" + image + "')");
    const std::string dockerfile = "server/build/Dockerfile";
    json out = seed::RecipeSkeleton("https://framagit.org/" + std::string(kFramagitProject) + ".git",
                                    seed::Substitute("v{version}-limitless", in), "server/build", dockerfile);
    out["build_args"]["MM_PACKAGE"] =
        seed::Substitute("https://releases.mattermost.com/{version}/mattermost-{version}-linux-{arch}.tar.gz", in);
    // The binary the discover gates checked: the configured base (or $MIRRORGRAPH_MOSTLYMATTER_BINARIES),
    // else Framasoft's.
    json config = in.value("config", json::object());
    const std::string base = ResolveBinariesBase(
        config.is_object() && config.contains("binaries_base") && config["binaries_base"].is_string()
            ? config["binaries_base"].get<std::string>()
            : std::string());
    out["build_args"]["MOSTLYMATTER_BINARY"] = seed::Substitute(base + "/mostlymatter-{arch}-v{version}", in);
    out["edits"] = json::array(
        {{{"kind", "unpin-base-digests"},
          {"file", dockerfile},
          {"description", "base images by tag, resolved for each platform"}},
         {{"kind", "insert-after"},
          {"file", dockerfile},
          {"pattern", "^ARG MM_PACKAGE="},
          {"line", "ARG MOSTLYMATTER_BINARY"},
          {"count", 1},
          {"description", "declare the Mostlymatter binary's URL"}},
         {{"kind", "replace"},
          {"file", dockerfile},
          {"pattern", R"(curl -L \$MM_PACKAGE \| tar -xvz)"},
          {"replace", "curl -L $MM_PACKAGE | tar -xvz && rm /mattermost/bin/mattermost && "
                      "curl -fL -o /mattermost/bin/mattermost \"$MOSTLYMATTER_BINARY\" && "
                      "chmod +x /mattermost/bin/mattermost"},
          {"count", 1},
          {"description", "replace the Mattermost binary by Mostlymatter's"}}});
    return out.dump();
  }
};

}  // namespace
}  // namespace mostlymatter

MIRRORGRAPH_PLUGIN(mostlymatter::MostlymatterPlugin, "mostlymatter", "0.2.0")
