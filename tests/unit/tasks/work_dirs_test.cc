// RemoveLeftoverWorkDirs: what build attempts that never ended left in <state>/work (checkouts,
// registry auth files) is removed at the start of the next run, whatever pid the names hold.
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "tasks/build_task.h"
#include "unit/util/temp_dir.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(work_dirs_test)

BOOST_AUTO_TEST_CASE(every_leftover_attempt_goes_auth_files_included) {
  mg::testing::TempDir state;
  const fs::path work = mg::WorkRoot(state.path());
  BOOST_TEST(work.string() == state / "work");
  // A killed run's attempt, one whose pid is this process's (a container reuses pids), a stray file.
  for (const std::string& name : {std::string("build+hello@1.0.0_linux_amd64.999999"),
                                 "build+hello@1.0.0_linux_arm64." + std::to_string(::getpid())}) {
    fs::create_directories(work / name / "src" / "sub");
    std::ofstream(work / name / "auth.json") << R"({"auths":{"r":{"auth":"dTpw"}}})";
    std::ofstream(work / name / "src" / "sub" / "Dockerfile") << "FROM scratch\n";
  }
  std::ofstream(work / "stray") << "x";
  mg::Status s = mg::RemoveLeftoverWorkDirs(state.path());
  BOOST_TEST(s.ok(), s.ToString());
  BOOST_TEST(fs::exists(work));
  BOOST_TEST(fs::is_empty(work));
}

BOOST_AUTO_TEST_CASE(links_are_removed_not_followed) {
  mg::testing::TempDir state;
  const fs::path work = mg::WorkRoot(state.path());
  const fs::path outside = state / "outside";
  fs::create_directories(outside / "dir");
  std::ofstream(outside / "dir" / "keep") << "keep";
  std::ofstream(outside / "keep.json") << "keep";
  fs::create_directories(work / "build+a.1");
  fs::create_directory_symlink(outside / "dir", work / "build+a.1" / "src");
  fs::create_directory_symlink(outside / "dir", work / "linked");
  fs::create_symlink(outside / "keep.json", work / "build+a.1" / mg::kAuthFileName);
  BOOST_TEST(mg::RemoveLeftoverWorkDirs(state.path()).ok());
  BOOST_TEST(fs::is_empty(work));
  BOOST_TEST(fs::exists(outside / "dir" / "keep"));
  BOOST_TEST(fs::exists(outside / "keep.json"));
}

BOOST_AUTO_TEST_CASE(with_leftovers_still_running_only_the_auth_files_go) {
  mg::testing::TempDir state;
  const fs::path work = mg::WorkRoot(state.path());
  fs::create_directories(work / "build+a.1" / "src");
  std::ofstream(work / "build+a.1" / mg::kAuthFileName) << R"({"auths":{}})";
  std::ofstream(work / "build+a.1" / "src" / "Dockerfile") << "FROM scratch\n";
  fs::create_directories(work / "build+b.2");  // no auth file: nothing to do
  // A linked entry and a linked auth file: the links go, never what they point at.
  const fs::path outside = state / "outside";
  fs::create_directories(outside);
  std::ofstream(outside / mg::kAuthFileName) << "keep";
  fs::create_directory_symlink(outside, work / "linked");
  fs::create_directories(work / "build+c.3");
  fs::create_symlink(outside / mg::kAuthFileName, work / "build+c.3" / mg::kAuthFileName);
  mg::Status s = mg::RemoveLeftoverWorkDirs(state.path(), /*leftovers_stopped=*/false);
  BOOST_TEST(s.ok(), s.ToString());
  BOOST_TEST(!fs::exists(work / "build+a.1" / mg::kAuthFileName));
  BOOST_TEST(fs::exists(work / "build+a.1" / "src" / "Dockerfile"));  // a builder may still use it
  BOOST_TEST(fs::exists(work / "build+b.2"));
  BOOST_TEST(fs::exists(outside / mg::kAuthFileName));
  BOOST_TEST(!fs::exists(fs::symlink_status(work / "build+c.3" / mg::kAuthFileName)));
}

BOOST_AUTO_TEST_CASE(a_missing_work_directory_is_fine_and_a_file_there_is_an_error) {
  mg::testing::TempDir state;
  BOOST_TEST(mg::RemoveLeftoverWorkDirs(state.path()).ok());
  BOOST_TEST(mg::RemoveLeftoverWorkDirs(state / "absent").ok());
  std::ofstream(state / "work") << "not a directory";
  mg::Status s = mg::RemoveLeftoverWorkDirs(state.path());
  BOOST_TEST((s.code() == mg::Status::Code::kIOError), s.ToString());
  BOOST_TEST(s.message().find("cannot list " + (state / "work")) != std::string::npos, s.message());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
