// Reading Linux's process table (/proc): which processes live, in which process group and session,
// started when. Used to find and stop the process groups of children, ours or an earlier run's.
//
// Every function is thread-safe (no shared state) and never throws; a process that ends while it
// is being read is simply not reported.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mg {

struct ProcessInfo {
  pid_t pid = 0;
  char state = '?';         // stat(5) field 3: R, S, D, T, Z (zombie), X (dead), ...
  pid_t pgid = 0;
  pid_t session = 0;
  uint64_t start_time = 0;  // clock ticks after boot (field 22): with the pid, a process's identity
  std::string command;      // comm: the program name, at most 15 characters

  // Still running: neither a zombie waiting to be reaped nor dead.
  bool live() const { return state != 'Z' && state != 'X'; }
};

// /proc/PID/stat, parsed; nullopt when there is no such process (or it cannot be read).
std::optional<ProcessInfo> ReadProcess(pid_t pid);

// Every process /proc lists, zombies included.
std::vector<ProcessInfo> ListProcesses();

// The live (non-zombie) members of process group `pgid`.
std::vector<ProcessInfo> LiveGroupMembers(pid_t pgid);

// This boot's id (/proc/sys/kernel/random/boot_id), read once; "" when unreadable. Start times
// count from boot, so a process identity is only meaningful with it.
const std::string& BootId();

}  // namespace mg
