// Finding 10 end to end: the state directory's disk fills up during a real `mirrorgraph run`.
//
// As root, the test mounts a small tmpfs as the state directory (cache, journal, task logs, build
// work directories and buildah's storage all live there), starts a run of a COPY-only app, and fills
// the tmpfs to the last byte once the first cache entry is written. The run must stop with a clear
// error (exit 3 naming the file, ENOSPC and the fix when a state write failed first; exit 1 with
// ENOSPC in the failed task's error when the task's work did); every cache entry written before the
// fill must still load; and once the filler is removed, the rerun completes (exit 0). Without root,
// or when mount(2) is refused (a container without CAP_SYS_ADMIN), the test says so and passes
// without checking anything. The tmpfs is unmounted on every path (the guard's destructor).
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>
#include <thread>

#include "cache/action_cache.h"
#include "cli_fixture.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::testing::CliWorkspace;

namespace {

// A tmpfs mounted at `dir` for the guard's lifetime.
class TmpfsMount {
 public:
  TmpfsMount(const fs::path& dir, const std::string& size) : dir_(dir) {
    fs::create_directories(dir);
    const std::string options = "size=" + size + ",mode=0755";
    if (::mount("mg-disk-full-test", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~TmpfsMount() {
    // Lazy: a straggling child (buildah, git) holding a file there cannot keep the mount alive.
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  fs::path dir_;
  bool mounted_ = false;
  std::string error_;
};

// Writes `path` until the file system is full (ENOSPC). Returns the bytes written.
size_t FillUp(const fs::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  BOOST_REQUIRE(fd >= 0);
  std::string chunk(1 << 16, 'f');
  size_t total = 0;
  for (;;) {
    ssize_t n = ::write(fd, chunk.data(), chunk.size());
    if (n > 0) {
      total += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  // Small writes too, down to the last byte.
  while (::write(fd, "f", 1) == 1) ++total;
  ::close(fd);
  return total;
}

// Keys of the cache's records (empty when there is no readable cache yet).
std::set<std::string> CacheKeys(const std::string& state, size_t* records) {
  std::set<std::string> keys;
  auto cache = mg::ActionCache::OpenReadOnly(state);
  if (!cache.ok()) return keys;
  *records = (*cache)->size();
  auto contents = mg::RecordLog::Read(state + "/cache.log", "mirrorgraph-cache", mg::ActionCache::kFormatVersion);
  if (!contents.ok()) return keys;
  for (std::string_view r : contents->records) keys.insert(std::string(r.substr(0, r.find('\t'))));
  return keys;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(disk_full_test)

BOOST_AUTO_TEST_CASE(a_full_state_disk_stops_the_run_cleanly_and_the_rerun_completes) {
  if (::geteuid() != 0) {
    BOOST_TEST_MESSAGE("SKIPPED disk_full_test: needs root to mount a tmpfs as the state directory");
    return;
  }
  CliWorkspace ws;
  TmpfsMount tmpfs(ws.state_dir(), "64m");
  if (!tmpfs.mounted()) {
    BOOST_TEST_MESSAGE("SKIPPED disk_full_test: mount -t tmpfs refused (" << tmpfs.error() << ")");
    return;
  }
  auto url = ws.MakeUpstream("hello", {"v1.0.0", "v1.1.0"},
                             {{"hello.txt", "hello from @TAG@\n"}, {"Dockerfile", "FROM scratch\nCOPY hello.txt /hello.txt\n"}});
  BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
  ws.WriteConfig({.registry_host = mg::testing::SharedPlainRegistry().host(),
                  .ns = "diskfull",
                  .max_versions = 2,
                  .apps = {{.name = "hello", .url = *url, .extra = "platforms = [\"linux/amd64\"]\n"}},
                  .extra = "\n[attestations]\nsbom = false\nsign = false\nprovenance = false\n"});
  const std::string state = ws.state_dir().string();

  // The run; the disk fills as soon as its first result is in the cache.
  auto p = ws.Start({"run", "-j", "2", "--json", "full.json"}, "full");
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  size_t records = 0;
  std::set<std::string> before;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  int early_exit = -1;
  while ((before = CacheKeys(state, &records)).empty()) {
    BOOST_REQUIRE_MESSAGE(!(*p)->Poll(&early_exit), "the run ended (exit " << early_exit << ") before any cache entry");
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "no cache entry after 3 minutes");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const fs::path filler = ws.state_dir() / "filler";
  size_t filled = FillUp(filler);
  BOOST_TEST_MESSAGE("filled " << filled << " bytes after " << before.size() << " cache entries");
  auto code = (*p)->Wait(std::chrono::minutes(5));
  BOOST_REQUIRE_MESSAGE(code.has_value(), "the run did not end within 5 minutes of the disk filling up");
  const std::string err = mg::testing::ReadFile(ws.dir() / "full.err");

  // A clear error, one of two, depending on what hits the full disk first:
  // - a state write (cache, journal, task log): exit 3 (docs/cli.md), naming the file, ENOSPC and
  //   the fix; the report says so too;
  // - a task's own work (git's checkout, buildah's storage, both under the state directory): the
  //   task fails with ENOSPC in its error, exit 1. Which one comes first is a race: tmpfs keeps the
  //   rest of a file's last page, so a few journal records may still fit after the fill.
  // The exit-3 path itself is pinned deterministically by unit.exec.executor_test.
  BOOST_TEST((*code == 3 || *code == 1), "exit " << *code << "\n" << err);
  BOOST_TEST(err.find("No space left on device") != std::string::npos, err);
  mg::Json report = ws.ReadJson("full.json");
  BOOST_TEST(report.value("exit_code", -1) == *code, report.dump());
  if (*code == 3) {
    BOOST_TEST(err.find("cannot write the state directory " + state) != std::string::npos, err);
    BOOST_TEST(err.find("cannot write " + state + "/") != std::string::npos, err);  // names the file
    BOOST_TEST(err.find("free space") != std::string::npos, err);
    BOOST_TEST(report.value("state_error", "").find("No space left on device") != std::string::npos, report.dump());
  } else {
    BOOST_TEST(report.dump().find("No space left on device") != std::string::npos, report.dump());
    BOOST_TEST(err.find("FAILED build:hello@") != std::string::npos, err);
  }

  // Nothing written before the fill is lost: every earlier entry still loads, none is damaged.
  {
    auto cache = mg::ActionCache::OpenReadOnly(state);
    BOOST_TEST_REQUIRE(cache.ok(), cache.status().ToString());
    BOOST_TEST((*cache)->dropped_records() == 0u);
    for (const std::string& key : before) BOOST_TEST((*cache)->Get(key) != nullptr, key);
  }

  // Space freed: the rerun completes.
  fs::remove(filler);
  auto rerun = ws.Run({"run", "-j", "2", "--json", "rerun.json"}, std::chrono::minutes(10));
  BOOST_TEST(rerun.exit_code == 0, rerun.Describe());
  mg::Json again = ws.ReadJson("rerun.json");
  for (const std::string& v : {"1.0.0", "1.1.0"}) {
    std::string merge = "merge:hello@" + v;
    std::string s = mg::testing::TaskStatusOf(again, merge);
    BOOST_TEST((s == "ran" || s == "cached" || s == "unneeded"), merge << ": " << s);
  }
  BOOST_TEST(rerun.err.find("damaged") == std::string::npos, rerun.err);  // no torn record was left
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
