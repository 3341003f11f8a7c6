// The builder seam: one interface, two backends (buildah, docker buildx). A builder turns a
// prepared build context into one single-platform image manifest pushed BY DIGEST to the target
// repository — never tagged: tags are the merge task's job, once every platform built.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "oci/registry_client.h"
#include "util/status.h"

namespace mg {

struct BuildRequest {
  std::string context_dir;   // absolute; the build context
  std::string dockerfile;    // absolute path of the (already edited) Dockerfile
  std::string platform;      // "linux/arm64"
  std::map<std::string, std::string> build_args;
  std::string registry;      // target registry "host[:port]"
  std::string repository;    // target repository in it ("demo/hello")
  bool plain_http = false;   // the target registry speaks HTTP (also when base images come from it)
  // A docker config JSON holding the target registry's credentials (RegistryAuthFile), or empty.
  // The builder passes the path, never the secrets, to its subprocesses.
  std::string auth_file;
  bool emulation = false;    // foreign platforms may run RUN steps under QEMU binfmt
  int64_t source_epoch = -1; // seconds since the epoch; >= 0: image timestamps set to it (reproducible)
  std::string work_dir;      // scratch directory for this build: exists, owned and removed by the caller
  std::map<std::string, std::string> labels;  // added to the image config
  // Repositories of the same registry whose blobs this image likely shares (the images it is built
  // FROM, e.g. outline's base-outline): layers are mounted from them instead of uploaded.
  std::vector<std::string> mount_from;
  // Called with every line the builder's subprocesses print (thread of the caller).
  std::function<void(std::string_view)> log;
  const std::atomic<bool>* cancel = nullptr;  // set: the running subprocess is killed
  std::chrono::milliseconds timeout{0};       // per subprocess; 0 = none
};

struct BuiltImage {
  std::string digest;      // "sha256:<hex>" of the pushed manifest
  std::string media_type;  // of that manifest
  int64_t size = 0;        // its byte length
};

// Implementations are thread-safe: the executor runs legs of different platforms at once.
class Builder {
 public:
  virtual ~Builder() = default;
  virtual std::string name() const = 0;  // "buildah", "docker"
  // The backend's version line ("buildah version 1.28.2 ..."), asked once and remembered. Errors:
  // NotFound (the tool is missing, with the package to install), FailedPrecondition (present but
  // unusable, e.g. no buildx plugin or no Docker daemon).
  virtual Result<std::string> Version() = 0;
  // Builds and pushes. Errors carry the tool's last output lines; a timeout is Unavailable
  // ("timed out after ..."), a cancellation Cancelled.
  virtual Result<BuiltImage> BuildAndPush(const BuildRequest& request) = 0;
};

struct BuilderSettings {
  std::string state_dir;             // buildah keeps its storage under <state_dir>/buildah
  std::string buildah_storage_driver = "vfs";
  std::string buildah_isolation = "chroot";
  std::string buildx_builder;        // `docker buildx build --builder NAME`; empty: the current one
  // buildah pushes through the engine's own OCI client (oci/layout_push.h): borrowed, may be null
  // for the docker backend.
  RegistryClient* registry = nullptr;
};

// "buildah" or "docker"; anything else InvalidArgument listing both.
Result<std::unique_ptr<Builder>> MakeBuilder(const std::string& name, const BuilderSettings& settings);

// "amd64" of "linux/amd64/v8"; "" when malformed.
std::string PlatformArch(std::string_view platform);

// The architecture this process runs on, in OCI terms ("amd64", "arm64", ...).
std::string HostArch();

// For a foreign `platform` with `emulation`: OK when the kernel can run its binaries through
// binfmt_misc (e.g. /proc/sys/fs/binfmt_misc/qemu-aarch64 enabled), else FailedPrecondition saying
// how to register the handler. Native platforms and emulation=false: OK.
Status CheckEmulation(std::string_view platform, bool emulation);

// The Status of a failed subprocess: Cancelled when cancelled, else FailedPrecondition with the
// exit status (or "timed out after N s") and the last lines of output. `what` names the step
// ("buildah bud"); `timeout` is the limit that applied.
struct SubprocessResult;
Status SubprocessFailure(std::string_view what, const SubprocessResult& result, std::chrono::milliseconds timeout);

// Runs `argv` for a build step with the request's log, cancel and timeout, in `cwd` (empty: this
// process's), in this process's environment without any secret variable (ChildKind::kBuilder,
// util/secret_env.h) and with `env` on top; OK only on exit 0, else SubprocessFailure(). Output
// lines go to request.log as they arrive.
Result<SubprocessResult> RunBuildStep(std::string_view what, std::vector<std::string> argv, const BuildRequest& request,
                                      std::map<std::string, std::string> env = {}, std::string cwd = {});

}  // namespace mg
