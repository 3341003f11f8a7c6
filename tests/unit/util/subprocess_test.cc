#include "util/subprocess.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "unit/util/secret_canaries.h"
#include "unit/util/temp_dir.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using Ms = std::chrono::milliseconds;

mg::SubprocessResult MustRun(mg::SubprocessOptions o) {
  mg::Result<mg::SubprocessResult> r = mg::RunSubprocess(o);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

mg::SubprocessOptions Sh(const std::string& script) {
  mg::SubprocessOptions o;
  o.argv = {"sh", "-c", script};
  return o;
}

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// True when `pid` no longer runs (gone or a zombie awaiting its new parent).
bool ProcessGone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string line;
  std::getline(stat, line);
  size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

}  // namespace

BOOST_AUTO_TEST_SUITE(subprocess_test)

BOOST_AUTO_TEST_CASE(exit_codes) {
  BOOST_TEST(MustRun(Sh("exit 0")).exit_code == 0);
  BOOST_TEST(MustRun(Sh("exit 3")).exit_code == 3);
  mg::SubprocessResult r = MustRun(Sh("kill -TERM $$"));
  BOOST_TEST(r.term_signal == SIGTERM);
  BOOST_TEST(r.exit_code == 128 + SIGTERM);
  BOOST_TEST(!r.timed_out);
  BOOST_TEST(!r.cancelled);
}

BOOST_AUTO_TEST_CASE(captures_both_streams_separately) {
  mg::SubprocessResult r = MustRun(Sh("echo out; echo err >&2; printf tail"));
  BOOST_TEST(r.stdout_text == "out\ntail");
  BOOST_TEST(r.stderr_text == "err\n");
}

BOOST_AUTO_TEST_CASE(arguments_are_not_shell_interpreted) {
  mg::SubprocessOptions o;
  o.argv = {"printf", "%s|", "a b", "$HOME", "*", "'q'"};
  BOOST_TEST(MustRun(o).stdout_text == "a b|$HOME|*|'q'|");
}

// 2 MB on each stream, stderr first: a reader that drained stdout before stderr would deadlock.
BOOST_AUTO_TEST_CASE(large_output_on_both_streams) {
  mg::SubprocessOptions o = Sh(
      "head -c 1048576 /dev/zero | tr '\\0' e >&2; head -c 2097152 /dev/zero | tr '\\0' o; "
      "head -c 1048576 /dev/zero | tr '\\0' e >&2");
  o.timeout = Ms(120000);
  o.max_captured_bytes = 0;  // everything
  mg::SubprocessResult r = MustRun(o);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(!r.timed_out);
  BOOST_TEST(r.stdout_text.size() == 2097152u);
  BOOST_TEST(r.stderr_text.size() == 2097152u);
  BOOST_TEST(r.stdout_text.find_first_not_of('o') == std::string::npos);
  BOOST_TEST(r.stderr_text.find_first_not_of('e') == std::string::npos);
}

// Finding 12: captured output is bounded (the last max_captured_bytes per stream, with a count of
// what was dropped); the line callback still sees all of it.
BOOST_AUTO_TEST_CASE(captured_output_keeps_a_bounded_tail) {
  mg::SubprocessOptions o = Sh(
      "head -c 5000000 /dev/zero | tr '\\0' o; echo; echo LAST-OUT; "
      "head -c 3000000 /dev/zero | tr '\\0' e >&2; echo >&2; echo LAST-ERR >&2");
  o.timeout = Ms(120000);
  size_t seen = 0;
  o.on_output_line = [&seen](std::string_view line) { seen += line.size() + 1; };
  mg::SubprocessResult r = MustRun(o);
  BOOST_TEST(r.exit_code == 0);
  const size_t out_total = 5000000 + 1 + 9, err_total = 3000000 + 1 + 9;
  const size_t max = mg::SubprocessOptions::kDefaultMaxCapturedBytes;
  BOOST_TEST(r.stdout_text.size() == max);
  BOOST_TEST(r.stderr_text.size() == max);
  BOOST_TEST(r.stdout_dropped == out_total - max);
  BOOST_TEST(r.stderr_dropped == err_total - max);
  BOOST_TEST((mg::TailLines(r.stdout_text, 1) == "LAST-OUT\n"));  // (not printed: a megabyte)
  BOOST_TEST((mg::TailLines(r.stderr_text, 1) == "LAST-ERR\n"));
  BOOST_TEST(r.DroppedNote().find(std::to_string(out_total + err_total - 2 * max)) != std::string::npos,
             r.DroppedNote());
  BOOST_TEST(seen == out_total + err_total);  // every line reached the callback (the task log)

  o.max_captured_bytes = 1000;
  r = MustRun(o);
  BOOST_TEST(r.stdout_text.size() == 1000u);
  BOOST_TEST(r.stdout_dropped == out_total - 1000);
}

BOOST_AUTO_TEST_CASE(timeout_kills_quickly) {
  mg::SubprocessOptions o;
  o.argv = {"sleep", "30"};
  o.timeout = Ms(300);
  auto start = std::chrono::steady_clock::now();
  mg::SubprocessResult r = MustRun(o);
  double took = SecondsSince(start);
  BOOST_TEST_MESSAGE("sleep 30 with a 300 ms timeout took " << took << " s");
  BOOST_TEST(r.timed_out);
  BOOST_TEST(!r.cancelled);
  BOOST_TEST(r.term_signal == SIGTERM);  // asked to stop first; sleep does
  BOOST_TEST(!r.sigkilled);
  BOOST_TEST(took < 10.0);
}

// The background grandchild holds stdout open; the group kill must end it too.
BOOST_AUTO_TEST_CASE(timeout_kills_the_process_group) {
  mg::SubprocessOptions o = Sh("sleep 30 & echo $!; wait");
  o.timeout = Ms(500);
  auto start = std::chrono::steady_clock::now();
  mg::SubprocessResult r = MustRun(o);
  double took = SecondsSince(start);
  BOOST_TEST(r.timed_out);
  BOOST_TEST(took < 10.0);
  pid_t grandchild = std::stoi(r.stdout_text);
  BOOST_REQUIRE(grandchild > 0);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = ProcessGone(grandchild);
    if (!gone) std::this_thread::sleep_for(Ms(50));
  }
  BOOST_TEST(gone);
}

BOOST_AUTO_TEST_CASE(cancel_flag_kills) {
  std::atomic<bool> cancel{false};
  mg::SubprocessOptions o;
  o.argv = {"sleep", "30"};
  o.cancel = &cancel;
  std::thread setter([&] {
    std::this_thread::sleep_for(Ms(300));
    cancel = true;
  });
  auto start = std::chrono::steady_clock::now();
  mg::Result<mg::SubprocessResult> r = mg::RunSubprocess(o);
  double took = SecondsSince(start);
  setter.join();
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->cancelled);
  BOOST_TEST(!r->timed_out);
  BOOST_TEST(took < 10.0);
}

BOOST_AUTO_TEST_CASE(cancel_already_set_never_lets_it_run) {
  std::atomic<bool> cancel{true};
  mg::SubprocessOptions o;
  o.argv = {"sleep", "30"};
  o.cancel = &cancel;
  mg::SubprocessResult r = MustRun(o);
  BOOST_TEST(r.cancelled);
  BOOST_TEST(r.exit_code != 0);
}

BOOST_AUTO_TEST_CASE(missing_executable_is_named) {
  mg::SubprocessOptions o;
  o.argv = {"mg-no-such-program-4711", "--version"};
  mg::Result<mg::SubprocessResult> r = mg::RunSubprocess(o);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kNotFound));
  BOOST_TEST(r.status().message().find("mg-no-such-program-4711") != std::string::npos);

  o.argv = {"/nonexistent/dir/tool"};
  r = mg::RunSubprocess(o);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.status().message().find("/nonexistent/dir/tool") != std::string::npos);

  o.argv = {};
  BOOST_TEST((mg::RunSubprocess(o).status().code() == mg::Status::Code::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(env_overrides_and_cwd) {
  mg::testing::TempDir dir;
  mg::SubprocessOptions o = Sh("printf '%s|%s|%s|' \"$MG_TEST_VALUE\" \"$HOME\" \"$(env | grep -c '^HOME=')\"; pwd");
  o.env_overrides = {{"MG_TEST_VALUE", "hello world"}, {"HOME", "/mg-home"}};
  o.cwd = dir.path();
  mg::SubprocessResult r = MustRun(o);
  BOOST_TEST(r.stdout_text == "hello world|/mg-home|1|" + dir.path() + "\n");
  BOOST_TEST(::getenv("MG_TEST_VALUE") == nullptr);  // our own environment is untouched
}

BOOST_AUTO_TEST_CASE(environment_is_inherited) {
  ::setenv("MG_INHERITED_FOR_TEST", "from parent", 1);
  mg::SubprocessResult r = MustRun(Sh("printf %s \"$MG_INHERITED_FOR_TEST\""));
  ::unsetenv("MG_INHERITED_FOR_TEST");
  BOOST_TEST(r.stdout_text == "from parent");
}

// A real child sees none of the secret values its kind may not inherit — by default (no kind said)
// only the forge tokens reach it; a builder gets none — while the rest of the environment,
// env_remove's removals and env_overrides (which win over env_remove) apply as well.
BOOST_AUTO_TEST_CASE(env_remove_keeps_the_secrets_from_a_real_child) {
  using mg::testing::SecretCanaries;
  SecretCanaries canaries;
  mg::SubprocessOptions o;
  o.argv = {"/usr/bin/env"};
  std::string env = MustRun(o).stdout_text;
  BOOST_TEST(SecretCanaries::CheckChildEnv(env, mg::ChildKind::kCredentialProgram) == "");
  // The default keeps the forge tokens (a user's credential helper may read them).
  BOOST_TEST(SecretCanaries::CheckChildEnv(env, mg::ChildKind::kBuilder) != "");
  o.secrets = mg::ChildKind::kBuilder;
  o.env_remove = {"MG_TEST_VALUE", "HOME"};
  o.env_overrides = {{"MG_TEST_VALUE", "overridden"}};
  env = MustRun(o).stdout_text;
  BOOST_TEST(SecretCanaries::CheckChildEnv(env, mg::ChildKind::kBuilder) == "");
  BOOST_TEST(env.find("\nMG_TEST_VALUE=overridden\n") != std::string::npos);
  BOOST_TEST(env.find("\nHOME=") == std::string::npos);
  BOOST_TEST(env.find("\nPATH=") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(path_override_is_used_for_the_search) {
  mg::testing::TempDir dir;
  {
    std::ofstream tool(dir / "mg-fake-tool");
    tool << "#!/bin/sh\necho fake \"$@\"\n";
  }
  ::chmod((dir / "mg-fake-tool").c_str(), 0755);
  mg::SubprocessOptions o;
  o.argv = {"mg-fake-tool", "x"};
  o.env_overrides = {{"PATH", dir.path() + ":/usr/bin:/bin"}};
  BOOST_TEST(MustRun(o).stdout_text == "fake x\n");
}

// A relative PATH entry names a directory of this process's, also when the child runs elsewhere.
BOOST_AUTO_TEST_CASE(a_relative_path_entry_is_searched_from_here_when_the_child_runs_elsewhere) {
  mg::testing::TempDir dir, elsewhere;
  const std::string bin = dir / "bin";
  std::filesystem::create_directories(bin);
  {
    std::ofstream tool(bin + "/mg-fake-tool");
    tool << "#!/bin/sh\necho fake \"$@\" in \"$(pwd)\"\n";
  }
  ::chmod((bin + "/mg-fake-tool").c_str(), 0755);
  const std::string relative = std::filesystem::relative(bin).string();
  BOOST_TEST_REQUIRE(!relative.empty());
  BOOST_TEST_REQUIRE(relative[0] != '/');
  // Deeper than this process's directory, so the relative entry does not lead to `bin` from there
  // too (its leading ".." would stop at / and come down the same way).
  const std::string deep = elsewhere.path() + "/a/b/c/d/e/f/g/h";
  std::filesystem::create_directories(deep);
  mg::SubprocessOptions o;
  o.argv = {"mg-fake-tool", "x"};
  o.env_overrides = {{"PATH", relative + ":/usr/bin:/bin"}};
  o.cwd = deep;
  BOOST_TEST(MustRun(o).stdout_text == "fake x in " + deep + "\n");
}

// Executable bit but not a program: execve fails in the child, which must still be reaped.
BOOST_AUTO_TEST_CASE(exec_failure_is_an_error_and_leaves_no_zombie) {
  mg::testing::TempDir dir;
  {
    std::ofstream junk(dir / "not-a-program");
    junk << std::string(64, '\x7f');
  }
  ::chmod((dir / "not-a-program").c_str(), 0755);
  mg::SubprocessOptions o;
  o.argv = {dir / "not-a-program"};
  mg::Result<mg::SubprocessResult> r = mg::RunSubprocess(o);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kIOError));
  BOOST_TEST(r.status().message().find("not-a-program") != std::string::npos);
  int status = 0;
  BOOST_TEST(::waitpid(-1, &status, WNOHANG) == -1);  // no child left, not even a zombie
  BOOST_TEST(errno == ECHILD);
}

BOOST_AUTO_TEST_CASE(missing_cwd_is_an_error) {
  mg::SubprocessOptions o;
  o.argv = {"true"};
  o.cwd = "/nonexistent/mg-dir";
  mg::Result<mg::SubprocessResult> r = mg::RunSubprocess(o);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.status().message().find("/nonexistent/mg-dir") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stdin_is_fed_and_closed) {
  std::string input;
  for (int i = 0; i < 50000; ++i) input += std::to_string(i) + "\n";
  mg::SubprocessOptions o;
  o.argv = {"cat"};
  o.stdin_data = input;
  o.timeout = Ms(60000);
  mg::SubprocessResult r = MustRun(o);
  BOOST_TEST(!r.timed_out);
  BOOST_TEST(r.stdout_text == input);
}

BOOST_AUTO_TEST_CASE(stdin_to_a_child_that_does_not_read_is_harmless) {
  mg::SubprocessOptions o;
  o.argv = {"true"};
  o.stdin_data = std::string(4 << 20, 'x');  // far more than a pipe buffer
  mg::SubprocessResult r = MustRun(o);
  BOOST_TEST(r.exit_code == 0);
}

BOOST_AUTO_TEST_CASE(no_stdin_means_eof) {
  mg::SubprocessOptions o;
  o.argv = {"cat"};
  o.timeout = Ms(60000);
  mg::SubprocessResult r = MustRun(o);
  BOOST_TEST(!r.timed_out);
  BOOST_TEST(r.stdout_text.empty());
}

BOOST_AUTO_TEST_CASE(output_lines_callback) {
  std::vector<std::string> lines;
  mg::SubprocessOptions o = Sh("echo one; echo two >&2; printf 'three\\r\\n'; printf four");
  o.on_output_line = [&](std::string_view line) { lines.emplace_back(line); };
  mg::SubprocessResult r = MustRun(o);
  std::sort(lines.begin(), lines.end());
  std::vector<std::string> expected = {"four", "one", "three", "two"};
  BOOST_TEST(lines == expected, boost::test_tools::per_element());
  BOOST_TEST(r.stdout_text == "one\nthree\r\nfour");  // capture is unchanged by the callback
}

// Many threads at once, each feeding `cat`: a pipe leaked into a sibling child would keep some
// cat from seeing EOF and the run would time out.
BOOST_AUTO_TEST_CASE(concurrent_calls) {
  constexpr int kThreads = 8, kRuns = 6;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &good] {
      for (int i = 0; i < kRuns; ++i) {
        mg::SubprocessOptions o;
        o.argv = {"cat"};
        o.stdin_data = "thread " + std::to_string(t) + " run " + std::to_string(i) + "\n";
        o.timeout = Ms(60000);
        mg::Result<mg::SubprocessResult> r = mg::RunSubprocess(o);
        if (r.ok() && !r->timed_out && r->exit_code == 0 && r->stdout_text == o.stdin_data) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  BOOST_TEST(good.load() == kThreads * kRuns);
}

// The child starts with no signal blocked and SIGPIPE at its default, whatever the launching
// thread blocks or this process ignores, and the launch (which blocks every signal around its
// vfork) leaves the launching thread's mask as it found it. The child's side is a regression
// guard: exec resets caught handlers anyway, so it cannot show the reset before exec.
BOOST_AUTO_TEST_CASE(child_signal_state_is_clean) {
  struct sigaction ignore {}, old_pipe {};
  ignore.sa_handler = SIG_IGN;
  BOOST_REQUIRE(::sigaction(SIGPIPE, &ignore, &old_pipe) == 0);
  sigset_t block, old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGUSR1);
  BOOST_REQUIRE(pthread_sigmask(SIG_BLOCK, &block, &old_mask) == 0);
  mg::SubprocessOptions o;
  o.argv = {"cat", "/proc/self/status"};
  mg::SubprocessResult r = MustRun(o);
  // The launching thread's own mask is back as it was: what it blocked, and nothing more.
  sigset_t now;
  pthread_sigmask(SIG_SETMASK, nullptr, &now);
  BOOST_TEST(sigismember(&now, SIGTERM) == 1);
  BOOST_TEST(sigismember(&now, SIGINT) == sigismember(&old_mask, SIGINT));
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGPIPE, &old_pipe, nullptr);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.stdout_text.find("\nSigBlk:\t0000000000000000\n") != std::string::npos, r.stdout_text);
  size_t ign = r.stdout_text.find("\nSigIgn:\t");
  BOOST_REQUIRE(ign != std::string::npos);
  const unsigned long long ignored = std::stoull(r.stdout_text.substr(ign + 9, 16), nullptr, 16);
  BOOST_TEST((ignored & (1ULL << (SIGPIPE - 1))) == 0ULL);
}

// Children start from one thread while others allocate and free without pause: the launch
// shares memory with the child until it execs, so it must not touch the allocator there. A
// regression guard (an allocation there need not deadlock, so it cannot prove there is none).
BOOST_AUTO_TEST_CASE(launches_beside_allocating_threads) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> churn;
  for (int t = 0; t < 3; ++t) {
    churn.emplace_back([&stop] {
      while (!stop.load()) {
        std::vector<std::string> v;
        for (int i = 0; i < 64; ++i) v.emplace_back(200 + i, 'x');
      }
    });
  }
  int good = 0;
  for (int i = 0; i < 60; ++i) {
    mg::SubprocessOptions o;
    o.argv = {"echo", std::to_string(i)};
    o.timeout = Ms(60000);
    mg::Result<mg::SubprocessResult> r = mg::RunSubprocess(o);
    if (r.ok() && r->exit_code == 0 && r->stdout_text == std::to_string(i) + "\n") ++good;
  }
  stop = true;
  for (auto& th : churn) th.join();
  BOOST_TEST(good == 60);
}

// A cancelled child is asked first: SIGTERM to its group, which it may handle (buildah unmounts).
BOOST_AUTO_TEST_CASE(cancel_sends_sigterm_first) {
  mg::testing::TempDir dir;
  std::atomic<bool> cancel{false};
  mg::SubprocessOptions o = Sh("trap 'echo got-term > " + dir.path() + "/marker; exit 3' TERM; echo ready; sleep 600 & wait");
  o.cancel = &cancel;
  o.on_output_line = [&](std::string_view line) {
    if (line == "ready") cancel = true;
  };
  mg::SubprocessResult r = MustRun(o);
  BOOST_TEST(r.cancelled);
  BOOST_TEST(!r.sigkilled);
  BOOST_TEST(r.exit_code == 3);
  std::ifstream marker(dir.path() + "/marker");
  std::string text;
  std::getline(marker, text);
  BOOST_TEST(text == "got-term");
}

// A group that ignores SIGTERM gets SIGKILL once the grace period is over, grandchildren too.
BOOST_AUTO_TEST_CASE(a_child_ignoring_sigterm_is_killed_after_the_grace_period) {
  mg::SetSubprocessStopGrace(Ms(300));
  std::atomic<bool> cancel{false};
  mg::SubprocessOptions o = Sh("trap '' TERM; sleep 600 & echo $!; wait");
  o.cancel = &cancel;
  pid_t grandchild = 0;
  o.on_output_line = [&](std::string_view line) {
    grandchild = std::stoi(std::string(line));
    cancel = true;
  };
  mg::SubprocessResult r = MustRun(o);
  mg::SetSubprocessStopGrace(std::chrono::seconds(10));
  BOOST_TEST(r.cancelled);
  BOOST_TEST(r.sigkilled);
  BOOST_TEST(r.term_signal == SIGKILL);
  BOOST_REQUIRE(grandchild > 0);
  bool gone = false;
  for (int i = 0; i < 400 && !gone; ++i) {
    gone = ProcessGone(grandchild);
    if (!gone) std::this_thread::sleep_for(Ms(50));
  }
  BOOST_TEST(gone);
}

// While a record directory is set, each child's group is recorded there until it is reaped.
BOOST_AUTO_TEST_CASE(children_are_recorded_while_they_run) {
  mg::testing::TempDir dir;
  mg::SetSubprocessRecordDir(dir.path());
  // The parent writes the record right after the fork: the child waits (bounded) until it is there.
  const std::string rec = dir.path() + "/$$";
  mg::SubprocessResult r = MustRun(
      Sh("echo $$; i=0; while [ ! -s " + rec + " ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done; cat " + rec));
  mg::SetSubprocessRecordDir("");
  BOOST_TEST(r.exit_code == 0, r.stderr_text);
  // "pgid start_time session boot_id owner_pid program": the child leads its group.
  std::string pid = r.stdout_text.substr(0, r.stdout_text.find('\n'));
  BOOST_TEST(r.stdout_text.find("\n" + pid + " ") != std::string::npos, r.stdout_text);
  BOOST_TEST(r.stdout_text.find(" " + std::to_string(::getpid()) + " sh\n") != std::string::npos, r.stdout_text);
  BOOST_TEST(std::filesystem::is_empty(dir.path()));
  // Not recording any more.
  mg::SubprocessResult after = MustRun(Sh("ls " + dir.path()));
  BOOST_TEST(after.stdout_text == "");
}

BOOST_AUTO_TEST_CASE(tail_lines) {
  BOOST_TEST(mg::TailLines("a\nb\nc\n", 2) == "b\nc\n");
  BOOST_TEST(mg::TailLines("a\nb\nc", 2) == "b\nc");
  BOOST_TEST(mg::TailLines("a\nb\nc\n", 10) == "a\nb\nc\n");
  BOOST_TEST(mg::TailLines("a\nb\nc\n", 0) == "");
  BOOST_TEST(mg::TailLines("", 3) == "");
  BOOST_TEST(mg::TailLines("single", 1) == "single");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
