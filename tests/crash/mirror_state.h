// What the crash suites that drive the real `mirrorgraph run` against a real registry share
// (kill_matrix, shards): one registry, one two-version upstream whose builds are reproducible, one
// key pair, the clean run's registry state as the baseline, and ways to read a run's journal and
// the registry's state. Boost.Test helpers: they report through BOOST_TEST/BOOST_REQUIRE and must
// be called from a test case. Not thread-safe (the shared state is built on first use).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli_fixture.h"
#include "sign/keys.h"
#include "util/json.h"

namespace mg::crash {

inline constexpr char kPassphrase[] = "kill-matrix-pass";
inline const std::vector<std::string> kVersions = {"1.0.0", "1.1.0"};
inline constexpr size_t kLegs = 4;  // 2 versions x 2 platforms

// What every scenario shares: the registry, one upstream (so that every workspace builds the same
// commits, hence the same bytes), one key pair, and the clean run's registry state.
struct Shared {
  std::unique_ptr<mg::testing::TestRegistry> reg;
  mg::testing::TempDir dir{"mg-kill-matrix"};
  std::string upstream;
  std::string key, pub;
  std::optional<mg::PublicKey> public_key;
};

// Built on first use (this process becomes a child subreaper then); lives until exit.
Shared& Common();
// The registry state of one clean, uninterrupted run (namespace "km-clean"), made on first use.
const Json& CleanState();

// The process ids whose parent is this process (zombies included).
std::set<pid_t> ChildPids();
// Waits for the children of a killed run, reparented to this process (a subreaper), to end.
// `before`: this process's children before the run started (the registry), never waited for.
void WaitForOrphans(const std::set<pid_t>& before);

// A run journal's events (cache/journal.h).
struct Journal {
  std::string run_id;
  std::vector<Json> events;
  size_t Count(const std::string& type, const std::string& status) const;
  std::set<std::string> Ids(const std::string& type, const std::string& status) const;
};
// The newest run's journal in state directory `state`; nullopt when there is none (yet).
std::optional<Journal> NewestJournal(const std::string& state);

// Wakes up when a file in <state>/runs changes (inotify), or after `timeout` as a fallback.
class JournalWatch {
 public:
  explicit JournalWatch(const std::filesystem::path& runs_dir);
  ~JournalWatch();
  JournalWatch(const JournalWatch&) = delete;
  JournalWatch& operator=(const JournalWatch&) = delete;
  void Wait(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

// "km-<name>": one registry namespace per scenario.
std::string Namespace(const std::string& name);
// Writes the workspace's config: app "hello" from the shared upstream into namespace `ns`,
// signed with the shared key; `attestations_extra` goes into [attestations], `more_tables` after it.
void Prepare(mg::testing::CliWorkspace& ws, const std::string& ns, const std::string& attestations_extra = "",
             const std::string& more_tables = "");
// `mirrorgraph run -j 2 --json report` in the workspace, up to 10 minutes.
mg::testing::CliResult RunToCompletion(mg::testing::CliWorkspace& ws, const std::string& report,
                                       const std::vector<std::string>& more_args = {});

// The registry's state for one namespace: tags -> digests; per version, per subject (index and
// platforms): its digest, its signatures (count, and whether one verifies), its attestations
// (type -> normalized predicates, sorted). Also checks every DSSE envelope verifies.
Json RegistryState(const std::string& ns);
// Every provenance in `state` is complete: one per subject, no reconstructed marker, no unknown,
// the build times present.
void CheckProvenanceComplete(const Json& state, const std::string& what);
// `got` equals the clean run's state, reported subject by subject.
void CheckSameAsClean(const Json& got, const std::string& what);
// The build ids with status `status` in a --json report.
std::set<std::string> ReportBuilds(const Json& report, const std::string& status);

}  // namespace mg::crash
