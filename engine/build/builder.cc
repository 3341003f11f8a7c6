#include "build/builder.h"

#include <sys/utsname.h>

#include <fstream>

#include "build/buildah_builder.h"
#include "build/docker_builder.h"
#include "util/secret_env.h"
#include "util/subprocess.h"

namespace mg {

std::string PlatformArch(std::string_view platform) {
  size_t a = platform.find('/');
  if (a == std::string_view::npos) return "";
  size_t b = platform.find('/', a + 1);
  return std::string(platform.substr(a + 1, b == std::string_view::npos ? std::string_view::npos : b - a - 1));
}

std::string HostArch() {
  struct utsname u {};
  if (uname(&u) != 0) return "";
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64" || m == "arm64") return "arm64";
  if (m == "i386" || m == "i686") return "386";
  if (m.rfind("armv", 0) == 0) return "arm";
  return m;  // ppc64le, s390x, riscv64 are spelled the same
}

namespace {

// The binfmt_misc handler qemu-user-static registers for an OCI architecture.
std::string QemuHandlerFor(const std::string& arch) {
  if (arch == "arm64") return "qemu-aarch64";
  if (arch == "arm") return "qemu-arm";
  if (arch == "amd64") return "qemu-x86_64";
  if (arch == "386") return "qemu-i386";
  return "qemu-" + arch;
}

}  // namespace

Status CheckEmulation(std::string_view platform, bool emulation) {
  std::string arch = PlatformArch(platform);
  if (!emulation || arch.empty() || arch == HostArch()) return Status::OK();
  std::string handler = "/proc/sys/fs/binfmt_misc/" + QemuHandlerFor(arch);
  std::ifstream in(handler);
  std::string first;
  if (in && std::getline(in, first) && first == "enabled") return Status::OK();
  return Status::FailedPrecondition(
      "emulation is on for " + std::string(platform) + " but this " + HostArch() +
      " machine has no binfmt handler for it (" + handler +
      (in ? " is disabled" : " is missing") +
      "); as root, install qemu-user-static and run scripts/enable-binfmt.sh, or build this platform on a "
      "native machine with emulation = false (docs/builders.md)");
}

Status SubprocessFailure(std::string_view what, const SubprocessResult& r, std::chrono::milliseconds timeout) {
  // How a cancelled or timed-out step was stopped: SIGTERM, and SIGKILL when that was not enough.
  std::string stop = !r.sigkilled ? std::string()
                                  : " (still running " + DescribeStopGrace(SubprocessStopGrace()) +
                                        " after SIGTERM, or stopped at once by a second interrupt: killed with SIGKILL)";
  if (r.cancelled) return Status::Cancelled(std::string(what) + " was cancelled" + stop);
  std::string tail = TailLines(r.stdout_text.empty() ? r.stderr_text : r.stdout_text + r.stderr_text, 15);
  std::string how = r.timed_out ? "timed out after " + std::to_string(timeout.count() / 1000) + " s" + stop
                    : r.term_signal != 0 ? "was killed by signal " + std::to_string(r.term_signal)
                                         : "exited with status " + std::to_string(r.exit_code);
  // The whole output went to the task log line by line (request.log); only its tail is kept here.
  return Status::FailedPrecondition(std::string(what) + " " + how + r.DroppedNote() +
                                    (tail.empty() ? "" : "; last output:\n" + tail));
}

Result<SubprocessResult> RunBuildStep(std::string_view what, std::vector<std::string> argv, const BuildRequest& request,
                                      std::map<std::string, std::string> env, std::string cwd) {
  SubprocessOptions opt;
  opt.argv = std::move(argv);
  opt.env_overrides = std::move(env);
  opt.secrets = ChildKind::kBuilder;
  opt.cwd = std::move(cwd);
  opt.timeout = request.timeout;
  opt.cancel = request.cancel;
  if (request.log) opt.on_output_line = request.log;
  auto r = RunSubprocess(opt);
  if (!r.ok()) return r.status().WithContext(std::string(what));
  if (r->exit_code != 0 || r->cancelled || r->timed_out) return SubprocessFailure(what, *r, request.timeout);
  return r;
}

Result<std::unique_ptr<Builder>> MakeBuilder(const std::string& name, const BuilderSettings& settings) {
  if (name == "buildah") return std::unique_ptr<Builder>(std::make_unique<BuildahBuilder>(settings));
  if (name == "docker") return std::unique_ptr<Builder>(std::make_unique<DockerBuilder>(settings));
  return Status::InvalidArgument("unknown builder \"" + name + "\": use \"buildah\" or \"docker\"");
}

}  // namespace mg
