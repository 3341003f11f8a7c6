// Helpers for end-to-end tests of the `mirrorgraph` binary: git upstreams with given tags, config
// files, running the CLI as a subprocess (synchronously, or in the background to kill it), and
// reading its --json report.
//
// Typical use:
//   mg::testing::CliWorkspace ws;                       // temp dir, empty DOCKER_CONFIG
//   auto repo = ws.MakeUpstream("hello", {"v1.0.0", "v1.1.0"});
//   ws.WriteConfig({.registry_host = reg->host(), .apps = {{.name = "hello", .url = *repo}}});
//   auto r = ws.Run({"plan", "--json", "plan.json"});
//   BOOST_TEST(r.exit_code == 0, r.Describe());
//   Json report = ws.ReadJson("plan.json");
//
// The binary is $MG_BUILD_DIR/engine/mirrorgraph (ctest sets MG_BUILD_DIR). Nothing but 127.0.0.1
// and file:// URLs is contacted. Not thread-safe: one test thread per workspace.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "registry_fixture.h"
#include "util/json.h"
#include "util/status.h"

namespace mg::testing {

// $MG_BUILD_DIR/engine/mirrorgraph; empty when MG_BUILD_DIR is unset.
std::string MirrorgraphPath();

// A loopback TCP port nobody listens on (bound, then released), to start a server on. 0 when no
// port could be bound.
int FreeLoopbackPort();

// A loopback TCP port held bound, never listened on, for the object's lifetime: connecting to it
// is refused, and no other test (or server) can take it meanwhile. port() is 0 when none could be
// bound.
class ClosedLoopbackPort {
 public:
  ClosedLoopbackPort();
  ~ClosedLoopbackPort();
  ClosedLoopbackPort(const ClosedLoopbackPort&) = delete;
  ClosedLoopbackPort& operator=(const ClosedLoopbackPort&) = delete;
  int port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};


// Creates a git repository in `dir` (created if needed) with one commit per tag, tagged in the
// given order with annotated tags. Each commit writes `files` (relative path -> content, "@TAG@"
// replaced by the commit's tag); with no files the commits are empty. Returns its file:// URL.
Result<std::string> MakeGitUpstream(const std::filesystem::path& dir, const std::vector<std::string>& tags,
                                    const std::map<std::string, std::string>& files = {});

// A TOML basic string: "..." with quotes and backslashes escaped.
std::string TomlString(const std::string& s);

struct CliApp {
  std::string name{};
  std::string url{};                                     // source.url (file:// URL)
  std::string tag_pattern = R"(^v(\d+\.\d+\.\d+)$)";     // written as a TOML literal string
  std::string extra{};                                   // more lines for the app table, verbatim
};

struct CliConfig {
  std::string registry_host{};
  std::string ns = "mirror";
  bool plain_http = true;
  int max_versions = 3;
  std::string auth_file{};  // registry.auth_file; empty: not written
  std::vector<CliApp> apps{};
  std::string extra{};      // appended verbatim at the end of the file
};

// The mirror.toml text for `config` (apps in the given order).
std::string RenderConfig(const CliConfig& config);

struct CliResult {
  int exit_code = -1;
  bool timed_out = false;
  std::string out;
  std::string err;
  // "exit N\n--- stdout\n...\n--- stderr\n..." for failure messages.
  std::string Describe() const;
};

// A child process started in the background (for kill tests). Its stdout and stderr go to files.
// The destructor SIGKILLs and reaps it if it is still running.
class BackgroundProcess {
 public:
  // Starts argv (argv[0] must be a path) in `cwd` with `env` set on top of this environment.
  static Result<std::unique_ptr<BackgroundProcess>> Start(const std::vector<std::string>& argv,
                                                          const std::filesystem::path& cwd,
                                                          const std::map<std::string, std::string>& env,
                                                          const std::filesystem::path& stdout_file,
                                                          const std::filesystem::path& stderr_file);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Sends `sig` to the child (no-op once reaped).
  void Signal(int sig);
  // Non-blocking: true (and fills the exit code, 128+signal when signalled) once the child ended.
  bool Poll(int* exit_code);
  // Waits up to `timeout`; nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  BackgroundProcess() = default;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// A temp working directory for CLI runs: mirror.toml at its root, state in <dir>/.mirrorgraph,
// DOCKER_CONFIG pointing at an empty directory inside it (so the user's credentials never leak
// into a test), HOME at the workspace.
class CliWorkspace {
 public:
  CliWorkspace();
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path config_path() const { return dir() / "mirror.toml"; }
  std::filesystem::path state_dir() const { return dir() / ".mirrorgraph"; }

  // A git upstream in <dir>/upstreams/<name>; returns its file:// URL.
  Result<std::string> MakeUpstream(const std::string& name, const std::vector<std::string>& tags,
                                   const std::map<std::string, std::string>& files = {});
  void WriteConfig(const CliConfig& config);
  void WriteConfigText(const std::string& text);

  // Runs `mirrorgraph args...` in dir() and waits (default: 3 minutes, then it is killed).
  CliResult Run(const std::vector<std::string>& args,
                std::chrono::milliseconds timeout = std::chrono::minutes(3)) const;
  // Starts `mirrorgraph args...` in the background; output in <dir>/<name>.out / .err.
  Result<std::unique_ptr<BackgroundProcess>> Start(const std::vector<std::string>& args,
                                                   const std::string& name) const;

  // Parses a JSON file (relative paths are under dir()); a discarded Json when unreadable.
  Json ReadJson(const std::filesystem::path& path) const;

  // Environment set for every run on top of this process's.
  std::map<std::string, std::string>& env() { return env_; }

 private:
  TempDir dir_{"mg-cli"};
  std::map<std::string, std::string> env_;
};

// The task with `id` in a --json report's "tasks", or nullptr.
const Json* FindTask(const Json& report, const std::string& id);
// Its "status" ("<absent>" when there is no such task) and "reason" ("" when absent).
std::string TaskStatusOf(const Json& report, const std::string& id);
std::string TaskReasonOf(const Json& report, const std::string& id);
// Ids of the report's tasks whose id starts with `prefix`, sorted.
std::vector<std::string> TaskIds(const Json& report, const std::string& prefix = "");

// Reads a whole file ("" when unreadable).
std::string ReadFile(const std::filesystem::path& path);
// Every regular file under `dir`, recursively, sorted.
std::vector<std::filesystem::path> FilesUnder(const std::filesystem::path& dir);
// Number of lines of `text` containing `needle`.
size_t CountLinesContaining(const std::string& text, const std::string& needle);

}  // namespace mg::testing
