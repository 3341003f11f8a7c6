// Running external programs (git, buildah, docker, skopeo) with captured output.
//
// Programs are started from an argument vector, never through a shell. RunSubprocess() is
// thread-safe: many threads may run subprocesses at once; each call owns its own pipes and event
// loop, and every descriptor other than the child's stdin/stdout/stderr is closed at exec, so
// concurrent children never hold each other's pipes.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/secret_env.h"
#include "util/status.h"

namespace mg {

struct SubprocessOptions {
  // argv[0] is the program: searched in PATH (the PATH of env_overrides when it sets one, else
  // this process's) unless it contains a '/'. REQUIRES: non-empty.
  std::vector<std::string> argv;
  std::string cwd;  // empty: this process's working directory
  // The child's environment is this process's without the secret variables `secrets` may not
  // inherit (SecretEnvNamesToRemove, util/secret_env.h: by default those no child needs, the
  // forge tokens kept; kBuilder removes those too) and without the variables named in
  // env_remove, with env_overrides set on top.
  ChildKind secrets = ChildKind::kCredentialProgram;
  std::map<std::string, std::string> env_overrides;
  std::vector<std::string> env_remove;
  std::chrono::milliseconds timeout{0};  // 0 = none
  // When non-null and it becomes true, the child is killed. Must outlive the call.
  const std::atomic<bool>* cancel = nullptr;
  // Optional; called on the calling thread once per line of stdout and stderr as they arrive
  // (merged in arrival order; without the '\n' and a trailing '\r'; a final unterminated line
  // is delivered at EOF). It must not block for long: the child stalls meanwhile.
  std::function<void(std::string_view line)> on_output_line;
  std::string stdin_data;  // written to the child's stdin, which is then closed (empty: /dev/null)
  // Per stream: stdout_text and stderr_text keep only the last this many bytes (0: everything),
  // so a chatty child cannot exhaust memory. on_output_line still sees every line.
  static constexpr size_t kDefaultMaxCapturedBytes = size_t{1} << 20;
  size_t max_captured_bytes = kDefaultMaxCapturedBytes;
};

struct SubprocessResult {
  int exit_code = -1;      // the exit status, or 128 + signal number when killed by a signal
  int term_signal = 0;     // the signal that ended the child, 0 if it exited
  bool timed_out = false;  // stopped because `timeout` elapsed
  bool cancelled = false;  // stopped because `*cancel` became true
  bool sigkilled = false;  // the stop needed SIGKILL: the group outlived the grace period after SIGTERM
  std::string stdout_text;  // the last max_captured_bytes of stdout
  std::string stderr_text;  // the last max_captured_bytes of stderr
  size_t stdout_dropped = 0;  // bytes of stdout before stdout_text, not kept
  size_t stderr_dropped = 0;
  // "" when nothing was dropped, else " (the first N bytes of its output are not shown)".
  std::string DroppedNote() const;
};

// Starts the program, feeds stdin, drains stdout and stderr concurrently (no pipe deadlock), and
// waits for it. The child runs in its own process group. A timeout or cancellation stops that
// group: SIGTERM, then SIGKILL once the group has not ended within SubprocessStopGrace() (or at
// once after SkipSubprocessStopGrace()); the child is reaped, so no zombie is left behind. The
// kernel sends the child SIGTERM if this process dies first (PR_SET_PDEATHSIG); while a record
// directory is set, the child's group is recorded there so the next run can stop what outlived
// a kill -9 (util/child_records.h). A non-zero exit is not an error here: it is reported in the
// result.
// Errors: InvalidArgument (empty argv), NotFound (program not found, naming it and the PATH
// searched; or a missing cwd), IOError (pipe/fork/exec failures).
Result<SubprocessResult> RunSubprocess(const SubprocessOptions& options);

// The process-wide stop policy (signals are process-wide too). The grace period between SIGTERM
// and SIGKILL: default 10 s, 0 = SIGKILL at once; set once before subprocesses start ([engine]
// stop_grace). Thread-safe.
void SetSubprocessStopGrace(std::chrono::milliseconds grace);
std::chrono::milliseconds SubprocessStopGrace();
// Ends every grace period now and for the rest of the process (a second Ctrl-C): groups already
// sent SIGTERM, and those sent it later, get SIGKILL at once. Async-signal-safe.
void SkipSubprocessStopGrace();
bool SubprocessStopGraceSkipped();
// "10 s", "500 ms".
std::string DescribeStopGrace(std::chrono::milliseconds grace);

// From now on each child's process group is recorded in `dir` (which must exist) while it runs;
// "" stops recording. Set it while holding the state directory's lock, before starting
// subprocesses; clear it once they all ended. Thread-safe.
void SetSubprocessRecordDir(std::string dir);

// The last `n` lines of `text` (a trailing newline does not count as an extra empty line).
std::string TailLines(std::string_view text, size_t n);

}  // namespace mg
