// The buildah backend (the default; daemonless). `buildah bud` commits each image straight to an
// OCI layout in the build's work directory (buildah's storage under the state directory keeps only
// the base images it pulled), and the engine's own OCI client pushes that layout by digest
// (oci/layout_push.h), so every byte pushed is verified and blobs already in the registry are
// skipped or mounted. docs/builders.md.
#pragma once

#include <map>
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

  // The argument vectors (exposed for tests).
  std::vector<std::string> GlobalArgs() const;
  // `buildah bud` committing its image to the OCI layout at `layout` (a directory; BuildAndPush
  // passes a name relative to the work directory, where bud runs), not to buildah's storage:
  // nothing is left there to remove, and no second process exports it.
  std::vector<std::string> BudArgv(const BuildRequest& request, const std::string& layout) const;

 private:
  // What every buildah call's environment starts from: REGISTRY_AUTH_FILE naming an empty auth
  // file when buildah would otherwise refuse to start ($DOCKER_CONFIG without config.json), else
  // nothing.
  Result<std::map<std::string, std::string>> StartEnv();
  // <state_dir>/buildah/no-credentials.json, an empty auth file, written once (atomically: builds
  // on other threads may be reading it).
  Result<std::string> NoCredentialsFile();
  // Before this builder's first build: removes what a `bud` stopped by a signal outside a RUN step
  // left in the storage (working containers, the untagged images of earlier stages; buildah 1.28
  // cleans up only after a RUN step's signal). Safe then because the caller holds the state
  // directory's lock (no other process builds in this storage) and no build of this builder has
  // started (every build waits on sweep_mu_ until it is done). Run as build steps (RunBuildStep:
  // the request's log, timeout and cancel). Best effort: a failure is a line in the request's log,
  // and the build goes on.
  void SweepStorageOnce(const std::map<std::string, std::string>& env, const BuildRequest& request);

  const BuilderSettings settings_;
  std::mutex mu_;
  std::optional<std::string> version_;  // GUARDED_BY(mu_)
  bool no_credentials_written_ = false;  // GUARDED_BY(mu_)
  std::mutex sweep_mu_;
  bool swept_ = false;  // GUARDED_BY(sweep_mu_)
};

// The registries.conf a build uses (CONTAINERS_REGISTRIES_CONF): short names resolve on Docker Hub
// as Dockerfiles expect, and a plain-HTTP target registry is marked insecure (only that one).
std::string BuildRegistriesConf(const BuildRequest& request);

}  // namespace mg
