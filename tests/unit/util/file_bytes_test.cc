#include "util/file_bytes.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "temp_dir.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::FileBytes;

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// Bytes that differ at every offset modulo a prime, so a misplaced window cannot compare equal.
std::string Pattern(size_t n, char salt) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + static_cast<size_t>(salt)) % 23);
  return s;
}

// Runs `body` in a forked child whose stderr is captured; returns its wait status and stderr.
template <typename Body>
std::pair<int, std::string> InChild(Body body) {
  int out[2];
  if (::pipe(out) != 0) return {-1, "pipe failed"};
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out[0]);
    ::close(out[1]);
    return {-1, "fork failed"};
  }
  if (pid == 0) {
    ::dup2(out[1], STDERR_FILENO);
    ::close(out[0]);
    body();
    ::_exit(0);
  }
  ::close(out[1]);
  std::string err;
  char buf[4096];
  while (true) {
    const ssize_t n = ::read(out[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    err.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return {status, err};
}

// Truncates `path` and reads the last byte of `bytes` (a page wholly past the new end); exits 12
// if that read returns.
void TruncateAndTouch(const std::string& path, const FileBytes& bytes) {
  if (::truncate(path.c_str(), 0) != 0) ::_exit(11);
  volatile char c = bytes.view()[bytes.size() - 1];
  (void)c;
  ::_exit(12);
}

// The child's end as the guard makes it: exit kShrunkExitCode, the message naming `path`.
void ExpectStoppedNaming(int status, const std::string& err, const std::string& path) {
  BOOST_TEST_REQUIRE(WIFEXITED(status), "wait status " << status << "; stderr: " << err);
  BOOST_TEST(WEXITSTATUS(status) == FileBytes::kShrunkExitCode, err);
  BOOST_TEST(err.find("mirrorgraph: stopped: " + path + " shrank while this process was reading it") == 0, err);
  BOOST_TEST(err.find("run again") != std::string::npos, err);
}

BOOST_AUTO_TEST_SUITE(file_bytes_test)

BOOST_AUTO_TEST_CASE(a_large_file_is_mapped_and_reads_like_a_copy) {
  mg::testing::TempDir dir;
  const std::string path = dir / "big";
  const std::string text = Pattern(FileBytes::kMapThreshold + 12345, 1);
  Write(path, text);
  auto mapped = FileBytes::Read(path, FileBytes::Load::kMap);
  BOOST_REQUIRE(mapped.ok());
  BOOST_TEST(mapped->mapped());
  BOOST_TEST(mapped->size() == text.size());
  BOOST_TEST(mapped->view() == text);
  auto copied = FileBytes::Read(path, FileBytes::Load::kCopy);
  BOOST_REQUIRE(copied.ok());
  BOOST_TEST(!copied->mapped());
  BOOST_TEST(copied->view() == text);
}

BOOST_AUTO_TEST_CASE(a_small_or_empty_file_is_copied_even_when_a_mapping_is_asked_for) {
  mg::testing::TempDir dir;
  const std::string small = Pattern(FileBytes::kMapThreshold - 1, 2);
  Write(dir / "small", small);
  auto s = FileBytes::Read(dir / "small", FileBytes::Load::kMap);
  BOOST_REQUIRE(s.ok());
  BOOST_TEST(!s->mapped());
  BOOST_TEST(s->view() == small);
  Write(dir / "empty", "");
  auto e = FileBytes::Read(dir / "empty", FileBytes::Load::kMap);
  BOOST_REQUIRE(e.ok());
  BOOST_TEST(e->empty());
  BOOST_TEST(!e->mapped());
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_not_found_and_a_directory_an_error_in_both_modes) {
  mg::testing::TempDir dir;
  for (FileBytes::Load load : {FileBytes::Load::kMap, FileBytes::Load::kCopy}) {
    auto missing = FileBytes::Read(dir / "absent", load);
    BOOST_REQUIRE(!missing.ok());
    BOOST_TEST((missing.status().code() == mg::Status::Code::kNotFound));
    BOOST_TEST(missing.status().message().find(dir / "absent") != std::string::npos);
    auto directory = FileBytes::Read(dir.path(), load);
    BOOST_REQUIRE(!directory.ok());
    BOOST_TEST(directory.status().message().find(dir.path()) != std::string::npos);
  }
}

// The contract the action cache relies on: what was mapped stays as it was while the file is
// appended to (RecordLog) or replaced by a rename (RecordLog::Rewrite, WriteFileAtomic).
BOOST_AUTO_TEST_CASE(the_mapping_keeps_its_bytes_across_appends_and_a_rename_over_the_path) {
  mg::testing::TempDir dir;
  const std::string path = dir / "log";
  const std::string text = Pattern(3 * FileBytes::kMapThreshold, 3);
  Write(path, text);
  auto bytes = FileBytes::Read(path, FileBytes::Load::kMap);
  BOOST_REQUIRE(bytes.ok());
  BOOST_REQUIRE(bytes->mapped());
  {
    std::ofstream(path, std::ios::binary | std::ios::app) << "appended\n";
  }
  BOOST_TEST(bytes->size() == text.size());
  const std::string replacement = Pattern(text.size(), 4);
  Write(dir / "log.tmp", replacement);
  BOOST_REQUIRE(std::rename((dir / "log.tmp").c_str(), path.c_str()) == 0);
  BOOST_TEST(bytes->view() == text);
  auto reread = FileBytes::Read(path, FileBytes::Load::kMap);
  BOOST_REQUIRE(reread.ok());
  BOOST_TEST(reread->view() == replacement);
}

// At most kMaxMappings files are mapped at once (the guard's table); a further one is copied,
// and a slot freed by a released mapping is taken again.
BOOST_AUTO_TEST_CASE(past_the_mapping_limit_a_file_is_copied) {
  mg::testing::TempDir dir;
  const std::string text = Pattern(FileBytes::kMapThreshold, 12);
  std::vector<FileBytes> held;
  for (int i = 0; i <= FileBytes::kMaxMappings; ++i) {
    const std::string path = dir / ("f" + std::to_string(i));
    Write(path, text);
    auto bytes = FileBytes::Read(path, FileBytes::Load::kMap);
    BOOST_REQUIRE(bytes.ok());
    BOOST_TEST(bytes->view() == text);
    BOOST_TEST(bytes->mapped() == (i < FileBytes::kMaxMappings), "file " << i);
    held.push_back(std::move(bytes.value()));
  }
  held.front() = FileBytes();  // releases a slot
  auto again = FileBytes::Read(dir / "f0", FileBytes::Load::kMap);
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(again->mapped());
}

BOOST_AUTO_TEST_CASE(moves_keep_the_bytes_where_they_are) {
  mg::testing::TempDir dir;
  const std::string text = Pattern(FileBytes::kMapThreshold, 5);
  Write(dir / "a", text);
  Write(dir / "b", "short");
  for (FileBytes::Load load : {FileBytes::Load::kMap, FileBytes::Load::kCopy}) {
    auto a = FileBytes::Read(dir / "a", load);
    BOOST_REQUIRE(a.ok());
    const char* where = a->view().data();
    FileBytes moved(std::move(a.value()));
    if (load == FileBytes::Load::kMap) BOOST_TEST(static_cast<const void*>(moved.view().data()) == static_cast<const void*>(where));
    BOOST_TEST(moved.view() == text);
    BOOST_TEST(a->empty());  // NOLINT(bugprone-use-after-move): a moved-from FileBytes is empty
    auto b = FileBytes::Read(dir / "b", load);
    BOOST_REQUIRE(b.ok());
    moved = std::move(b.value());  // releases the mapping it held
    BOOST_TEST(moved.view() == "short");
  }
}

// Another program truncating a mapped file: reading past its new end stops the process with the
// state directory's exit code and a message naming the file, not a crash by SIGBUS.
BOOST_AUTO_TEST_CASE(a_mapped_file_that_shrinks_stops_the_process_with_exit_3_naming_it) {
  mg::testing::TempDir dir;
  const std::string path = dir / "cache.log";
  const std::string text = Pattern(4 * FileBytes::kMapThreshold, 6);
  Write(path, text);
  auto [status, err] = InChild([&] {
    auto bytes = FileBytes::Read(path, FileBytes::Load::kMap);
    if (!bytes.ok() || !bytes->mapped()) ::_exit(10);
    TruncateAndTouch(path, *bytes);
  });
  ExpectStoppedNaming(status, err, path);
}

// Something else replacing the SIGBUS action (a test framework, a library) does not disarm the
// guard for later mappings: each new mapping installs the handler again.
BOOST_AUTO_TEST_CASE(a_replaced_handler_is_installed_again_by_the_next_mapping) {
  mg::testing::TempDir dir;
  const std::string first = dir / "first";
  const std::string second = dir / "second";
  Write(first, Pattern(FileBytes::kMapThreshold, 9));
  Write(second, Pattern(2 * FileBytes::kMapThreshold, 10));
  auto [status, err] = InChild([&] {
    auto a = FileBytes::Read(first, FileBytes::Load::kMap);
    if (!a.ok() || !a->mapped()) ::_exit(10);
    ::signal(SIGBUS, SIG_DFL);
    auto b = FileBytes::Read(second, FileBytes::Load::kMap);
    if (!b.ok() || !b->mapped()) ::_exit(10);
    TruncateAndTouch(second, *b);
  });
  ExpectStoppedNaming(status, err, second);
}

// A SIGBUS sent by kill(2) to a process that ignored SIGBUS before stays ignored, and the guard
// stays armed after it.
BOOST_AUTO_TEST_CASE(a_sent_sigbus_goes_to_the_previous_action_and_the_guard_stays) {
  mg::testing::TempDir dir;
  const std::string path = dir / "log";
  Write(path, Pattern(2 * FileBytes::kMapThreshold, 11));
  auto [status, err] = InChild([&] {
    ::signal(SIGBUS, SIG_IGN);
    auto bytes = FileBytes::Read(path, FileBytes::Load::kMap);
    if (!bytes.ok() || !bytes->mapped()) ::_exit(10);
    ::kill(::getpid(), SIGBUS);  // ignored, as before the mapping
    TruncateAndTouch(path, *bytes);
  });
  ExpectStoppedNaming(status, err, path);
}

// A SIGBUS that is not about a live mapping of ours (here: a mapping made without FileBytes, after
// FileBytes installed its handler, and one it has released) keeps its usual outcome.
BOOST_AUTO_TEST_CASE(a_sigbus_elsewhere_is_not_taken_for_a_shrunk_state_file) {
  mg::testing::TempDir dir;
  const std::string ours = dir / "ours";
  const std::string other = dir / "other";
  Write(ours, Pattern(FileBytes::kMapThreshold, 7));
  Write(other, Pattern(4 * FileBytes::kMapThreshold, 8));
  auto [status, err] = InChild([&] {
    {
      auto bytes = FileBytes::Read(ours, FileBytes::Load::kMap);  // installs the handler
      if (!bytes.ok() || !bytes->mapped()) ::_exit(10);
    }
    const int fd = ::open(other.c_str(), O_RDONLY);
    const size_t size = 4 * FileBytes::kMapThreshold;
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) ::_exit(11);
    if (::truncate(other.c_str(), 0) != 0) ::_exit(12);
    volatile char c = static_cast<const char*>(p)[size - 1];
    (void)c;
    ::_exit(13);  // not reached
  });
  // Killed by SIGBUS, or (under AddressSanitizer, whose handler was there before) its report and
  // exit status; never ours.
  BOOST_TEST(!(WIFEXITED(status) && WEXITSTATUS(status) == FileBytes::kShrunkExitCode), err);
  BOOST_TEST(!(WIFEXITED(status) && WEXITSTATUS(status) >= 10 && WEXITSTATUS(status) <= 13), "status " << status << ": " << err);
  BOOST_TEST(err.find("mirrorgraph: stopped") == std::string::npos, err);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
