// mirrorgraph: mirror upstream applications as signed multi-arch images (README.md).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/attest_commands.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "util/huge_page_heap.h"
#include "util/subprocess.h"

namespace {

// The first stop signal received (SIGINT, SIGTERM or SIGHUP); 0 while none.
std::atomic<int> g_interrupt{0};
std::atomic<int> g_signals_seen{0};
static_assert(std::atomic<int>::is_always_lock_free);

void Say(const char* text) {
  size_t n = std::strlen(text);
  while (n > 0) {
    ssize_t w = ::write(STDERR_FILENO, text, n);
    if (w <= 0) return;
    text += w;
    n -= static_cast<size_t>(w);
  }
}

// Async-signal-safe. The first signal stops the run gracefully: no task starts any more, running
// subprocess groups get SIGTERM, then SIGKILL after [engine] stop_grace; the exit code is 128 + the
// signal. The second skips what is left of the grace period. The third ends the process at once.
extern "C" void OnStopSignal(int sig) {
  const int saved_errno = errno;  // the interrupted code may be about to read it
  int seen = g_signals_seen.fetch_add(1) + 1;
  int none = 0;
  g_interrupt.compare_exchange_strong(none, sig);
  if (seen == 1) {
    Say("\nmirrorgraph: stopping: no new tasks; running processes get SIGTERM, then SIGKILL after the grace "
        "period ([engine] stop_grace); interrupt again to kill them now\n");
  } else if (seen == 2) {
    mg::SkipSubprocessStopGrace();
    Say("\nmirrorgraph: killing running processes now; interrupt again to exit at once\n");
  } else {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(sig, &dfl, nullptr);
    ::raise(sig);
  }
  errno = saved_errno;
}

void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
}

// Engine diagnostics (HTTP retries, backoff, auth challenges) go to stderr, never stdout (which
// carries `graph --dot` and plan output), at the level MIRRORGRAPH_LOG names (default: warn).
void SetUpLogging() {
  auto logger = spdlog::stderr_logger_mt("mirrorgraph");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  const char* level = std::getenv("MIRRORGRAPH_LOG");
  spdlog::set_level(level != nullptr ? spdlog::level::from_str(level) : spdlog::level::warn);
}

}  // namespace

int main(int argc, char** argv) {
  mg::CliOptions options;
  int code = mg::ParseCli(argc, argv, &options);
  if (code == -1) return mg::kExitOk;
  if (code != mg::kExitOk) return code;
  const std::string& c = options.command;
  // The commands that hold a whole graph, its cache and run state run with the heap on huge pages
  // when that graph is large (util/huge_page_heap.h): this re-executes the process once, before
  // any thread starts. Large: the state directory's cache.log is; the config is not read yet, so
  // its engine.state_dir is not known here (MIRRORGRAPH_HUGE_PAGES=1 asks for the heap then).
  bool huge_pages = false;
  if (c == "run" || c == "plan" || c == "explain" || c == "graph" || c == "status") {
    const std::string state_dir =
        !options.state_dir.empty()
            ? options.state_dir
            : (std::filesystem::path(options.config).parent_path() / ".mirrorgraph").string();
    huge_pages = mg::ReexecWithHugePageHeap(argv, mg::LargeStateExpected(state_dir));
  }
  SetUpLogging();
  if (huge_pages) spdlog::debug("heap on transparent huge pages (glibc.malloc.hugetlb=1, re-executed once)");
  // The commands that stop gracefully; the others end at the first signal, as by default.
  if (c == "run" || c == "plan" || c == "explain" || c == "verify" || c == "prune") InstallStopHandlers();
  try {
    if (c == "run" || c == "plan") return mg::RunCommand(options, &g_interrupt);
    if (c == "graph") return mg::GraphCommand(options);
    if (c == "explain") return mg::ExplainCommand(options, &g_interrupt);
    if (c == "status") return mg::StatusCommand(options);
    if (c == "plugins") return mg::PluginsCommand(options);
    if (c == "keygen") return mg::KeygenCommand(options);
    if (c == "verify") return mg::VerifyCommand(options, &g_interrupt);
    if (c == "ci") return mg::CiCommand(options);
    if (c == "prune") return mg::PruneCommand(options, &g_interrupt);
  } catch (const std::exception& e) {
    // Engine code returns Status values; this is the last line of defence, not a code path.
    std::cerr << "mirrorgraph: internal error: " << e.what() << " (please report it)\n";
    return mg::kExitTaskFailed;
  }
  return mg::kExitUsage;
}
