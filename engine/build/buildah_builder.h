// The buildah backend (the default; daemonless). Builds with `buildah bud` into a storage root
// private to the state directory, exports the image as an OCI layout and pushes that by digest
// through the engine's own OCI client (oci/layout_push.h), so every byte pushed is verified and
// blobs already in the registry are skipped or mounted. docs/builders.md.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "build/builder.h"

namespace mg {

class BuildahBuilder : public Builder {
 public:
  explicit BuildahBuilder(BuilderSettings settings);
  ~BuildahBuilder() override;

  std::string name() const override { return "buildah"; }
  Result<std::string> Version() override;
  Result<BuiltImage> BuildAndPush(const BuildRequest& request) override;
  std::vector<std::string> Finish(bool interrupted) override;

  // The argument vectors (exposed for tests).
  std::vector<std::string> GlobalArgs() const;
  // `name`: the image's name in buildah's storage for this build alone (--tag).
  std::vector<std::string> BudArgv(const BuildRequest& request, const std::string& iid_file,
                                   const std::string& name) const;
  // The shell command that removes image `name` by hand (for warnings): `env` first, then the
  // storage's global options; words with other than plain characters single-quoted.
  std::string RemovalCommand(const std::string& name, const std::map<std::string, std::string>& env) const;

 private:
  // A built image leaves buildah's storage once its layout is exported, on one thread of the
  // builder's own (started by the first removal, joined by Finish()), so neither the leg's upload
  // nor the next build waits for it. Removals run in order, one at a time; each takes well under
  // a second, so the queue holds at most about one image per build slot.
  void QueueRemoval(std::string name);
  void RemoveQueued() noexcept;  // the removal thread's loop
  // Runs `buildah rmi NAME`: "" when removed, else the warning (with the command to run by hand).
  std::string RemoveImage(const std::string& name);
  // What every buildah call's environment starts from: REGISTRY_AUTH_FILE naming an empty auth
  // file when buildah would otherwise refuse to start ($DOCKER_CONFIG without config.json), else
  // nothing. The removals need no more (the build's registries.conf and credentials are in its
  // work directory, removed before the removal may run).
  Result<std::map<std::string, std::string>> StartEnv();
  // <state_dir>/buildah/no-credentials.json, an empty auth file, written once (atomically: builds
  // on other threads may be reading it).
  Result<std::string> NoCredentialsFile();

  const BuilderSettings settings_;
  const std::string name_prefix_;  // "<pid>-<ms at construction>-": each build adds its number
  std::mutex mu_;
  std::optional<std::string> version_;  // GUARDED_BY(mu_)
  bool no_credentials_written_ = false;  // GUARDED_BY(mu_)

  std::atomic<uint64_t> build_serial_{0};  // names each build's image (BuildAndPush)
  std::mutex finish_mu_;                   // one Finish() at a time
  std::mutex removal_mu_;
  std::condition_variable removal_cv_;
  std::deque<std::string> removals_;          // GUARDED_BY(removal_mu_): image names
  bool removal_stopping_ = false;             // GUARDED_BY(removal_mu_): Finish() is joining
  std::vector<std::string> removal_warnings_; // GUARDED_BY(removal_mu_)
  std::thread removal_thread_;                // GUARDED_BY(removal_mu_); joined by Finish()
};

// The registries.conf a build uses (CONTAINERS_REGISTRIES_CONF): short names resolve on Docker Hub
// as Dockerfiles expect, and a plain-HTTP target registry is marked insecure (only that one).
std::string BuildRegistriesConf(const BuildRequest& request);

}  // namespace mg
