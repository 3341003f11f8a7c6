// The docker backend: `docker buildx build` with an image output pushed by digest, on the current
// or a named buildx builder (a multi-node builder can run arm64 legs on a remote arm64 node).
// Needs the docker CLI with the buildx plugin and a reachable daemon or builder. docs/builders.md.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "build/builder.h"

namespace mg {

class DockerBuilder : public Builder {
 public:
  explicit DockerBuilder(BuilderSettings settings);

  std::string name() const override { return "docker"; }
  // `docker buildx version`; NotFound without the docker CLI, FailedPrecondition without buildx.
  Result<std::string> Version() override;
  Result<BuiltImage> BuildAndPush(const BuildRequest& request) override;

  // `docker buildx build ...` for `request`, writing buildx's metadata to `metadata_file`
  // (exposed for tests).
  std::vector<std::string> BuildArgv(const BuildRequest& request, const std::string& metadata_file) const;

 private:
  const BuilderSettings settings_;
  std::mutex mu_;
  std::optional<std::string> version_;  // GUARDED_BY(mu_)
};

// Reads the pushed manifest from buildx's --metadata-file JSON ("containerimage.descriptor", else
// "containerimage.digest"). Corruption when neither is there.
Result<BuiltImage> ParseBuildxMetadata(const std::string& json_text);

}  // namespace mg
