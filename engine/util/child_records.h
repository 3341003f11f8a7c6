// Records of the process groups a run's subprocesses lead, kept in a directory of the state
// directory while they run, so that the run after a `kill -9` can stop what the killed run left
// behind (docs/cli.md, "Signals").
//
// One file per child, <dir>/<pgid>, holding one line "pgid start_time session boot_id owner_pid
// program": written when the child has started, removed once it has been reaped. A run killed
// with SIGKILL leaves its files behind. The identity (start time and boot id of the group leader,
// the session) keeps a recycled pid from ever being taken for a recorded child.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "util/process_table.h"
#include "util/status.h"

namespace mg {

struct ChildRecord {
  pid_t pgid = 0;           // the child's pid, which leads its own process group
  uint64_t start_time = 0;  // the child's start time (ProcessInfo::start_time)
  pid_t session = 0;        // the session of the run, which the group shares
  std::string boot_id;
  pid_t owner_pid = 0;      // the mirrorgraph process that started it
  std::string program;      // argv[0], for messages
};

// Writes <dir>/<pgid> (no fsync: the processes it names do not survive a power loss either).
// Thread-safe: one file per child.
Status WriteChildRecord(const std::string& dir, const ChildRecord& record);
// Removes <dir>/<pgid>; a missing file is fine.
void RemoveChildRecord(const std::string& dir, pid_t pgid);

struct LeftoverStop {
  size_t records = 0;                  // records found (each removed afterwards)
  size_t unreadable = 0;               // of which damaged (a run killed while writing one)
  size_t groups = 0;                   // recorded groups still alive, signalled
  std::vector<ProcessInfo> processes;  // their live members when found
  size_t killed = 0;                   // members still alive after the grace period: SIGKILLed
  size_t left_running = 0;             // members alive even after SIGKILL (e.g. stuck in the kernel)
  std::set<pid_t> owners;              // the mirrorgraph runs that started them
  std::chrono::milliseconds grace{0};

  // One line for the user, "" when there was nothing to stop nor anything damaged.
  std::string Describe() const;
  // Whether nothing an earlier run left can still be running: every group stopped, and no damaged
  // record that could have named one.
  bool AllStopped() const { return left_running == 0 && unreadable == 0; }
};

// Stops what the records in `dir` name that still runs: each recorded group with live members
// whose leader, when alive, has the recorded start time, and whose members are all in the
// recorded session, started no earlier than the leader, on this boot. Those groups get SIGTERM;
// members alive after `grace` (or at once after SkipSubprocessStopGrace(), util/subprocess.h) get
// SIGKILL. Then every record is removed. A missing `dir` is an empty one.
// REQUIRES: nothing records into `dir` meanwhile (the caller holds the state directory's lock
// and has started no subprocess yet). Blocks up to `grace` plus a few seconds.
Result<LeftoverStop> StopLeftoverChildren(const std::string& dir, std::chrono::milliseconds grace);

}  // namespace mg
