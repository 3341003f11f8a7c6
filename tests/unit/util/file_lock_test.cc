#include "util/file_lock.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "unit/util/temp_dir.h"
#include "util/atomic_file.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

bool IsFailedPrecondition(const mg::Status& s) { return s.code() == mg::Status::Code::kFailedPrecondition; }

}  // namespace

BOOST_AUTO_TEST_SUITE(file_lock_test)

BOOST_AUTO_TEST_CASE(second_holder_in_same_process_is_refused) {
  mg::testing::TempDir dir;
  std::string path = dir / "lock";
  mg::Result<mg::FileLock> first = mg::FileLock::Acquire(path, "started 2024-01-02T03:04:05.000Z");
  BOOST_REQUIRE(first.ok());
  BOOST_TEST(first->held());
  mg::Result<mg::FileLock> second = mg::FileLock::Acquire(path, "started later");
  BOOST_REQUIRE(!second.ok());
  BOOST_TEST(IsFailedPrecondition(second.status()));
  const std::string& msg = second.status().message();
  BOOST_TEST_MESSAGE(msg);
  BOOST_TEST(msg == "another mirrorgraph run (pid " + std::to_string(::getpid()) +
                        ", started 2024-01-02T03:04:05.000Z) holds " + path +
                        "; wait for it or use another --state-dir");
}

BOOST_AUTO_TEST_CASE(release_and_move) {
  mg::testing::TempDir dir;
  std::string path = dir / "lock";
  {
    mg::Result<mg::FileLock> a = mg::FileLock::Acquire(path, "a");
    BOOST_REQUIRE(a.ok());
    mg::FileLock moved = std::move(*a);
    BOOST_TEST(!a->held());
    BOOST_TEST(moved.held());
    BOOST_TEST(!mg::FileLock::Acquire(path, "b").ok());  // the move kept the lock
    moved.Release();
    BOOST_TEST(!moved.held());
    mg::Result<mg::FileLock> b = mg::FileLock::Acquire(path, "b");
    BOOST_TEST(b.ok());
  }  // destructors release
  BOOST_TEST(mg::FileLock::Acquire(path, "c").ok());
}

BOOST_AUTO_TEST_CASE(holder_info_is_written) {
  mg::testing::TempDir dir;
  std::string path = dir / "lock";
  mg::Result<mg::FileLock> a = mg::FileLock::Acquire(path, "started now");
  BOOST_REQUIRE(a.ok());
  BOOST_TEST(*mg::ReadFile(path) == std::to_string(::getpid()) + "\nstarted now\n");
}

BOOST_AUTO_TEST_CASE(stale_lock_file_does_not_block) {
  mg::testing::TempDir dir;
  std::string path = dir / "lock";
  BOOST_REQUIRE(mg::WriteFileAtomic(path, "999999\nstarted by a run that crashed\n").ok());
  mg::Result<mg::FileLock> a = mg::FileLock::Acquire(path, "fresh");
  BOOST_REQUIRE(a.ok());
  BOOST_TEST(*mg::ReadFile(path) == std::to_string(::getpid()) + "\nfresh\n");
}

BOOST_AUTO_TEST_CASE(missing_directory_is_an_error) {
  mg::testing::TempDir dir;
  mg::Result<mg::FileLock> a = mg::FileLock::Acquire(dir / "nope/lock", "x");
  BOOST_REQUIRE(!a.ok());
  BOOST_TEST(a.status().message().find("nope/lock") != std::string::npos);
}

// A child process takes the lock; the parent is refused with the child's pid; once the child is
// killed (no cleanup runs), the parent gets the lock.
BOOST_AUTO_TEST_CASE(lock_held_by_another_process) {
  mg::testing::TempDir dir;
  std::string path = dir / "lock";
  int ready[2];
  BOOST_REQUIRE(::pipe(ready) == 0);
  pid_t pid = ::fork();
  BOOST_REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(ready[0]);
    mg::Result<mg::FileLock> lock = mg::FileLock::Acquire(path, "started in the child");
    char c = lock.ok() ? 'y' : 'n';
    (void)::write(ready[1], &c, 1);
    while (true) ::pause();
  }
  struct Reaper {  // never leave the child behind, even when an assertion fails
    pid_t pid;
    ~Reaper() {
      if (pid > 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
      }
    }
  } reaper{pid};
  ::close(ready[1]);
  char c = 0;
  BOOST_REQUIRE(::read(ready[0], &c, 1) == 1);
  ::close(ready[0]);
  BOOST_REQUIRE(c == 'y');

  mg::Result<mg::FileLock> refused = mg::FileLock::Acquire(path, "parent");
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(IsFailedPrecondition(refused.status()));
  BOOST_TEST(refused.status().message().find("(pid " + std::to_string(pid) + ", started in the child)") !=
             std::string::npos);

  ::kill(pid, SIGKILL);
  int status = 0;
  BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
  reaper.pid = -1;
  mg::Result<mg::FileLock> taken = mg::FileLock::Acquire(path, "parent");
  BOOST_REQUIRE(taken.ok());
  BOOST_TEST(*mg::ReadFile(path) == std::to_string(::getpid()) + "\nparent\n");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
