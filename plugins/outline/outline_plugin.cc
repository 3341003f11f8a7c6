// The `outline` plugin: GitHub releases of outline/outline, images `base-outline` then `outline`
// built FROM it (docs/plugins.md, "The seed's plugins"). Stateless, so its methods are safe to call
// concurrently.
#include <string>

#include "mirrorgraph/plugin.hpp"
#include "seed_common.h"

namespace outline {
namespace {

using seed::json;

constexpr const char* kRepo = "outline/outline";
// Outline has tagged four-part versions (v0.81.0.1): any number of dotted parts.
constexpr const char* kTagPattern = R"(^v?(\d+(?:\.\d+)*)$)";
constexpr const char* kBaseImage = "base-outline";
constexpr const char* kImage = "outline";
// The upstream Dockerfile's base image, replaced by our own base-outline of the same version.
constexpr const char* kUpstreamBase = "outlinewiki/outline-base";

class OutlinePlugin : public mirrorgraph::Plugin {
 public:
  std::string Configure(mirrorgraph::Host&, const std::string& in_json) override {
    json in = seed::ParseInput(in_json, "configure");
    seed::ConfigChecker check(in.value("config", json::object()));
    json source = seed::GithubReleasesSourceOf(&check, kRepo, kTagPattern);
    json images = json::array({{{"name", kBaseImage}, {"depends_on", json::array()}},
                               {{"name", kImage}, {"depends_on", json::array({kBaseImage})}}});
    return json{{"errors", check.errors()}, {"images", images}, {"source", source}}.dump();
  }

  std::string Discover(mirrorgraph::Host& host, const std::string& in_json) override {
    return seed::DiscoverGithubReleasesApp(host, in_json, kRepo, kTagPattern);
  }

  std::string Recipe(mirrorgraph::Host&, const std::string& in_json) override {
    json in = seed::ParseInput(in_json, "recipe");
    std::string image = in.value("image", std::string());
    const std::string url = "https://github.com/outline/outline.git", tag = in.value("tag", std::string());
    if (image == kBaseImage) return seed::RecipeSkeleton(url, tag, ".", "Dockerfile.base").dump();
    if (image != kImage) {
      throw mirrorgraph::Error("outline's images are 'base-outline' and 'outline' (asked for '" + image + "')");
    }
    json out = seed::RecipeSkeleton(url, tag, ".", "Dockerfile");
    out["edits"].push_back({{"kind", "replace-base"},
                            {"file", "Dockerfile"},
                            {"from", kUpstreamBase},
                            {"to", seed::Substitute("{registry}/{namespace}/base-outline:{version}", in)}});
    out["depends_on_images"].push_back(kBaseImage);
    return out.dump();
  }
};

}  // namespace
}  // namespace outline

MIRRORGRAPH_PLUGIN(outline::OutlinePlugin, "outline", "0.1.0")
