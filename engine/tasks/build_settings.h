// What the build and merge tasks need from the config and the session, beyond the task itself.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "build/builder.h"
#include "graph/app_model.h"
#include "oci/docker_config.h"

namespace mg {

struct BuildSettings {
  std::string state_dir;                  // work dirs under <state_dir>/work, buildah under <state_dir>/buildah
  TargetRegistry target;                  // host and namespace
  bool plain_http = false;
  std::optional<Credentials> credentials; // for the target registry; handed to builders as an auth file
  std::chrono::milliseconds build_timeout{std::chrono::hours(2)};
  BuilderSettings builder;                // state_dir and registry filled in by the runner
  std::string run_id;                     // this run's id: a build result records it in "ran"
};

}  // namespace mg
