// The `mattermost` plugin: GitHub releases of mattermost/mattermost, one image `mattermost`
// (docs/plugins.md, "The seed's plugins"). Stateless, so its methods are safe to call concurrently.
#include <string>

#include "mirrorgraph/plugin.hpp"
#include "seed_common.h"

namespace mattermost {
namespace {

using seed::json;

constexpr const char* kRepo = "mattermost/mattermost";
constexpr const char* kTagPattern = R"(^v(\d+\.\d+\.\d+)$)";
constexpr const char* kImage = "mattermost";

class MattermostPlugin : public mirrorgraph::Plugin {
 public:
  std::string Configure(mirrorgraph::Host&, const std::string& in_json) override {
    json in = seed::ParseInput(in_json, "configure");
    seed::ConfigChecker check(in.value("config", json::object()));
    json source = seed::GithubReleasesSourceOf(&check, kRepo, kTagPattern);
    return json{{"errors", check.errors()},
                {"images", json::array({{{"name", kImage}, {"depends_on", json::array()}}})},
                {"source", source},
                {"window", seed::kSeedWindow}}
        .dump();
  }

  std::string Discover(mirrorgraph::Host& host, const std::string& in_json) override {
    return seed::DiscoverGithubReleasesApp(host, in_json, kRepo, kTagPattern);
  }

  std::string Recipe(mirrorgraph::Host&, const std::string& in_json) override {
    json in = seed::ParseInput(in_json, "recipe");
    std::string image = in.value("image", std::string(kImage));
    if (image != kImage) throw mirrorgraph::Error("mattermost has one image, 'mattermost' (asked for '" + image + "')");
    const std::string dockerfile = "server/build/Dockerfile";
    json out = seed::RecipeSkeleton("https://github.com/mattermost/mattermost.git", in.value("tag", std::string()),
                                    "server/build", dockerfile);
    out["build_args"]["MM_PACKAGE"] = seed::Substitute(
        "https://releases.mattermost.com/{version}/mattermost-{version}-linux-{arch}.tar.gz?src=docker", in);
    out["edits"].push_back({{"kind", "unpin-base-digests"}, {"file", dockerfile}});
    return out.dump();
  }
};

}  // namespace
}  // namespace mattermost

MIRRORGRAPH_PLUGIN(mattermost::MattermostPlugin, "mattermost", "0.1.0")
