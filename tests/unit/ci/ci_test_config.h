// A config for the generator tests, parsed from text with its directory as the repository root.
#pragma once

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>

#include "ci/pipeline_context.h"
#include "config/config.h"

namespace mg::testing {

// Not copyable: ctx points at config.
struct CiFixture {
  explicit CiFixture(const std::string& toml) {
    Diagnostics diags;
    std::optional<Config> parsed = ParseConfig(toml, "mirror.toml", &diags);
    BOOST_REQUIRE_MESSAGE(parsed.has_value(), diags.ToString());
    config = std::move(*parsed);
    auto made = MakePipelineContext(config, "mirror.toml", config.dir, "mirrorgraph ci test -c mirror.toml");
    BOOST_REQUIRE_MESSAGE(made.ok(), made.status().ToString());
    ctx = std::move(made.value());
  }
  CiFixture(const CiFixture&) = delete;
  CiFixture& operator=(const CiFixture&) = delete;
  Config config;
  PipelineContext ctx;
};

inline const char* kGhcrConfig = R"(
[registry]
host = "ghcr.io"
namespace = "team/mirror"
[attestations]
key = "cosign.key"
[runners]
"linux/arm64" = "ubuntu-24.04-arm"
[apps.hello]
plugin = "generic"
)";

inline const char* kPrivateConfig = R"(
[registry]
host = "registry.example.test"
namespace = "team"
[cache]
remote = "oci://registry.example.test/team/mirrorgraph-cache"
[attestations]
sign = false
sbom = false
provenance = false
[ci]
runner = "self-hosted-x64"
schedule = "0 3 * * 1"
install = "echo installing\necho \"$HOME/bin\" >> \"$GITHUB_PATH\""
gitlab_image = "registry.example.test/tools/debian:12"
[apps.hello]
plugin = "generic"
emulation = true
)";

inline size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

}  // namespace mg::testing
