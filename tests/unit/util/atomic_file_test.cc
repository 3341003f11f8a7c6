#include "util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>

#include "unit/util/temp_dir.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;

namespace {

std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(atomic_file_test)

BOOST_AUTO_TEST_CASE(write_then_read_back) {
  mg::testing::TempDir dir;
  std::string path = dir / "entry.json";
  std::string data("binary\0content\n", 15);
  BOOST_REQUIRE(mg::WriteFileAtomic(path, data).ok());
  mg::Result<std::string> back = mg::ReadFile(path);
  BOOST_REQUIRE(back.ok());
  BOOST_TEST(*back == data);
}

BOOST_AUTO_TEST_CASE(read_file_returns_exactly_the_bytes_at_any_size) {
  mg::testing::TempDir dir;
  for (size_t size : {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{65537}, size_t{300001}}) {
    std::string data(size, '\0');
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>('a' + i % 23);
    std::string path = dir / ("f" + std::to_string(size));
    BOOST_REQUIRE(mg::WriteFileAtomic(path, data).ok());
    mg::Result<std::string> back = mg::ReadFile(path);
    BOOST_REQUIRE(back.ok());
    BOOST_TEST(back->size() == size);
    BOOST_TEST((*back == data));
  }
}

BOOST_AUTO_TEST_CASE(overwrite_replaces_and_leaves_no_temp_files) {
  mg::testing::TempDir dir;
  std::string path = dir / "f";
  BOOST_REQUIRE(mg::WriteFileAtomic(path, std::string(100000, 'a')).ok());
  BOOST_REQUIRE(mg::WriteFileAtomic(path, "short").ok());
  BOOST_TEST(*mg::ReadFile(path) == "short");
  std::vector<std::string> expected = {"f"};
  BOOST_TEST(Listing(dir.path()) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(mode_is_applied_exactly) {
  mg::testing::TempDir dir;
  mode_t old = ::umask(0077);
  mg::Status st = mg::WriteFileAtomic(dir / "a", "x", 0644);
  mg::Status st2 = mg::WriteFileAtomic(dir / "b", "x", 0600);
  ::umask(old);
  BOOST_REQUIRE(st.ok());
  BOOST_REQUIRE(st2.ok());
  struct stat sa, sb;
  BOOST_REQUIRE(::stat((dir / "a").c_str(), &sa) == 0);
  BOOST_REQUIRE(::stat((dir / "b").c_str(), &sb) == 0);
  BOOST_TEST((sa.st_mode & 0777) == 0644u);
  BOOST_TEST((sb.st_mode & 0777) == 0600u);
}

BOOST_AUTO_TEST_CASE(missing_file_is_not_found) {
  mg::testing::TempDir dir;
  mg::Result<std::string> r = mg::ReadFile(dir / "absent");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(static_cast<int>(r.status().code()) == static_cast<int>(mg::Status::Code::kNotFound));
  BOOST_TEST(r.status().message().find("absent") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(write_into_missing_directory_fails_cleanly) {
  mg::testing::TempDir dir;
  mg::Status st = mg::WriteFileAtomic(dir / "no/such/dir/f", "x");
  BOOST_TEST(!st.ok());
  BOOST_TEST(st.message().find("no/such/dir") != std::string::npos);
  BOOST_TEST(Listing(dir.path()).empty());
}

BOOST_AUTO_TEST_CASE(append_by_path_and_by_fd) {
  mg::testing::TempDir dir;
  std::string path = dir / "journal";
  BOOST_REQUIRE(mg::AppendFileDurable(path, "one\n").ok());
  BOOST_REQUIRE(mg::AppendFileDurable(path, "two\n").ok());
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  BOOST_REQUIRE(fd >= 0);
  BOOST_TEST(mg::AppendFileDurable(fd, "three\n").ok());
  ::close(fd);
  BOOST_TEST(*mg::ReadFile(path) == "one\ntwo\nthree\n");
  BOOST_TEST(!mg::AppendFileDurable(-1, "x").ok());
}

BOOST_AUTO_TEST_CASE(make_dirs) {
  mg::testing::TempDir dir;
  std::string deep = dir / "a/b/c";
  BOOST_REQUIRE(mg::MakeDirs(deep).ok());
  BOOST_TEST(fs::is_directory(deep));
  BOOST_TEST(mg::MakeDirs(deep).ok());  // already there
  BOOST_TEST(mg::MakeDirs(deep + "/").ok());
  BOOST_REQUIRE(mg::WriteFileAtomic(dir / "file", "x").ok());
  mg::Status st = mg::MakeDirs(dir / "file/sub");
  BOOST_TEST(!st.ok());
  BOOST_TEST(st.message().find("not a directory") != std::string::npos);
  BOOST_TEST(!mg::MakeDirs("").ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
