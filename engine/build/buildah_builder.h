// The buildah backend (the default; daemonless). Builds with `buildah bud` into a storage root
// private to the state directory, exports the image as an OCI layout and pushes that by digest
// through the engine's own OCI client (oci/layout_push.h), so every byte pushed is verified and
// blobs already in the registry are skipped or mounted. docs/builders.md.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "build/builder.h"

namespace mg {

class BuildahBuilder : public Builder {
 public:
  explicit BuildahBuilder(BuilderSettings settings);

  std::string name() const override { return "buildah"; }
  Result<std::string> Version() override;
  Result<BuiltImage> BuildAndPush(const BuildRequest& request) override;

  // The argument vectors (exposed for tests). `global` is BuildahGlobalArgs().
  std::vector<std::string> GlobalArgs() const;
  std::vector<std::string> BudArgv(const BuildRequest& request, const std::string& iid_file) const;

 private:
  const BuilderSettings settings_;
  std::mutex mu_;
  std::optional<std::string> version_;  // GUARDED_BY(mu_)
};

// The registries.conf a build uses (CONTAINERS_REGISTRIES_CONF): short names resolve on Docker Hub
// as Dockerfiles expect, and a plain-HTTP target registry is marked insecure (only that one).
std::string BuildRegistriesConf(const BuildRequest& request);

}  // namespace mg
