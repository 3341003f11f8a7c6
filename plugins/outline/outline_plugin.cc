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
// Outline's tags are "v0.82.0" (some early ones lack the "v"); any number of dotted parts is
// accepted, so an unusual tag is still read rather than silently skipped.
constexpr const char* kTagPattern = R"(^v?(\d+(?:\.\d+)*)$)";
constexpr const char* kBaseImage = "base-outline";
constexpr const char* kImage = "outline";
// The upstream Dockerfile's base image, replaced by our own base-outline of the same version.
// Since v0.83.0 the Dockerfile names it in `ARG BASE_IMAGE=outlinewiki/outline-base` and builds
// `FROM ${BASE_IMAGE} AS base` (Outline's CI passes BASE_IMAGE); before, `FROM
// outlinewiki/outline-base AS base` directly.
constexpr const char* kUpstreamBase = "outlinewiki/outline-base";
constexpr const char* kBaseImageArg = "BASE_IMAGE";

class OutlinePlugin : public mirrorgraph::Plugin {
 public:
  std::string Configure(mirrorgraph::Host&, const std::string& in_json) override {
    json in = seed::ParseInput(in_json, "configure");
    seed::ConfigChecker check(in.value("config", json::object()));
    json source = seed::GithubReleasesSourceOf(&check, kRepo, kTagPattern);
    json images = json::array({{{"name", kBaseImage}, {"depends_on", json::array()}},
                               {{"name", kImage}, {"depends_on", json::array({kBaseImage})}}});
    return json{{"errors", check.errors()}, {"images", images}, {"source", source}, {"window", seed::kSeedWindow}}
        .dump();
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
    const std::string base = seed::Substitute("{registry}/{namespace}/base-outline:{version}", in);
    // Both forms end up FROM our base: the build arg, as Outline's CI passes it, for the ARG form;
    // the edit rewrites the ARG's default (ARG form) or the FROM line (older form), and fails
    // loudly when the Dockerfile names the base neither way. By tag: the recipe is asked before
    // the base's index digest is known to the plugin.
    out["build_args"][kBaseImageArg] = base;
    out["edits"].push_back({{"kind", "replace-base"}, {"file", "Dockerfile"}, {"from", kUpstreamBase}, {"to", base}});
    out["depends_on_images"].push_back(kBaseImage);
    return out.dump();
  }
};

}  // namespace
}  // namespace outline

MIRRORGRAPH_PLUGIN(outline::OutlinePlugin, "outline", "0.1.0")
