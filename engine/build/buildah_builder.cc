#include "build/buildah_builder.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <utility>

#include "oci/layout_push.h"
#include "util/atomic_file.h"
#include "util/paths.h"
#include "util/secret_env.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace mg {

namespace fs = std::filesystem;

namespace {
// bud runs in the build's work directory, where a relative path would name something else: every
// path it is given is made absolute (AbsolutePath) first.
BuilderSettings WithAbsoluteStateDir(BuilderSettings settings) {
  settings.state_dir = AbsolutePath(settings.state_dir);
  return settings;
}

// buildah takes its default auth file from REGISTRY_AUTH_FILE, else $DOCKER_CONFIG/config.json,
// and refuses to start when that file is missing.
bool DockerConfigLacksAuthFile() {
  const char* dc = std::getenv("DOCKER_CONFIG");
  return dc != nullptr && *dc != '\0' && !fs::exists(std::string(dc) + "/config.json");
}
}  // namespace

BuildahBuilder::BuildahBuilder(BuilderSettings settings) : settings_(WithAbsoluteStateDir(std::move(settings))) {}

Result<std::map<std::string, std::string>> BuildahBuilder::StartEnv() {
  std::map<std::string, std::string> env;
  // Read by buildah, which runs in the build's work directory.
  if (const char* dc = std::getenv("DOCKER_CONFIG"); dc != nullptr && *dc != '\0' && *dc != '/') {
    env["DOCKER_CONFIG"] = AbsolutePath(dc);
  }
  if (DockerConfigLacksAuthFile()) {
    auto none = NoCredentialsFile();
    if (!none.ok()) return none.status();
    env["REGISTRY_AUTH_FILE"] = *none;
  }
  return env;
}

Result<std::string> BuildahBuilder::NoCredentialsFile() {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string path = settings_.state_dir + "/buildah/no-credentials.json";
  if (!no_credentials_written_) {
    std::error_code ec;
    fs::create_directories(settings_.state_dir + "/buildah", ec);
    if (Status s = WriteFileAtomic(path, "{\"auths\":{}}\n"); !s.ok()) return s;
    no_credentials_written_ = true;
  }
  return path;
}

void BuildahBuilder::SweepStorageOnce(const std::map<std::string, std::string>& env, const BuildRequest& request) {
  std::lock_guard<std::mutex> lock(sweep_mu_);
  if (swept_) return;
  swept_ = true;
  for (std::vector<std::string> command : {std::vector<std::string>{"rm", "--all"},
                                           std::vector<std::string>{"rmi", "--prune"}}) {
    std::vector<std::string> argv = GlobalArgs();
    argv.insert(argv.end(), command.begin(), command.end());
    auto r = RunBuildStep("buildah " + Join(command, " "), std::move(argv), request, env);
    if (!r.ok() && request.log) request.log("mirrorgraph: could not sweep buildah's storage: " + r.status().message());
  }
}

std::vector<std::string> BuildahBuilder::GlobalArgs() const {
  std::string base = settings_.state_dir + "/buildah";
  return {"buildah", "--root", base + "/root", "--runroot", base + "/run", "--storage-driver",
          settings_.buildah_storage_driver};
}

std::vector<std::string> BuildahBuilder::BudArgv(const BuildRequest& r, const std::string& layout) const {
  std::vector<std::string> argv = GlobalArgs();
  for (const char* a : {"bud", "--isolation"}) argv.push_back(a);
  argv.push_back(settings_.buildah_isolation);
  // Committed straight to the OCI layout (never into buildah's storage), layers gzip-compressed as
  // `buildah push` would: the same manifest, byte for byte, as a build then a push. --format and
  // --layers hold whatever BUILDAH_FORMAT and BUILDAH_LAYERS say (layers would leave cache images
  // in the storage and split the image into one layer per step).
  argv.insert(argv.end(), {"--platform", r.platform, "--format", "oci", "--layers=false", "--disable-compression=false",
                           "--tag", "oci:" + layout, "-f", r.dockerfile});
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
  opt.secrets = ChildKind::kBuilder;
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

Result<BuiltImage> BuildahBuilder::BuildAndPush(const BuildRequest& request) {
  BuildRequest r = request;
  for (std::string* path : {&r.context_dir, &r.dockerfile, &r.auth_file, &r.work_dir}) *path = AbsolutePath(*path);
  if (settings_.registry == nullptr) return Status::Internal("the buildah builder has no registry client");
  if (Status s = CheckEmulation(r.platform, r.emulation); !s.ok()) return s;
  if (auto v = Version(); !v.ok()) return v.status();

  const std::string conf = r.work_dir + "/registries.conf";
  {
    std::ofstream out(conf, std::ios::trunc);
    out << BuildRegistriesConf(r);
    if (!out) return Status::IOError("cannot write " + conf);
  }
  auto start_env = StartEnv();
  if (!start_env.ok()) return start_env.status();
  std::map<std::string, std::string> env = std::move(*start_env);
  SweepStorageOnce(env, r);
  env["CONTAINERS_REGISTRIES_CONF"] = conf;
  if (!r.auth_file.empty()) env["REGISTRY_AUTH_FILE"] = r.auth_file;
  // bud runs in the work directory and names the layout relative to it: the `oci:` transport cuts a
  // path at its first ':', and the state directory (the user's) may hold one. A layout left by an
  // earlier attempt would add its manifest to this one's index.
  const std::string layout = r.work_dir + "/oci-layout";
  std::error_code ec;
  fs::remove_all(layout, ec);
  if (ec) return Status::IOError("cannot remove " + layout + " (left by an earlier attempt): " + ec.message());
  auto bud = RunBuildStep("buildah bud", BudArgv(r, "oci-layout"), r, env, r.work_dir);
  if (!bud.ok()) {
    std::string hint;
    if (!r.emulation && PlatformArch(r.platform) != HostArch() &&
        bud.status().message().find("exec format error") != std::string::npos) {
      hint = "\nhint: a RUN step of " + r.platform + " cannot run on this " + HostArch() +
             " machine: set emulation = true (QEMU binfmt) or build this platform on a native builder";
    }
    return bud.status().WithSuffix(hint);
  }
  BlobUploadOptions upload;
  upload.mount_from = r.mount_from;
  auto pushed = PushOciLayout(*settings_.registry, r.repository, layout, upload);
  fs::remove_all(layout, ec);
  if (!pushed.ok()) return pushed.status().WithContext("pushing " + r.registry + "/" + r.repository);
  return BuiltImage{pushed->digest, pushed->media_type, pushed->size};
}

}  // namespace mg
