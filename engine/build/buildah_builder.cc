#include "build/buildah_builder.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <system_error>
#include <utility>

#include "oci/layout_push.h"
#include "util/atomic_file.h"
#include "util/clock.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace mg {

namespace fs = std::filesystem;
using EnvMap = std::map<std::string, std::string>;

BuildahBuilder::BuildahBuilder(BuilderSettings settings)
    : settings_(std::move(settings)),
      // Unique across runs too (a pid repeats, in containers on every run): a name left by a
      // killed run is never given to another image, which would leave the first one nameless.
      name_prefix_(std::to_string(::getpid()) + "-" + std::to_string(SystemClock::Default()->NowMillis()) + "-") {}

BuildahBuilder::~BuildahBuilder() {
  // Normally Finish() has run and this only joins; else the warnings go to stderr, not lost.
  try {
    for (const std::string& w : Finish(false)) std::cerr << "mirrorgraph: warning: " << w << "\n";
  } catch (...) {
  }
}

namespace {
// buildah takes its default auth file from REGISTRY_AUTH_FILE, else $DOCKER_CONFIG/config.json,
// and refuses to start when that file is missing.
bool DockerConfigLacksAuthFile() {
  const char* dc = std::getenv("DOCKER_CONFIG");
  return dc != nullptr && *dc != '\0' && !fs::exists(std::string(dc) + "/config.json");
}
}  // namespace

Result<std::map<std::string, std::string>> BuildahBuilder::StartEnv() {
  std::map<std::string, std::string> env;
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

namespace {
// `word` as one POSIX shell word: as it is when only plain characters, else single-quoted.
std::string ShellWord(const std::string& word) {
  const bool plain = !word.empty() && word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                             "0123456789_./:@%+-") == std::string::npos;
  if (plain) return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}
}  // namespace

std::string BuildahBuilder::RemovalCommand(const std::string& name,
                                           const std::map<std::string, std::string>& env) const {
  std::string command;
  for (const auto& [k, v] : env) command += k + "=" + ShellWord(v) + " ";
  std::vector<std::string> argv = GlobalArgs();
  argv.insert(argv.end(), {"rmi", name});
  for (const std::string& a : argv) command += (&a == &argv.front() ? "" : " ") + ShellWord(a);
  return command;
}

std::string BuildahBuilder::RemoveImage(const std::string& name) {
  auto env = StartEnv();
  std::string why;
  if (!env.ok()) {
    why = env.status().message();
  } else {
    SubprocessOptions opt;
    opt.argv = GlobalArgs();
    opt.argv.insert(opt.argv.end(), {"rmi", name});
    opt.env_overrides = *env;
    opt.timeout = std::chrono::minutes(2);
    auto r = RunSubprocess(opt);
    if (!r.ok()) {
      why = r.status().message();
    } else if (r->exit_code != 0) {
      why = "buildah rmi exited with " + std::to_string(r->exit_code) + ": " +
            std::string(Trim(TailLines(r->stderr_text.empty() ? r->stdout_text : r->stderr_text, 3)));
    }
  }
  if (why.empty()) return "";
  return "could not remove the built image " + name + " from buildah's storage (" + why +
         "); it takes disk space until removed: " + RemovalCommand(name, env.ok() ? *env : EnvMap{});
}

void BuildahBuilder::QueueRemoval(std::string name) {
  std::lock_guard<std::mutex> lock(removal_mu_);
  removals_.push_back(std::move(name));
  if (!removal_stopping_ && !removal_thread_.joinable()) {
    try {
      removal_thread_ = std::thread([this]() noexcept { RemoveQueued(); });
    } catch (const std::system_error&) {
      // No thread to be had: the removal waits in the queue for Finish(), which runs it.
    }
  }
  removal_cv_.notify_one();
}

void BuildahBuilder::RemoveQueued() noexcept {
  std::unique_lock<std::mutex> lock(removal_mu_);
  for (;;) {
    removal_cv_.wait(lock, [this] { return removal_stopping_ || !removals_.empty(); });
    if (removal_stopping_) return;  // Finish() runs or reports what is left
    // The removal stays first in the queue until it is done: if anything throws (out of memory),
    // the thread ends and Finish() runs or reports it with the rest. The reference stays valid
    // unlocked: QueueRemoval only appends (a deque keeps its elements in place), only this thread
    // pops, and Finish() takes the queue only after joining this thread.
    const std::string& next = removals_.front();
    lock.unlock();
    try {
      std::string warning = RemoveImage(next);
      lock.lock();
      if (!warning.empty()) removal_warnings_.push_back(std::move(warning));
      removals_.pop_front();
    } catch (...) {
      return;
    }
  }
}

std::vector<std::string> BuildahBuilder::Finish(bool interrupted) {
  std::lock_guard<std::mutex> finishing(finish_mu_);
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(removal_mu_);
    removal_stopping_ = true;
    thread = std::move(removal_thread_);
  }
  removal_cv_.notify_one();
  if (thread.joinable()) thread.join();  // after the removal it is running, if any
  std::unique_lock<std::mutex> lock(removal_mu_);
  std::deque<std::string> left = std::exchange(removals_, {});
  std::vector<std::string> warnings = std::exchange(removal_warnings_, {});
  removal_stopping_ = false;  // a later build starts the thread again
  lock.unlock();
  for (const std::string& name : left) {
    std::string warning;
    if (!interrupted) {
      warning = RemoveImage(name);
    } else {
      auto env = StartEnv();
      warning = "the run was interrupted before the built image " + name +
                " left buildah's storage; it takes disk space until removed: " +
                RemovalCommand(name, env.ok() ? *env : EnvMap{});
    }
    if (!warning.empty()) warnings.push_back(std::move(warning));
  }
  return warnings;
}

std::vector<std::string> BuildahBuilder::GlobalArgs() const {
  std::string base = settings_.state_dir + "/buildah";
  return {"buildah", "--root", base + "/root", "--runroot", base + "/run", "--storage-driver",
          settings_.buildah_storage_driver};
}

std::vector<std::string> BuildahBuilder::BudArgv(const BuildRequest& r, const std::string& iid_file,
                                                 const std::string& name) const {
  std::vector<std::string> argv = GlobalArgs();
  for (const char* a : {"bud", "--isolation"}) argv.push_back(a);
  argv.push_back(settings_.buildah_isolation);
  argv.insert(argv.end(), {"--platform", r.platform, "--iidfile", iid_file, "--tag", name, "-f",
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
  auto start_env = StartEnv();
  if (!start_env.ok()) return start_env.status();
  std::map<std::string, std::string> env = std::move(*start_env);
  env["CONTAINERS_REGISTRIES_CONF"] = conf;
  if (!r.auth_file.empty()) env["REGISTRY_AUTH_FILE"] = r.auth_file;
  // The image is named for this build alone and removed by that name: another leg whose build
  // yields the same image id keeps its own name, so removing this one never takes its image.
  const std::string name = "localhost/mirrorgraph-build:" + name_prefix_ + std::to_string(build_serial_.fetch_add(1) + 1);
  const std::string iid_file = r.work_dir + "/image-id";
  auto bud = RunBuildStep("buildah bud", BudArgv(r, iid_file, name), r, env);
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
  if (image_id.empty()) {
    QueueRemoval(name);
    return Status::Internal("buildah bud succeeded but wrote no image id to " + iid_file);
  }

  // Export as an OCI layout, push that by digest; the image leaves the local storage meanwhile
  // (its base layers stay cached there for the next build).
  const std::string layout = r.work_dir + "/oci-layout";
  std::vector<std::string> push = GlobalArgs();
  push.insert(push.end(), {"push", "--format", "oci", image_id, "oci:" + layout});
  auto exported = RunBuildStep("buildah push (to an OCI layout)", push, r, env);
  QueueRemoval(name);
  if (!exported.ok()) return exported.status();
  BlobUploadOptions upload;
  upload.mount_from = r.mount_from;
  auto pushed = PushOciLayout(*settings_.registry, r.repository, layout, upload);
  std::error_code ec;
  fs::remove_all(layout, ec);
  if (!pushed.ok()) return pushed.status().WithContext("pushing " + r.registry + "/" + r.repository);
  return BuiltImage{pushed->digest, pushed->media_type, pushed->size};
}

}  // namespace mg
