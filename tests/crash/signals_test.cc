// Signals reach the builders, and a killed run's builders do not outlive the next run's start.
//
// A `buildah` wrapper first on PATH stands in for `buildah bud` while <ws>/mode exists (every other
// buildah call, and every call once the file is gone, runs the real /usr/bin/buildah). It starts a
// grandchild `sleep 600`, writes "<its pid> <sleep's pid>" to <ws>/pids, and waits for the sleep:
//   mode "exit-on-term":  on SIGTERM it appends "TERM exit <pid>" to <ws>/term.log and exits;
//   mode "ignore-term":   on SIGTERM it appends "TERM ignored <pid>" and goes on waiting, and the
//                         sleep ignores SIGTERM, so only SIGKILL ends them.
// Checked: SIGINT, SIGTERM and SIGHUP to `mirrorgraph run` give the builder SIGTERM (its marker),
// the run exits 128 + the signal with its journal finished, and the rerun completes; a builder that
// ignores SIGTERM is SIGKILLed after [engine] stop_grace; after kill -9 of mirrorgraph the rerun
// stops the builder and its grandchild before it goes on, and completes.
// Nothing here asserts a duration: the test polls for observable events with generous limits.
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli_fixture.h"
#include "util/process_table.h"
#include "util/strings.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::ReadFile;

namespace {

using Clock = std::chrono::steady_clock;

// A process the wrapper started, identified by pid and start time (so a recycled pid never
// counts as it).
struct Watched {
  pid_t pid = 0;
  uint64_t start_time = 0;
  bool Gone() const {
    auto p = mg::ReadProcess(pid);
    return !p || !p->live() || p->start_time != start_time;
  }
};

bool WaitFor(const std::function<bool()>& done, std::chrono::seconds limit) {
  auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

void InstallWrapper(CliWorkspace& ws) {
  fs::path bin = ws.dir() / "bin";
  fs::create_directories(bin);
  const std::string d = ws.dir().string();
  std::ofstream out(bin / "buildah");
  out << "#!/bin/sh\n"
         "bud=0\n"
         "for a in \"$@\"; do [ \"$a\" = bud ] && bud=1; done\n"
         "if [ $bud = 0 ] || [ ! -e " << d << "/mode ]; then exec /usr/bin/buildah \"$@\"; fi\n"
         "if [ \"$(cat " << d << "/mode)\" = ignore-term ]; then\n"
         "  trap 'echo \"TERM ignored $$\" >> " << d << "/term.log' TERM\n"
         "  (trap '' TERM; exec sleep 600) &\n"
         "else\n"
         "  trap 'echo \"TERM exit $$\" >> " << d << "/term.log; kill $child 2>/dev/null; exit 143' TERM\n"
         "  sleep 600 &\n"
         "fi\n"
         "child=$!\n"
         "echo \"$$ $child\" > " << d << "/pids.tmp && mv " << d << "/pids.tmp " << d << "/pids\n"
         "while kill -0 $child 2>/dev/null; do wait $child; done\n"
         "exit 1\n";
  out.close();
  fs::permissions(bin / "buildah", fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  ws.env()["PATH"] = bin.string() + ":" + std::getenv("PATH");
}

struct Scenario {
  CliWorkspace ws;
  Watched wrapper, grandchild;

  // One app, one version, one platform, no attestations; `engine` goes into an [engine] table.
  explicit Scenario(const std::string& ns, const std::string& mode, const std::string& engine = "") {
    std::map<std::string, std::string> files = {
        {"hello.txt", "hello from @TAG@\n"},
        {"Dockerfile", "FROM scratch\nCOPY hello.txt /hello.txt\n"}};
    auto url = ws.MakeUpstream("hello", {"v1.0.0"}, files);
    BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
    InstallWrapper(ws);
    std::ofstream(ws.dir() / "mode") << mode;
    ws.WriteConfig({.registry_host = mg::testing::SharedPlainRegistry().host(),
                    .ns = ns,
                    .apps = {{.name = "hello", .url = *url, .extra = "platforms = [\"linux/amd64\"]\n"}},
                    .extra = "\n[attestations]\nsbom = false\nsign = false\nprovenance = false\n" +
                             (engine.empty() ? std::string() : "\n[engine]\n" + engine)});
  }

  ~Scenario() {
    // Whatever a failed check left behind.
    for (const Watched* w : {&wrapper, &grandchild}) {
      if (w->pid > 0 && !w->Gone()) ::kill(w->pid, SIGKILL);
    }
  }

  // Starts `mirrorgraph run` and waits until the wrapper's bud and its sleep run.
  std::unique_ptr<mg::testing::BackgroundProcess> StartAndWaitForBuilder(const std::string& name) {
    auto p = ws.Start({"run", "-j", "2", "--json", name + ".json"}, name);
    BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
    int code = 0;
    bool started = WaitFor([&] { return fs::exists(ws.dir() / "pids") || (*p)->Poll(&code); }, std::chrono::minutes(5));
    BOOST_REQUIRE_MESSAGE(started && fs::exists(ws.dir() / "pids"),
                          "the builder never started: " << ReadFile(ws.dir() / (name + ".err")));
    std::istringstream in(ReadFile(ws.dir() / "pids"));
    in >> wrapper.pid >> grandchild.pid;
    BOOST_REQUIRE(wrapper.pid > 0 && grandchild.pid > 0);
    for (Watched* w : {&wrapper, &grandchild}) {
      auto id = mg::ReadProcess(w->pid);
      BOOST_REQUIRE_MESSAGE(id.has_value(), "pid " << w->pid << " ended before it was looked at");
      w->start_time = id->start_time;
    }
    return std::move(p.value());
  }

  std::string TermLog() const { return ReadFile(ws.dir() / "term.log"); }

  // Without the mode file the wrapper runs the real buildah: the rerun must build and exit 0.
  void RerunCompletes() {
    fs::remove(ws.dir() / "mode");
    auto r = ws.Run({"run", "-j", "2", "--json", "rerun.json"}, std::chrono::minutes(10));
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.Describe());
    BOOST_TEST(mg::testing::TaskStatusOf(ws.ReadJson("rerun.json"), "build:hello@1.0.0/linux/amd64") == "ran");
  }
};

// SIGINT/SIGTERM/SIGHUP: the builder gets SIGTERM, the run exits 128 + N with its journal ended.
void SignalStopsTheBuilderGracefully(int sig, const std::string& ns) {
  Scenario s(ns, "exit-on-term");
  auto p = s.StartAndWaitForBuilder("signalled");
  p->Signal(sig);
  auto code = p->Wait(std::chrono::minutes(3));
  BOOST_REQUIRE_MESSAGE(code.has_value(), "mirrorgraph did not stop after signal " << sig);
  BOOST_TEST(*code == 128 + sig, ReadFile(s.ws.dir() / "signalled.err"));
  BOOST_TEST(s.TermLog().find("TERM exit " + std::to_string(s.wrapper.pid)) != std::string::npos,
             "the builder never got SIGTERM; term.log: " << s.TermLog());
  BOOST_TEST(WaitFor([&] { return s.wrapper.Gone() && s.grandchild.Gone(); }, std::chrono::minutes(1)));
  // The journal was ended, with the exit code.
  auto status = s.ws.Run({"status"});
  BOOST_TEST(status.exit_code == 0, status.Describe());
  BOOST_TEST(status.out.find("finished: no") == std::string::npos, status.Describe());
  BOOST_TEST(status.out.find("exit code " + std::to_string(128 + sig)) != std::string::npos, status.Describe());
  s.RerunCompletes();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(signals_test)

BOOST_AUTO_TEST_CASE(sigint_gives_the_builder_sigterm_and_exits_130) {
  SignalStopsTheBuilderGracefully(SIGINT, "sigint");
}

BOOST_AUTO_TEST_CASE(sigterm_gives_the_builder_sigterm_and_exits_143) {
  SignalStopsTheBuilderGracefully(SIGTERM, "sigterm");
}

BOOST_AUTO_TEST_CASE(sighup_gives_the_builder_sigterm_and_exits_129) {
  SignalStopsTheBuilderGracefully(SIGHUP, "sighup");
}

BOOST_AUTO_TEST_CASE(a_builder_ignoring_sigterm_is_killed_after_the_grace_period) {
  Scenario s("ignoreterm", "ignore-term", "stop_grace = 2\n");
  auto p = s.StartAndWaitForBuilder("signalled");
  p->Signal(SIGINT);
  auto code = p->Wait(std::chrono::minutes(3));
  BOOST_REQUIRE_MESSAGE(code.has_value(), "mirrorgraph did not stop");
  BOOST_TEST(*code == 130, ReadFile(s.ws.dir() / "signalled.err"));
  // SIGTERM first (the wrapper logged it and went on), then SIGKILL ended both.
  BOOST_TEST(s.TermLog().find("TERM ignored " + std::to_string(s.wrapper.pid)) != std::string::npos,
             "the builder never got SIGTERM; term.log: " << s.TermLog());
  BOOST_TEST(WaitFor([&] { return s.wrapper.Gone() && s.grandchild.Gone(); }, std::chrono::minutes(1)));
  std::string reason = mg::testing::TaskReasonOf(s.ws.ReadJson("signalled.json"), "build:hello@1.0.0/linux/amd64");
  BOOST_TEST(reason.find("SIGKILL") != std::string::npos, reason);
  s.RerunCompletes();
}

// With a grace period of an hour, only the second interrupt can end the run within the wait.
BOOST_AUTO_TEST_CASE(a_second_interrupt_skips_the_grace_period) {
  Scenario s("twice", "ignore-term", "stop_grace = 3600\n");
  auto p = s.StartAndWaitForBuilder("signalled");
  p->Signal(SIGINT);
  BOOST_REQUIRE_MESSAGE(WaitFor([&] { return s.TermLog().find("TERM ignored") != std::string::npos; }, std::chrono::minutes(3)),
                        "the builder never got SIGTERM: " << ReadFile(s.ws.dir() / "signalled.err"));
  p->Signal(SIGINT);
  auto code = p->Wait(std::chrono::minutes(3));
  BOOST_REQUIRE_MESSAGE(code.has_value(), "the second interrupt did not end the grace period");
  BOOST_TEST(*code == 130, ReadFile(s.ws.dir() / "signalled.err"));
  BOOST_TEST(WaitFor([&] { return s.wrapper.Gone() && s.grandchild.Gone(); }, std::chrono::minutes(1)));
  s.RerunCompletes();
}

BOOST_AUTO_TEST_CASE(a_rerun_after_kill_9_stops_the_killed_runs_builder_and_its_children) {
  Scenario s("kill9", "ignore-term");
  auto p = s.StartAndWaitForBuilder("killed");
  p->Signal(SIGKILL);
  BOOST_REQUIRE(p->Wait(std::chrono::seconds(60)).has_value());
  // The rerun finds them through the state directory before it starts anything.
  BOOST_TEST(!s.grandchild.Gone(), "the grandchild should outlive a kill -9 of mirrorgraph");
  fs::remove(s.ws.dir() / "mode");
  auto r = s.ws.Run({"run", "-j", "2", "--json", "rerun.json"}, std::chrono::minutes(10));
  BOOST_TEST(r.exit_code == 0, r.Describe());
  BOOST_TEST(r.err.find("left running by an earlier run") != std::string::npos, r.Describe());
  for (const std::string& line : mg::Split(r.err, '\n')) {
    if (line.find("left running") != std::string::npos) BOOST_TEST_MESSAGE("the rerun said: " << line);
  }
  BOOST_TEST(WaitFor([&] { return s.wrapper.Gone() && s.grandchild.Gone(); }, std::chrono::minutes(1)),
             "wrapper " << s.wrapper.pid << " or its sleep " << s.grandchild.pid << " still runs after the rerun");
  BOOST_TEST(mg::testing::TaskStatusOf(s.ws.ReadJson("rerun.json"), "build:hello@1.0.0/linux/amd64") == "ran");
  // A second rerun has nothing left to stop.
  auto again = s.ws.Run({"run", "-j", "2"}, std::chrono::minutes(10));
  BOOST_TEST(again.exit_code == 0, again.Describe());
  BOOST_TEST(again.err.find("left running by an earlier run") == std::string::npos, again.Describe());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
