#include "build/buildah_builder.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "oci/layout_push.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace mg {

namespace fs = std::filesystem;

BuildahBuilder::BuildahBuilder(BuilderSettings settings) : settings_(std::move(settings)) {}

std::vector<std::string> BuildahBuilder::GlobalArgs() const {
  std::string base = settings_.state_dir + "/buildah";
  return {"buildah", "--root", base + "/root", "--runroot", base + "/run", "--storage-driver",
          settings_.buildah_storage_driver};
}

std::vector<std::string> BuildahBuilder::BudArgv(const BuildRequest& r, const std::string& iid_file) const {
  std::vector<std::string> argv = GlobalArgs();
  for (const char* a : {"bud", "--isolation"}) argv.push_back(a);
  argv.push_back(settings_.buildah_isolation);
  argv.insert(argv.end(), {"--platform", r.platform, "--iidfile", iid_file, "-f",
                           r.dockerfile});
  for (const auto& [k, v] : r.build_args) argv.insert(argv.end(), {"--build-arg", k + "=" + v});
  for (const auto& [k, v] : r.labels) argv.insert(argv.end(), {"--label", k + "=" + v});
  if (r.source_epoch >= 0) argv.insert(argv.end(), {"--timestamp", std::to_string(r.source_epoch)});
  if (!r.auth_file.empty()) argv.insert(argv.end(), {"--authfile", r.auth_file});
  argv.push_back(r.context_dir);
  return argv;
}

std::string BuildRegistriesConf(const BuildRequest& r) {
  std::string conf =
      "# written by mirrorgraph for one build (docs/builders.md)\n"
      "unqualified-search-registries = [\"docker.io\"]\n"
      "short-name-mode = \"permissive\"\n";
  if (r.plain_http) conf += "\n[[registry]]\nlocation = \"" + r.registry + "\"\ninsecure = true\n";
  return conf;
}

Result<std::string> BuildahBuilder::Version() {
  std::lock_guard<std::mutex> lock(mu_);
  if (version_) return *version_;
  SubprocessOptions opt;
  opt.argv = {"buildah", "--version"};
  opt.timeout = std::chrono::seconds(60);
  auto r = RunSubprocess(opt);
  if (!r.ok()) {
    if (r.status().code() == Status::Code::kNotFound) {
      return Status::NotFound("buildah is not installed (Debian: apt-get install buildah), or set builder = \"docker\"");
    }
    return r.status();
  }
  if (r->exit_code != 0) return SubprocessFailure("buildah --version", *r, opt.timeout);
  version_ = std::string(Trim(r->stdout_text));
  return *version_;
}

Result<BuiltImage> BuildahBuilder::BuildAndPush(const BuildRequest& r) {
  if (settings_.registry == nullptr) return Status::Internal("the buildah builder has no registry client");
  if (Status s = CheckEmulation(r.platform, r.emulation); !s.ok()) return s;
  if (auto v = Version(); !v.ok()) return v.status();

  const std::string conf = r.work_dir + "/registries.conf";
  {
    std::ofstream out(conf, std::ios::trunc);
    out << BuildRegistriesConf(r);
    if (!out) return Status::IOError("cannot write " + conf);
  }
  std::map<std::string, std::string> env = {{"CONTAINERS_REGISTRIES_CONF", conf}};
  // buildah takes its default auth file from REGISTRY_AUTH_FILE, else $DOCKER_CONFIG/config.json,
  // and refuses to start when that file is missing: name one that exists.
  if (!r.auth_file.empty()) {
    env["REGISTRY_AUTH_FILE"] = r.auth_file;
  } else if (const char* dc = std::getenv("DOCKER_CONFIG"); dc != nullptr && *dc != '\0' &&
             !fs::exists(std::string(dc) + "/config.json")) {
    const std::string none = r.work_dir + "/no-credentials.json";
    std::ofstream(none, std::ios::trunc) << "{\"auths\":{}}\n";
    env["REGISTRY_AUTH_FILE"] = none;
  }
  const std::string iid_file = r.work_dir + "/image-id";
  auto bud = RunBuildStep("buildah bud", BudArgv(r, iid_file), r, env);
  if (!bud.ok()) {
    std::string hint;
    if (!r.emulation && PlatformArch(r.platform) != HostArch() &&
        bud.status().message().find("exec format error") != std::string::npos) {
      hint = "\nhint: a RUN step of " + r.platform + " cannot run on this " + HostArch() +
             " machine: set emulation = true (QEMU binfmt) or build this platform on a native builder";
    }
    return bud.status().WithSuffix(hint);
  }
  std::string image_id;
  {
    std::ifstream in(iid_file);
    std::getline(in, image_id);
  }
  if (image_id.empty()) return Status::Internal("buildah bud succeeded but wrote no image id to " + iid_file);

  // Export as an OCI layout, push that by digest, then drop the image from the local storage
  // (its base layers stay cached there for the next build).
  const std::string layout = r.work_dir + "/oci-layout";
  std::vector<std::string> push = GlobalArgs();
  push.insert(push.end(), {"push", "--format", "oci", image_id, "oci:" + layout});
  auto exported = RunBuildStep("buildah push (to an OCI layout)", push, r, env);
  std::vector<std::string> rmi = GlobalArgs();
  rmi.insert(rmi.end(), {"rmi", "--force", image_id});
  if (!exported.ok()) {
    (void)RunBuildStep("buildah rmi", rmi, r, env);
    return exported.status();
  }
  BlobUploadOptions upload;
  upload.mount_from = r.mount_from;
  auto pushed = PushOciLayout(*settings_.registry, r.repository, layout, upload);
  if (auto removed = RunBuildStep("buildah rmi", rmi, r, env); !removed.ok() && r.log) {
    r.log("warning: could not remove the built image from buildah's storage: " + removed.status().message());
  }
  std::error_code ec;
  fs::remove_all(layout, ec);
  if (!pushed.ok()) return pushed.status().WithContext("pushing " + r.registry + "/" + r.repository);
  return BuiltImage{pushed->digest, pushed->media_type, pushed->size};
}

}  // namespace mg
