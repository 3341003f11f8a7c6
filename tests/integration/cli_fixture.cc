#include "cli_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "util/subprocess.h"

extern char** environ;

namespace fs = std::filesystem;

namespace mg::testing {
namespace {

Status RunTool(const std::vector<std::string>& argv, const fs::path& cwd,
               const std::map<std::string, std::string>& env = {}) {
  SubprocessOptions o;
  o.argv = argv;
  o.cwd = cwd.string();
  o.env_overrides = env;
  o.timeout = std::chrono::minutes(2);
  auto r = RunSubprocess(o);
  std::string cmd;
  for (const std::string& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
  if (!r.ok()) return r.status().WithContext(cmd);
  if (r->exit_code != 0) {
    return Status::IOError(cmd + ": exit " + std::to_string(r->exit_code) + "\n" + r->stdout_text + r->stderr_text);
  }
  return Status::OK();
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

namespace {
// Binds a TCP socket to an ephemeral loopback port: the port, 0 when that failed.
int BindLoopback(int fd) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return 0;
  socklen_t len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  return ntohs(addr.sin_port);
}
}  // namespace

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  int port = BindLoopback(fd);
  close(fd);
  return port;
}

ClosedLoopbackPort::ClosedLoopbackPort() : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  if (fd_ >= 0) port_ = BindLoopback(fd_);
}

ClosedLoopbackPort::~ClosedLoopbackPort() {
  if (fd_ >= 0) close(fd_);
}

std::string MirrorgraphPath() {
  const char* build = std::getenv("MG_BUILD_DIR");
  if (build == nullptr || *build == '\0') return "";
  return std::string(build) + "/engine/mirrorgraph";
}

Result<std::string> MakeGitUpstream(const fs::path& dir, const std::vector<std::string>& tags,
                                    const std::map<std::string, std::string>& files) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir.string() + ": " + ec.message());
  // A fixed identity and no global/system config: the result does not depend on the machine.
  std::map<std::string, std::string> env = {
      {"GIT_CONFIG_NOSYSTEM", "1"},          {"GIT_CONFIG_GLOBAL", "/dev/null"},
      {"GIT_AUTHOR_NAME", "mg test"},        {"GIT_AUTHOR_EMAIL", "test@example.invalid"},
      {"GIT_COMMITTER_NAME", "mg test"},     {"GIT_COMMITTER_EMAIL", "test@example.invalid"},
      {"GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z"}, {"GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z"}};
  MG_RETURN_IF_ERROR(RunTool({"git", "init", "-q", "-b", "main", "."}, dir, env));
  for (const std::string& tag : tags) {
    for (const auto& [path, content] : files) {
      fs::create_directories((dir / path).parent_path(), ec);
      std::string text = content;
      for (size_t at = text.find("@TAG@"); at != std::string::npos; at = text.find("@TAG@", at + tag.size())) {
        text.replace(at, 5, tag);
      }
      std::ofstream out(dir / path, std::ios::binary | std::ios::trunc);
      out << text;
      if (!out) return Status::IOError("cannot write " + (dir / path).string());
      out.close();
      MG_RETURN_IF_ERROR(RunTool({"git", "add", path}, dir, env));
    }
    MG_RETURN_IF_ERROR(RunTool({"git", "commit", "-q", "--allow-empty", "-m", "release " + tag}, dir, env));
    MG_RETURN_IF_ERROR(RunTool({"git", "tag", "-a", tag, "-m", tag}, dir, env));
  }
  return "file://" + fs::absolute(dir).lexically_normal().string();
}

std::string TomlString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string RenderConfig(const CliConfig& c) {
  std::ostringstream t;
  t << "[registry]\n"
    << "host = " << TomlString(c.registry_host) << "\n"
    << "namespace = " << TomlString(c.ns) << "\n"
    << "plain_http = " << (c.plain_http ? "true" : "false") << "\n";
  if (!c.auth_file.empty()) t << "auth_file = " << TomlString(c.auth_file) << "\n";
  t << "\n[defaults]\nmax_versions = " << c.max_versions << "\n";
  for (const CliApp& a : c.apps) {
    t << "\n[apps." << a.name << "]\nplugin = \"generic\"\n"
      << "source = { type = \"git-tags\", url = " << TomlString(a.url) << ", tag_pattern = '" << a.tag_pattern
      << "' }\n"
      << a.extra;
  }
  t << c.extra;
  return t.str();
}

std::string CliResult::Describe() const {
  return "exit " + std::to_string(exit_code) + (timed_out ? " (timed out)" : "") + "\n--- stdout\n" + out +
         "--- stderr\n" + err;
}

Result<std::unique_ptr<BackgroundProcess>> BackgroundProcess::Start(const std::vector<std::string>& argv,
                                                                    const fs::path& cwd,
                                                                    const std::map<std::string, std::string>& env,
                                                                    const fs::path& stdout_file,
                                                                    const fs::path& stderr_file) {
  if (argv.empty()) return Status::InvalidArgument("empty argv");
  // Everything the child needs is prepared before fork (only async-signal-safe calls after it).
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (auto& [k, v] : env) merged[k] = v;
  std::vector<std::string> env_strings;
  for (auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (std::string& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);
  int out_fd = open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err_fd = open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0 || err_fd < 0) {
    if (out_fd >= 0) close(out_fd);
    if (err_fd >= 0) close(err_fd);
    return Status::IOError("cannot open the output files in " + stdout_file.parent_path().string());
  }
  std::string dir = cwd.string();
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(out_fd);
    close(err_fd);
    return Status::IOError("fork failed");
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    if (chdir(dir.c_str()) != 0) _exit(127);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  std::unique_ptr<BackgroundProcess> p(new BackgroundProcess());
  p->pid_ = pid;
  return p;
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0 && !exit_code_) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

void BackgroundProcess::Signal(int sig) {
  if (pid_ > 0 && !exit_code_) kill(pid_, sig);
}

bool BackgroundProcess::Poll(int* exit_code) {
  if (!exit_code_) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) exit_code_ = DecodeWaitStatus(status);
  }
  if (exit_code_ && exit_code != nullptr) *exit_code = *exit_code_;
  return exit_code_.has_value();
}

std::optional<int> BackgroundProcess::Wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int code = 0;
  while (!Poll(&code)) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return code;
}

CliWorkspace::CliWorkspace() {
  fs::create_directories(dir() / "docker-config");
  env_["DOCKER_CONFIG"] = (dir() / "docker-config").string();
  env_["HOME"] = dir().string();
  env_["NO_COLOR"] = "1";
}

Result<std::string> CliWorkspace::MakeUpstream(const std::string& name, const std::vector<std::string>& tags,
                                              const std::map<std::string, std::string>& files) {
  return MakeGitUpstream(dir() / "upstreams" / name, tags, files);
}

void CliWorkspace::WriteConfig(const CliConfig& config) { WriteConfigText(RenderConfig(config)); }

void CliWorkspace::WriteConfigText(const std::string& text) {
  std::ofstream out(config_path(), std::ios::binary | std::ios::trunc);
  out << text;
}

CliResult CliWorkspace::Run(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const {
  CliResult result;
  SubprocessOptions o;
  o.argv = {MirrorgraphPath()};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.cwd = dir().string();
  o.env_overrides = env_;
  o.timeout = timeout;
  auto r = RunSubprocess(o);
  if (!r.ok()) {
    result.err = "cannot run " + o.argv[0] + ": " + r.status().ToString();
    return result;
  }
  result.exit_code = r->exit_code;
  result.timed_out = r->timed_out;
  result.out = std::move(r->stdout_text);
  result.err = std::move(r->stderr_text);
  return result;
}

Result<std::unique_ptr<BackgroundProcess>> CliWorkspace::Start(const std::vector<std::string>& args,
                                                               const std::string& name) const {
  std::vector<std::string> argv = {MirrorgraphPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  return BackgroundProcess::Start(argv, dir(), env_, dir() / (name + ".out"), dir() / (name + ".err"));
}

Json CliWorkspace::ReadJson(const fs::path& path) const {
  fs::path p = path.is_absolute() ? path : dir() / path;
  std::string text = ReadFile(p);
  if (text.empty()) return Json(Json::value_t::discarded);
  return ParseJson(text);
}

const Json* FindTask(const Json& report, const std::string& id) {
  if (!report.is_object() || !report.contains("tasks") || !report["tasks"].is_array()) return nullptr;
  for (const Json& t : report["tasks"]) {
    if (t.is_object() && t.value("id", "") == id) return &t;
  }
  return nullptr;
}

std::string TaskStatusOf(const Json& report, const std::string& id) {
  const Json* t = FindTask(report, id);
  return t == nullptr ? "<absent>" : t->value("status", "<no status>");
}

std::string TaskReasonOf(const Json& report, const std::string& id) {
  const Json* t = FindTask(report, id);
  return t == nullptr ? "" : t->value("reason", "");
}

std::vector<std::string> TaskIds(const Json& report, const std::string& prefix) {
  std::vector<std::string> ids;
  if (!report.is_object() || !report.contains("tasks") || !report["tasks"].is_array()) return ids;
  for (const Json& t : report["tasks"]) {
    std::string id = t.value("id", "");
    if (id.compare(0, prefix.size(), prefix) == 0) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> FilesUnder(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

size_t CountLinesContaining(const std::string& text, const std::string& needle) {
  size_t n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos) ++n;
  }
  return n;
}

}  // namespace mg::testing
