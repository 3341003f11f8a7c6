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

#include "util/status.h"

namespace mg {

struct SubprocessOptions {
  // argv[0] is the program: searched in PATH (the PATH of env_overrides when it sets one, else
  // this process's) unless it contains a '/'. REQUIRES: non-empty.
  std::vector<std::string> argv;
  std::string cwd;  // empty: this process's working directory
  // Set on top of this process's environment.
  std::map<std::string, std::string> env_overrides;
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
  bool timed_out = false;  // killed because `timeout` elapsed
  bool cancelled = false;  // killed because `*cancel` became true
  std::string stdout_text;  // the last max_captured_bytes of stdout
  std::string stderr_text;  // the last max_captured_bytes of stderr
  size_t stdout_dropped = 0;  // bytes of stdout before stdout_text, not kept
  size_t stderr_dropped = 0;
  // "" when nothing was dropped, else " (the first N bytes of its output are not shown)".
  std::string DroppedNote() const;
};

// Starts the program, feeds stdin, drains stdout and stderr concurrently (no pipe deadlock), and
// waits for it. The child is SIGKILLed by the kernel if this process dies first (PR_SET_PDEATHSIG). The child runs in its own process group; a timeout or cancellation sends SIGKILL
// to that whole group and reaps the child, so no zombie is left behind. A non-zero exit is not an
// error here: it is reported in the result.
// Errors: InvalidArgument (empty argv), NotFound (program not found, naming it and the PATH
// searched; or a missing cwd), IOError (pipe/fork/exec failures).
Result<SubprocessResult> RunSubprocess(const SubprocessOptions& options);

// The last `n` lines of `text` (a trailing newline does not count as an extra empty line).
std::string TailLines(std::string_view text, size_t n);

}  // namespace mg
