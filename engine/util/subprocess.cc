#include "util/subprocess.h"

// Boost.Process offers bp::posix::use_vfork, but its feature test (detail/config.hpp) only
// enables it for pre-2008 POSIX feature levels; glibc has vfork at every level we build with.
#ifndef BOOST_POSIX_HAS_VFORK
#define BOOST_POSIX_HAS_VFORK 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/process/args.hpp>
#include <boost/process/async_pipe.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/posix.hpp>
#include <boost/process/start_dir.hpp>
#include <spdlog/spdlog.h>
#include <memory>
#include <mutex>
#include <thread>

#include "util/child_records.h"
#include "util/paths.h"
#include "util/process_table.h"
#include "util/strings.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace mg {
namespace {

namespace bp = boost::process;
namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

// The process-wide stop policy (subprocess.h). Lock-free atomics: SkipSubprocessStopGrace() runs
// in signal handlers.
std::atomic<int64_t> g_stop_grace_ms{10000};
std::atomic<bool> g_grace_skipped{false};
static_assert(std::atomic<bool>::is_always_lock_free);

std::mutex g_record_mu;
std::string g_record_dir;  // GUARDED_BY(g_record_mu)

std::string RecordDir() {
  std::lock_guard<std::mutex> lock(g_record_mu);
  return g_record_dir;
}

// Installs the prepared environment (in the parent), then prepares the child between vfork and
// exec. The child shares this process's memory until it execs (the parent thread waits): only
// system calls there, no allocation, no writes to memory other than the executor's error fields.
// Signals are blocked in the parent thread around the launch (ScopedAllSignalsBlocked), so no
// handler of this process can run on the shared memory before the child resets them to default.
struct ChildSetup : bp::extend::handler {
  char** envp;  // NULL-terminated "KEY=VALUE" array; must outlive the launch
  pid_t parent = ::getpid();
  // The write end of a close-on-exec pipe: a failed exec writes its errno there. Boost's vfork
  // path reports the failure through shared memory only, which a runtime that turns vfork into
  // fork (ThreadSanitizer, valgrind) loses; the pipe reaches the parent either way.
  int exec_error_fd = -1;

  template <typename Executor>
  void on_setup(Executor& exec) const {
    exec.env = envp;
  }

  // A failed exec (or chdir) is reported after the child already _exit()ed: reap it, and record
  // its status where Boost's child object looks, so that object's destructor neither waits for
  // nor kills the pid (which another thread's new child may have by then).
  template <typename Executor>
  void on_error(Executor& exec, const std::error_code&) const {
    if (exec.pid > 0) {
      int status = 0;
      while (::waitpid(exec.pid, &status, 0) < 0 && errno == EINTR) {
      }
      exec.exit_status->store(status);
    }
  }

  template <typename Executor>
  void on_exec_error(Executor&, const std::error_code& ec) const {
    const int code = ec.value() != 0 ? ec.value() : ENOEXEC;
    ssize_t ignored = ::write(exec_error_fd, &code, sizeof code);
    (void)ignored;
  }

  template <typename Executor>
  void on_exec_setup(Executor&) const {
    ::setpgid(0, 0);  // own process group, so a stop reaches grandchildren too
    // Told when mirrorgraph dies (a kill -9): SIGTERM, so that buildah can still unmount and clean
    // up; whatever of its group outlives that, the next run stops (child_records.h). Tied to the
    // forking thread, which RunSubprocess blocks until the child ends. A parent already gone
    // before prctl: exit now.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    // The child's handler table is its own (vfork shares memory, not dispositions): every caught
    // signal goes back to its default before the mask opens, as exec would do; SIGPIPE too, which
    // this process may ignore.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
      struct sigaction old {};
      if (::sigaction(sig, nullptr, &old) != 0) continue;
      if (sig == SIGPIPE || (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN)) ::sigaction(sig, &dfl, nullptr);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Every inherited descriptor except 0, 1, 2 closes at exec (other threads' pipes included).
    if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
      long max = ::sysconf(_SC_OPEN_MAX);
      if (max < 0 || max > 65536) max = 65536;
      for (int fd = 3; fd < max; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
  }
};

// A close-on-exec pipe a child writes its exec errno into (ChildSetup::exec_error_fd). Read() closes
// the write end and reads: after a successful exec the child's copy closed with the exec, so EOF.
class ExecErrorPipe {
 public:
  ExecErrorPipe() { ok_ = ::pipe2(fds_, O_CLOEXEC) == 0; }
  ~ExecErrorPipe() {
    for (int fd : fds_) {
      if (fd >= 0) ::close(fd);
    }
  }
  ExecErrorPipe(const ExecErrorPipe&) = delete;
  ExecErrorPipe& operator=(const ExecErrorPipe&) = delete;
  bool ok() const { return ok_; }
  int write_fd() const { return fds_[1]; }
  int Read() {
    ::close(fds_[1]);
    fds_[1] = -1;
    int code = 0;
    ssize_t n;
    while ((n = ::read(fds_[0], &code, sizeof code)) < 0 && errno == EINTR) {
    }
    return n == static_cast<ssize_t>(sizeof code) ? code : 0;
  }

 private:
  int fds_[2] = {-1, -1};
  bool ok_ = false;
};

// Blocks every signal in the calling thread for its lifetime (the launch), restoring the mask after.
class ScopedAllSignalsBlocked {
 public:
  ScopedAllSignalsBlocked() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old_);
  }
  ~ScopedAllSignalsBlocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  ScopedAllSignalsBlocked(const ScopedAllSignalsBlocked&) = delete;
  ScopedAllSignalsBlocked& operator=(const ScopedAllSignalsBlocked&) = delete;

 private:
  sigset_t old_;
};

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

Result<std::string> ResolveProgram(const SubprocessOptions& o) {
  const std::string& prog = o.argv[0];
  if (prog.find('/') != std::string::npos) {
    std::string path = prog;
    if (prog[0] != '/' && !o.cwd.empty()) path = o.cwd + "/" + prog;
    if (!IsExecutableFile(path)) {
      return Status::NotFound("executable \"" + prog + "\" not found (or not executable)");
    }
    return path;
  }
  std::string path_var;
  auto it = o.env_overrides.find("PATH");
  if (it != o.env_overrides.end()) {
    path_var = it->second;
  } else if (const char* p = ::getenv("PATH")) {
    path_var = p;
  } else {
    path_var = "/usr/local/bin:/usr/bin:/bin";
  }
  for (const std::string& dir : Split(path_var, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + prog;
    if (!IsExecutableFile(candidate)) continue;
    // A relative PATH entry names a directory of this process's; the child execs after its chdir.
    return candidate[0] != '/' && !o.cwd.empty() ? AbsolutePath(candidate) : candidate;
  }
  return Status::NotFound("executable \"" + prog + "\" not found in PATH (" + path_var + ")");
}

// This process's environment without `remove`, with `overrides` applied (boost::process::environment
// is avoided: its lookup reads past the end of short entries in Boost 1.74).
std::vector<std::string> BuildEnvironment(const std::map<std::string, std::string>& overrides,
                                          const std::vector<std::string>& remove) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string key(entry.substr(0, entry.find('=')));
    if (overrides.count(key) == 0 && std::find(remove.begin(), remove.end(), key) == remove.end()) {
      out.emplace_back(entry);
    }
  }
  for (const auto& [k, v] : overrides) out.push_back(k + "=" + v);
  return out;
}

void SetCloexec(int fd) { ::fcntl(fd, F_SETFD, FD_CLOEXEC); }

// Splits one stream into lines for on_output_line.
struct LineSplitter {
  std::string partial;
  void Feed(std::string_view data, const std::function<void(std::string_view)>& cb) {
    if (!cb) return;
    while (!data.empty()) {
      size_t nl = data.find('\n');
      if (nl == std::string_view::npos) {
        partial.append(data);
        return;
      }
      partial.append(data.substr(0, nl));
      Emit(cb);
      data.remove_prefix(nl + 1);
    }
  }
  void Flush(const std::function<void(std::string_view)>& cb) {
    if (cb && !partial.empty()) Emit(cb);
  }
  void Emit(const std::function<void(std::string_view)>& cb) {
    std::string_view line = partial;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    cb(line);
    partial.clear();
  }
};

// One child's I/O, driven by a private io_context on the calling thread.
class Session {
 public:
  Session(const SubprocessOptions& o, SubprocessResult* r)
      : o_(o), r_(r), out_(io_), err_(io_), in_(io_), timer_(io_) {
    SetCloexec(out_.native_source());
    SetCloexec(out_.native_sink());
    SetCloexec(err_.native_source());
    SetCloexec(err_.native_sink());
    SetCloexec(in_.native_source());
    SetCloexec(in_.native_sink());
    if (o_.timeout.count() > 0) deadline_ = SteadyClock::now() + o_.timeout;
  }

  Status Run(const std::string& exe) {
    std::vector<std::string> remove = SecretEnvNamesToRemove(o_.secrets);
    remove.insert(remove.end(), o_.env_remove.begin(), o_.env_remove.end());
    std::vector<std::string> env_strings = BuildEnvironment(o_.env_overrides, remove);
    std::vector<char*> envp;
    for (std::string& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    ChildSetup setup;
    setup.envp = envp.data();
    ExecErrorPipe exec_error;
    if (!exec_error.ok()) return Status::IOError("starting " + o_.argv[0] + ": pipe: " + std::strerror(errno));
    setup.exec_error_fd = exec_error.write_fd();
    std::vector<std::string> args(o_.argv.begin() + 1, o_.argv.end());
    std::error_code ec;
    std::unique_ptr<bp::child> child;
    const bool feed = !o_.stdin_data.empty();
    if (feed) {
      child = Launch(exe, args, setup, bp::std_in < in_, ec);
    } else {
      in_.close();
      child = Launch(exe, args, setup, bp::std_in < bp::null, ec);
    }
    const int exec_errno = exec_error.Read();  // 0: the child exec'd (or never started)
    if (ec || !child || child->id() <= 0) {
      return Status::IOError("starting " + o_.argv[0] + ": " + (ec ? ec.message() : "unknown error"));
    }
    pid_ = child->id();
    child->detach();  // we reap it ourselves (waitpid), and never let ~child terminate it
    if (exec_errno != 0) {
      // Only when vfork ran as fork: Boost saw no failure. The child has _exit()ed or is about to.
      while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
      }
      return Status::IOError("starting " + o_.argv[0] + ": " + std::strerror(exec_errno));
    }
    ::setpgid(pid_, pid_);  // also from the parent, closing the race with the first kill
    Record();

    Read(out_, out_buf_, &r_->stdout_text, &r_->stdout_dropped, &out_lines_, &out_open_);
    Read(err_, err_buf_, &r_->stderr_text, &r_->stderr_dropped, &err_lines_, &err_open_);
    if (feed) {
      asio::async_write(in_, asio::buffer(o_.stdin_data), [this](const boost::system::error_code&, size_t) {
        boost::system::error_code ignored;
        in_.close(ignored);
      });
    }
    Tick();
    io_.run();
    Reap();
    if (!record_dir_.empty()) RemoveChildRecord(record_dir_, pid_);
    KeepTail(&r_->stdout_text, &r_->stdout_dropped, o_.max_captured_bytes);
    KeepTail(&r_->stderr_text, &r_->stderr_dropped, o_.max_captured_bytes);
    return Status::OK();
  }

 private:
  // Notes the child's group in the record directory, if one is set (SetSubprocessRecordDir).
  void Record() {
    record_dir_ = RecordDir();
    if (record_dir_.empty()) return;
    std::optional<ProcessInfo> info = ReadProcess(pid_);  // readable until reaped
    ChildRecord r{pid_, info ? info->start_time : 0, ::getsid(0), BootId(), ::getpid(),
                  o_.argv[0].substr(o_.argv[0].rfind('/') + 1)};
    Status written = info ? WriteChildRecord(record_dir_, r) : Status::NotFound("/proc has no process " + std::to_string(pid_));
    if (!written.ok()) {
      spdlog::warn("{} runs unrecorded: {} (were this run killed with SIGKILL, the next run could not stop it)",
                   o_.argv[0], written.message());
      record_dir_.clear();
    }
  }

  template <typename StdIn>
  std::unique_ptr<bp::child> Launch(const std::string& exe, const std::vector<std::string>& args,
                                    const ChildSetup& setup, StdIn&& in, std::error_code& ec) {
    // vfork, not fork: a fork copies the page tables of this multi-threaded process, and every
    // thread then takes copy-on-write faults (each a TLB shootdown on every core) until the child
    // execs — on a no-op run of 30 discovers that was a third of mirrorgraph's own CPU
    // (docs/benchmarks.md §2).
    ScopedAllSignalsBlocked blocked;
    try {
      if (o_.cwd.empty()) {
        return std::make_unique<bp::child>(bp::exe = exe, bp::args = args, std::forward<StdIn>(in),
                                           bp::std_out > out_, bp::std_err > err_, setup, bp::posix::use_vfork,
                                           ec);
      }
      return std::make_unique<bp::child>(bp::exe = exe, bp::args = args, std::forward<StdIn>(in),
                                         bp::std_out > out_, bp::std_err > err_, bp::start_dir = o_.cwd,
                                         setup, bp::posix::use_vfork, ec);
    } catch (const std::exception& e) {
      ec = std::make_error_code(std::errc::io_error);
      launch_error_ = e.what();
      return nullptr;
    }
  }

  // Cuts `text` to its last `max` bytes (0: no limit), counting what goes in *dropped.
  static void KeepTail(std::string* text, size_t* dropped, size_t max) {
    if (max == 0 || text->size() <= max) return;
    size_t cut = text->size() - max;
    text->erase(0, cut);
    *dropped += cut;
  }

  void Read(bp::async_pipe& pipe, std::array<char, 65536>& buf, std::string* sink, size_t* dropped,
            LineSplitter* lines, bool* open) {
    pipe.async_read_some(asio::buffer(buf), [this, &pipe, &buf, sink, dropped, lines, open](
                                                const boost::system::error_code& ec, size_t n) {
      if (n > 0) {
        sink->append(buf.data(), n);
        // Cut once the text is twice the limit: amortised O(1) per byte, at most 2x the memory.
        if (o_.max_captured_bytes > 0 && sink->size() > 2 * o_.max_captured_bytes) {
          KeepTail(sink, dropped, o_.max_captured_bytes);
        }
        lines->Feed(std::string_view(buf.data(), n), o_.on_output_line);
      }
      if (ec) {
        lines->Flush(o_.on_output_line);
        *open = false;
        boost::system::error_code ignored;
        pipe.close(ignored);
        // Both streams ended: stop the 20 ms tick now, so io_.run() returns at once instead of
        // at the timer's next expiry (that wait cost every subprocess ~20 ms).
        if (!out_open_ && !err_open_) timer_.cancel();
        return;
      }
      Read(pipe, buf, sink, dropped, lines, open);
    });
  }

  // Checks the deadline and the cancel flag every 20 ms while output is still flowing.
  void Tick() {
    if (!out_open_ && !err_open_) return;
    CheckStop();
    if (killed_ && SteadyClock::now() > drain_deadline_) {
      // A grandchild escaped the group and still holds the pipes: stop reading.
      boost::system::error_code ignored;
      out_.close(ignored);
      err_.close(ignored);
      in_.close(ignored);
      return;
    }
    timer_.expires_after(std::chrono::milliseconds(20));
    timer_.async_wait([this](const boost::system::error_code&) { Tick(); });
  }

  // On cancellation or timeout: SIGTERM to the group, then SIGKILL once the grace period is over
  // (or was skipped) and the child has not been reaped yet.
  void CheckStop() {
    if (killed_) return;
    if (!terminating_) {
      if (o_.cancel != nullptr && o_.cancel->load()) {
        r_->cancelled = true;
      } else if (deadline_ && SteadyClock::now() >= *deadline_) {
        r_->timed_out = true;
      } else {
        return;
      }
      terminating_ = true;
      kill_at_ = SteadyClock::now() + SubprocessStopGrace();
      ::kill(-pid_, SIGTERM);
      ::kill(pid_, SIGTERM);
    }
    if (SteadyClock::now() >= kill_at_ || SubprocessStopGraceSkipped()) Kill();
  }

  void Kill() {
    killed_ = true;
    r_->sigkilled = true;
    drain_deadline_ = SteadyClock::now() + std::chrono::seconds(2);
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
  }

  void Reap() {
    int status = 0;
    auto pause = std::chrono::milliseconds(1);
    while (true) {
      pid_t got = ::waitpid(pid_, &status, killed_ ? 0 : WNOHANG);
      if (got == pid_) break;
      if (got < 0 && errno != EINTR) {
        status = -1;
        break;
      }
      if (got == 0) {
        CheckStop();
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(50));
      }
    }
    if (status == -1) {
      r_->exit_code = -1;
    } else if (WIFEXITED(status)) {
      r_->exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      r_->term_signal = WTERMSIG(status);
      r_->exit_code = 128 + r_->term_signal;
    }
    if (killed_) {
      ::kill(-pid_, SIGKILL);  // stragglers of the group, if any
    } else if (terminating_) {
      // The leader ended after SIGTERM; the rest of its group gets the rest of the grace period.
      while (!LiveGroupMembers(pid_).empty()) {
        if (SteadyClock::now() >= kill_at_ || SubprocessStopGraceSkipped()) {
          r_->sigkilled = true;
          ::kill(-pid_, SIGKILL);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }

 public:
  std::string launch_error_;

 private:
  const SubprocessOptions& o_;
  SubprocessResult* r_;
  asio::io_context io_;
  bp::async_pipe out_, err_, in_;
  asio::steady_timer timer_;
  std::array<char, 65536> out_buf_{}, err_buf_{};
  LineSplitter out_lines_, err_lines_;
  bool out_open_ = true, err_open_ = true;
  std::optional<SteadyClock::time_point> deadline_;
  SteadyClock::time_point drain_deadline_{};
  SteadyClock::time_point kill_at_{};
  bool terminating_ = false;  // SIGTERM sent
  bool killed_ = false;       // SIGKILL sent
  pid_t pid_ = -1;
  std::string record_dir_;    // where this child's record is; empty: none
};

// A write to a pipe whose reader has exited raises SIGPIPE in the writing thread. Block it on
// this thread while feeding stdin and discard any that became pending, leaving the process-wide
// disposition alone.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~ScopedSigpipeBlock() {
    if (!was_pending_) {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGPIPE);
      struct timespec zero {};
      while (sigtimedwait(&set, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t old_;
  bool was_pending_ = false;
};

}  // namespace

Result<SubprocessResult> RunSubprocess(const SubprocessOptions& options) {
  if (options.argv.empty() || options.argv[0].empty()) {
    return Status::InvalidArgument("RunSubprocess: empty argv");
  }
  if (!options.cwd.empty()) {
    struct stat st;
    if (::stat(options.cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status::NotFound("working directory " + options.cwd + " does not exist (running " +
                              options.argv[0] + ")");
    }
  }
  Result<std::string> exe = ResolveProgram(options);
  if (!exe.ok()) return exe.status();
  try {
    SubprocessResult result;
    std::optional<ScopedSigpipeBlock> sigpipe;
    if (!options.stdin_data.empty()) sigpipe.emplace();
    Session session(options, &result);
    Status st = session.Run(*exe);
    if (!st.ok()) {
      if (!session.launch_error_.empty()) return Status::IOError(st.message() + " (" + session.launch_error_ + ")");
      return st;
    }
    return result;
  } catch (const std::exception& e) {
    return Status::IOError("running " + options.argv[0] + ": " + e.what());
  }
}

void SetSubprocessStopGrace(std::chrono::milliseconds grace) {
  g_stop_grace_ms.store(std::max<int64_t>(0, grace.count()));
}

std::chrono::milliseconds SubprocessStopGrace() { return std::chrono::milliseconds(g_stop_grace_ms.load()); }

void SkipSubprocessStopGrace() { g_grace_skipped.store(true); }

bool SubprocessStopGraceSkipped() { return g_grace_skipped.load(); }

std::string DescribeStopGrace(std::chrono::milliseconds grace) {
  if (grace.count() % 1000 == 0) return std::to_string(grace.count() / 1000) + " s";
  return std::to_string(grace.count()) + " ms";
}

void SetSubprocessRecordDir(std::string dir) {
  std::lock_guard<std::mutex> lock(g_record_mu);
  g_record_dir = std::move(dir);
}

std::string SubprocessResult::DroppedNote() const {
  size_t dropped = stdout_dropped + stderr_dropped;
  if (dropped == 0) return "";
  return " (the first " + std::to_string(dropped) + " bytes of its output are not shown)";
}

std::string TailLines(std::string_view text, size_t n) {
  if (n == 0) return {};
  size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;
  size_t pos = end;
  size_t count = 0;
  while (pos > 0) {
    if (text[pos - 1] == '\n' && ++count == n) break;
    --pos;
  }
  return std::string(text.substr(pos));
}

}  // namespace mg
