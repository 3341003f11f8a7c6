#include "util/child_records.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "unit/util/temp_dir.h"
#include "util/process_table.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using Ms = std::chrono::milliseconds;

// `sh -c script` in its own process group, as RunSubprocess starts children; the test process
// stays its parent and reaps it.
struct Group {
  pid_t pid = -1;
  explicit Group(const std::string& script) {
    pid = ::fork();
    if (pid == 0) {
      ::setpgid(0, 0);
      ::execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::setpgid(pid, pid);
  }
  ~Group() {
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);  // ECHILD when the test reaped it already
  }
  // Waits until the group has `n` live members (the shell and what it started).
  bool WaitForMembers(size_t n) const {
    for (int i = 0; i < 400; ++i) {
      if (mg::LiveGroupMembers(pid).size() >= n) return true;
      std::this_thread::sleep_for(Ms(25));
    }
    return false;
  }
  mg::ChildRecord Record() const {
    auto info = mg::ReadProcess(pid);
    BOOST_REQUIRE(info.has_value());
    return {pid, info->start_time, ::getsid(0), mg::BootId(), ::getpid(), "sh"};
  }
};

bool Empty(const std::string& dir) { return std::filesystem::is_empty(dir); }

}  // namespace

BOOST_AUTO_TEST_SUITE(child_records_test)

BOOST_AUTO_TEST_CASE(process_table_reads_this_process) {
  auto me = mg::ReadProcess(::getpid());
  BOOST_REQUIRE(me.has_value());
  BOOST_TEST(me->pgid == ::getpgrp());
  BOOST_TEST(me->session == ::getsid(0));
  BOOST_TEST(me->start_time > 0u);
  BOOST_TEST(me->live());
  BOOST_TEST(!mg::BootId().empty());
  BOOST_TEST(!mg::ReadProcess(-1).has_value());
}

BOOST_AUTO_TEST_CASE(a_recorded_group_that_ends_on_sigterm_is_stopped_without_sigkill) {
  mg::testing::TempDir dir;
  Group g("sleep 600 & wait");
  BOOST_REQUIRE(g.WaitForMembers(2));
  BOOST_REQUIRE(mg::WriteChildRecord(dir.path(), g.Record()).ok());
  auto r = mg::StopLeftoverChildren(dir.path(), std::chrono::minutes(2));
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->records == 1u);
  BOOST_TEST(r->groups == 1u);
  BOOST_TEST(r->processes.size() == 2u);
  BOOST_TEST(r->killed == 0u);
  BOOST_TEST(r->owners.count(::getpid()) == 1u);
  BOOST_TEST(mg::LiveGroupMembers(g.pid).empty());
  BOOST_TEST(Empty(dir.path()));
  std::string line = r->Describe();
  BOOST_TEST(line.find("stopped 2 processes (sh, sleep) in 1 process group left running by an earlier run") == 0u, line);
  BOOST_TEST(line.find("SIGKILL") == std::string::npos, line);
}

BOOST_AUTO_TEST_CASE(a_group_ignoring_sigterm_is_killed_after_the_grace_period) {
  mg::testing::TempDir dir;
  Group g("trap '' TERM; sleep 600 & wait");
  BOOST_REQUIRE(g.WaitForMembers(2));
  BOOST_REQUIRE(mg::WriteChildRecord(dir.path(), g.Record()).ok());
  auto r = mg::StopLeftoverChildren(dir.path(), Ms(300));
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->groups == 1u);
  BOOST_TEST(r->killed == 2u);
  BOOST_TEST(r->left_running == 0u);
  BOOST_TEST(mg::LiveGroupMembers(g.pid).empty());
  BOOST_TEST(r->Describe().find("then SIGKILL for 2 still running after the") != std::string::npos, r->Describe());
}

BOOST_AUTO_TEST_CASE(a_recycled_pid_or_another_boot_is_left_alone) {
  mg::testing::TempDir dir;
  Group g("sleep 600");
  BOOST_REQUIRE(g.WaitForMembers(1));
  mg::ChildRecord other_start = g.Record();
  other_start.start_time += 1;  // the number now names a process started at another time
  BOOST_REQUIRE(mg::WriteChildRecord(dir.path(), other_start).ok());
  auto r = mg::StopLeftoverChildren(dir.path(), Ms(300));
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->records == 1u);
  BOOST_TEST(r->groups == 0u);
  BOOST_TEST(r->Describe() == "");
  BOOST_TEST(r->AllStopped());
  BOOST_TEST(Empty(dir.path()));

  mg::ChildRecord other_boot = g.Record();
  other_boot.boot_id = "00000000-0000-0000-0000-000000000000";
  BOOST_REQUIRE(mg::WriteChildRecord(dir.path(), other_boot).ok());
  r = mg::StopLeftoverChildren(dir.path(), Ms(300));
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->groups == 0u);
  BOOST_TEST(!mg::LiveGroupMembers(g.pid).empty());  // untouched
}

BOOST_AUTO_TEST_CASE(damaged_and_stale_records_are_removed) {
  mg::testing::TempDir dir;
  std::ofstream(dir / "4242") << "4242 12";  // cut short by a kill
  {
    Group ended("exit 0");
    mg::ChildRecord record = ended.Record();  // readable until it is reaped
    ::waitpid(ended.pid, nullptr, 0);
    BOOST_REQUIRE(mg::WriteChildRecord(dir.path(), record).ok());
  }
  auto r = mg::StopLeftoverChildren(dir.path(), Ms(300));
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->records == 2u);
  BOOST_TEST(r->groups == 0u);
  BOOST_TEST(r->unreadable == 1u);
  BOOST_TEST(r->Describe() == "removed 1 unreadable record of an earlier run's processes");
  BOOST_TEST(Empty(dir.path()));
  // No directory at all: nothing to do.
  auto none = mg::StopLeftoverChildren(dir / "absent", Ms(300));
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(none->records == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
