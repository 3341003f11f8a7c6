#include "build/docker_builder.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "oci/docker_config.h"
#include "util/json.h"
#include "util/secret_env.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace mg {

namespace fs = std::filesystem;

DockerBuilder::DockerBuilder(BuilderSettings settings) : settings_(std::move(settings)) {}

std::vector<std::string> DockerBuilder::BuildArgv(const BuildRequest& r, const std::string& metadata_file) const {
  std::vector<std::string> argv = {"docker", "buildx", "build"};
  if (!settings_.buildx_builder.empty()) argv.insert(argv.end(), {"--builder", settings_.buildx_builder});
  argv.insert(argv.end(), {"--platform", r.platform, "-f", r.dockerfile, "--provenance=false", "--sbom=false",
                           "--metadata-file", metadata_file});
  for (const auto& [k, v] : r.build_args) argv.insert(argv.end(), {"--build-arg", k + "=" + v});
  for (const auto& [k, v] : r.labels) argv.insert(argv.end(), {"--label", k + "=" + v});
  std::string output = "type=image,name=" + r.registry + "/" + r.repository +
                       ",push-by-digest=true,name-canonical=true,push=true,oci-mediatypes=true";
  if (r.plain_http) output += ",registry.insecure=true";
  if (r.source_epoch >= 0) output += ",rewrite-timestamp=true";
  argv.insert(argv.end(), {"--output", output});
  argv.push_back(r.context_dir);
  return argv;
}

Result<BuiltImage> ParseBuildxMetadata(const std::string& json_text) {
  Json j = ParseJson(json_text);
  if (!j.is_object()) return Status::Corruption("docker buildx wrote metadata that is not JSON");
  BuiltImage out;
  const Json& d = ObjectField(j, "containerimage.descriptor");
  out.digest = StringField(d, "digest");
  out.media_type = StringField(d, "mediaType");
  out.size = IntField(d, "size").value_or(0);
  if (out.digest.empty()) out.digest = StringField(j, "containerimage.digest");
  if (out.digest.rfind("sha256:", 0) != 0 || out.digest.size() != 71) {
    return Status::Corruption("docker buildx's metadata names no pushed image digest (containerimage.digest)");
  }
  return out;
}

Result<std::string> DockerBuilder::Version() {
  std::lock_guard<std::mutex> lock(mu_);
  if (version_) return *version_;
  SubprocessOptions opt;
  opt.argv = {"docker", "buildx", "version"};
  opt.secrets = ChildKind::kBuilder;
  opt.timeout = std::chrono::seconds(60);
  auto r = RunSubprocess(opt);
  if (!r.ok()) {
    if (r.status().code() == Status::Code::kNotFound) {
      return Status::NotFound("builder = \"docker\" needs the docker CLI with the buildx plugin, and docker is not "
                              "installed; install docker and docker-buildx, or use builder = \"buildah\"");
    }
    return r.status();
  }
  if (r->exit_code != 0) {
    return Status::FailedPrecondition(
        "builder = \"docker\" needs the buildx plugin (`docker buildx version` failed: " +
        std::string(Trim(TailLines(r->stderr_text + r->stdout_text, 3))) +
        "); install docker-buildx (Debian) or docker-buildx-plugin, or use builder = \"buildah\"");
  }
  version_ = std::string(Trim(r->stdout_text));
  return *version_;
}

namespace {

// The user's docker config directory, where buildx keeps its builders and the CLI its plugins.
std::string UserDockerConfigDir() {
  if (const char* d = std::getenv("DOCKER_CONFIG"); d != nullptr && *d != '\0') return d;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.docker";
}

// A DOCKER_CONFIG directory whose config.json is the request's auth file, with the user's buildx
// state, CLI plugins and contexts linked in so named builders and remote nodes still resolve.
Result<std::string> PrepareDockerConfig(const BuildRequest& r) {
  std::string dir = r.work_dir + "/docker-config";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
  fs::create_symlink(r.auth_file, dir + "/config.json", ec);
  if (ec) return Status::IOError("cannot link the auth file into " + dir + ": " + ec.message());
  std::string user = UserDockerConfigDir();
  for (const char* sub : {"buildx", "cli-plugins", "contexts"}) {
    if (fs::exists(user + "/" + sub, ec)) fs::create_directory_symlink(user + "/" + sub, dir + "/" + sub, ec);
  }
  return dir;
}

}  // namespace

Result<BuiltImage> DockerBuilder::BuildAndPush(const BuildRequest& r) {
  if (auto v = Version(); !v.ok()) return v.status();
  std::map<std::string, std::string> env;
  if (r.source_epoch >= 0) env["SOURCE_DATE_EPOCH"] = std::to_string(r.source_epoch);
  if (!r.auth_file.empty()) {
    auto dir = PrepareDockerConfig(r);
    if (!dir.ok()) return dir.status();
    env["DOCKER_CONFIG"] = *dir;
  }
  const std::string metadata = r.work_dir + "/buildx-metadata.json";
  auto run = RunBuildStep("docker buildx build", BuildArgv(r, metadata), r, env);
  if (!run.ok()) return run.status();
  std::ifstream in(metadata);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Status::Corruption("docker buildx build succeeded but wrote no metadata file " + metadata);
  return ParseBuildxMetadata(text.str());
}

}  // namespace mg
