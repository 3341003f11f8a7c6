// Finding 10: disk trouble while appending. Writes are injected (RecordLog::SetWriteFunctionForTesting)
// to fail part-way the way a full disk does: some bytes written, then ENOSPC.
#include <fcntl.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <filesystem>

#include "cache/action_cache.h"
#include "cache/record_log.h"
#include "unit/util/temp_dir.h"
#include "util/atomic_file.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;

namespace {

constexpr std::string_view kMagic = "test-log";

// Writes half of what it is asked once `*fail` is set, then fails with ENOSPC.
RecordLog::WriteFunction HalfThenFull(const bool* fail) {
  return [fail, wrote_half = false](int fd, const void* data, size_t size) mutable -> ssize_t {
    if (!*fail) {
      wrote_half = false;
      return ::write(fd, data, size);
    }
    if (!wrote_half && size > 1) {
      wrote_half = true;
      return ::write(fd, data, size / 2);
    }
    errno = ENOSPC;
    return -1;
  };
}

std::vector<std::string> Records(const std::string& path, size_t* dropped) {
  auto c = RecordLog::Read(path, kMagic, 1);
  BOOST_REQUIRE(c.ok());
  BOOST_REQUIRE(c->header_ok);
  *dropped = c->dropped;
  return {c->records.begin(), c->records.end()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(record_log_test)

BOOST_AUTO_TEST_CASE(a_short_write_leaves_no_torn_record_for_the_next_one_to_glue_onto) {
  mg::testing::TempDir dir;
  const std::string path = dir / "x.log";
  auto log = RecordLog::OpenForAppend(path, kMagic, 1, false);
  BOOST_REQUIRE(log.ok());
  bool fail = false;
  log->SetWriteFunctionForTesting(HalfThenFull(&fail));
  BOOST_TEST(log->Append("first record").ok());
  fail = true;
  Status s = log->Append("second record, torn by a full disk");
  BOOST_TEST(!s.ok());
  BOOST_TEST(s.message().find(path) != std::string::npos, s.message());
  BOOST_TEST(s.message().find("No space left on device") != std::string::npos, s.message());
  BOOST_TEST(s.message().find("free space") != std::string::npos, s.message());
  fail = false;  // space freed
  BOOST_TEST(log->Append("third record").ok());
  size_t dropped = 0;
  std::vector<std::string> records = Records(path, &dropped);
  BOOST_TEST(dropped == 0u);
  BOOST_TEST(records == (std::vector<std::string>{"first record", "third record"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(buffered_records_are_undone_whole_when_their_flush_fails) {
  mg::testing::TempDir dir;
  const std::string path = dir / "x.log";
  auto log = RecordLog::OpenForAppend(path, kMagic, 1, false);
  BOOST_REQUIRE(log.ok());
  bool fail = false;
  log->SetWriteFunctionForTesting(HalfThenFull(&fail));
  BOOST_TEST(log->AppendBuffered("a").ok());
  BOOST_TEST(log->Flush().ok());
  BOOST_TEST(log->AppendBuffered("b").ok());
  BOOST_TEST(log->AppendBuffered("c").ok());
  fail = true;
  BOOST_TEST(!log->Sync().ok());
  fail = false;
  BOOST_TEST(log->Append("d").ok());
  size_t dropped = 0;
  BOOST_TEST(Records(path, &dropped) == (std::vector<std::string>{"a", "d"}), boost::test_tools::per_element());
  BOOST_TEST(dropped == 0u);
}

// When the torn part cannot be cut off, the log refuses further appends instead of gluing them on.
BOOST_AUTO_TEST_CASE(a_torn_record_that_cannot_be_removed_stops_further_appends) {
  mg::testing::TempDir dir;
  const std::string path = dir / "x.log";
  auto log = RecordLog::OpenForAppend(path, kMagic, 1, false);
  BOOST_REQUIRE(log.ok());
  BOOST_TEST(log->Append("kept").ok());
  // The injected write writes part of the record, then swaps the log's descriptor for a read-only
  // one, so the ftruncate that would undo it fails too.
  int read_only = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  BOOST_REQUIRE(read_only >= 0);
  log->SetWriteFunctionForTesting([read_only, calls = 0](int fd, const void* data, size_t size) mutable -> ssize_t {
    if (calls++ == 0) {
      ssize_t n = ::write(fd, data, size / 2);
      ::dup2(read_only, fd);
      return n;
    }
    errno = ENOSPC;
    return -1;
  });
  Status torn = log->Append("this one is torn");
  BOOST_TEST(!torn.ok());
  log->SetWriteFunctionForTesting({});
  Status refused = log->Append("never glued on");
  BOOST_TEST(!refused.ok());
  BOOST_TEST(refused.message().find(path) != std::string::npos, refused.message());
  BOOST_TEST(refused.message().find("torn record") != std::string::npos, refused.message());
  ::close(read_only);
  size_t dropped = 0;
  BOOST_TEST(Records(path, &dropped) == (std::vector<std::string>{"kept"}), boost::test_tools::per_element());
  BOOST_TEST(dropped == 1u);  // the torn tail, dropped on read
}

// Setting an unreadable cache aside must not destroy it when the rename fails.
BOOST_AUTO_TEST_CASE(an_unreadable_cache_that_cannot_be_set_aside_is_left_untouched) {
  mg::testing::TempDir dir;
  const std::string cache_log = dir / "cache.log";
  const std::string foreign = "mirrorgraph-cache v999\nsomething a newer version wrote\n";
  BOOST_TEST(WriteFileAtomic(cache_log, foreign).ok());
  // A non-empty directory where the set-aside copy would go: rename(2) fails.
  std::filesystem::create_directories(dir / "cache.log.unreadable/occupied");
  auto c = ActionCache::Open(dir.path());
  BOOST_TEST(!c.ok());
  if (!c.ok()) {
    BOOST_TEST(c.status().message().find(cache_log) != std::string::npos, c.status().message());
    BOOST_TEST(c.status().message().find("move or remove") != std::string::npos, c.status().message());
  }
  BOOST_TEST(ReadFile(cache_log).value() == foreign);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
