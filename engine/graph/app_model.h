// AppModel: everything the expander needs to know about one app, resolved from mirror.toml, the
// app's plugin (images, normalised source) and its pipeline template.
#pragma once

#include <string>
#include <vector>

#include "graph/template.h"
#include "util/json.h"

namespace mg {

struct ImageSpec {
  std::string name;                     // image name under the registry namespace
  std::vector<std::string> depends_on;  // images of the same app built first (same version)
};

struct TargetRegistry {
  std::string host;
  std::string namespace_;
  // "ns/image" or "image" when the namespace is empty.
  std::string Repository(const std::string& image) const {
    return namespace_.empty() ? image : namespace_ + "/" + image;
  }
};

struct AppModel {
  std::string app;
  std::vector<ImageSpec> images;  // dependencies first
  Json source;                    // normalised by the plugin; part of discover's key
  std::vector<std::string> platforms;
  int max_versions = 10;
  std::string window = "newest";  // "newest" | "published" (util/semver.h Window); part of discover's key
  std::string builder;
  bool emulation = false;
  PipelineTemplate tmpl;
  Json plugin;                    // {"name":..., "version":..., "file":...}
  bool enabled = true;
};

// One discovered version as a discover task reports it.
struct VersionInfo {
  std::string version;
  std::string tag;
  std::string commit;
  bool latest = false;  // the discover result's "latest": its probe and merge also look after the `latest` tag
};

}  // namespace mg
