#include "util/child_records.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <sstream>
#include <thread>

#include "util/atomic_file.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace mg {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string RecordPath(const std::string& dir, pid_t pgid) { return dir + "/" + std::to_string(pgid); }

std::optional<ChildRecord> ParseRecord(const std::string& text) {
  std::istringstream in(text);
  ChildRecord r;
  if (!(in >> r.pgid >> r.start_time >> r.session >> r.boot_id >> r.owner_pid)) return std::nullopt;
  std::getline(in, r.program);
  r.program = std::string(Trim(r.program));
  // Session 0 is real: a process whose session leader lives outside its pid namespace (a container
  // started without an init of its own, as CI runners do) reads 0 from getsid() and /proc.
  if (r.pgid <= 1 || r.session < 0 || r.owner_pid <= 0 || r.boot_id.empty() || r.program.empty()) return std::nullopt;
  return r;
}

// The live members of `record`'s group when it is still the recorded child's group; empty when
// the group has ended, or its number now belongs to someone else.
std::vector<ProcessInfo> MembersOf(const ChildRecord& record, const std::vector<ProcessInfo>& table) {
  if (record.boot_id != BootId() || record.pgid == ::getpgrp() || record.pgid == ::getpid()) return {};
  std::vector<ProcessInfo> members;
  for (const ProcessInfo& p : table) {
    // The pid of a live group's leader cannot be reused while the group has members; a leader
    // with another start time means the group ended and the number was given out again.
    if (p.pid == record.pgid && p.start_time != record.start_time) return {};
    if (p.pgid != record.pgid || !p.live()) continue;
    if (p.session != record.session || p.start_time < record.start_time) return {};
    members.push_back(p);
  }
  return members;
}

size_t LiveCount(const std::vector<pid_t>& groups) {
  size_t n = 0;
  for (const ProcessInfo& p : ListProcesses()) {
    if (!p.live()) continue;
    for (pid_t g : groups) n += p.pgid == g ? 1 : 0;
  }
  return n;
}

// Waits until no live member of `groups` is left, or `until` passes (or the grace is skipped when
// `skippable`). Returns the live members left.
size_t WaitForGroups(const std::vector<pid_t>& groups, SteadyClock::time_point until, bool skippable) {
  for (;;) {
    size_t alive = LiveCount(groups);
    if (alive == 0 || SteadyClock::now() >= until || (skippable && SubprocessStopGraceSkipped())) return alive;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

Status WriteChildRecord(const std::string& dir, const ChildRecord& r) {
  std::string path = RecordPath(dir, r.pgid);
  std::string line = std::to_string(r.pgid) + " " + std::to_string(r.start_time) + " " + std::to_string(r.session) +
                     " " + r.boot_id + " " + std::to_string(r.owner_pid) + " " + r.program + "\n";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("writing " + path + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(fd, line.data() + off, line.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : ENOSPC;
      ::close(fd);
      ::unlink(path.c_str());
      return Status::IOError("writing " + path + ": " + std::strerror(err));
    }
    off += static_cast<size_t>(n);
  }
  ::close(fd);
  return Status::OK();
}

void RemoveChildRecord(const std::string& dir, pid_t pgid) { ::unlink(RecordPath(dir, pgid).c_str()); }

Result<LeftoverStop> StopLeftoverChildren(const std::string& dir, std::chrono::milliseconds grace) {
  LeftoverStop out;
  out.grace = grace;
  std::vector<std::string> files;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") files.push_back(name);
    }
    ::closedir(d);
  } else if (errno != ENOENT) {
    return Status::IOError("reading " + dir + ": " + std::strerror(errno));
  }
  std::vector<ProcessInfo> table = ListProcesses();
  std::vector<pid_t> groups;
  for (const std::string& name : files) {
    ++out.records;
    Result<std::string> text = ReadFile(dir + "/" + name);
    std::optional<ChildRecord> record = text.ok() ? ParseRecord(*text) : std::nullopt;
    if (!record || std::to_string(record->pgid) != name) {
      ++out.unreadable;
      continue;
    }
    std::vector<ProcessInfo> members = MembersOf(*record, table);
    if (members.empty()) continue;
    groups.push_back(record->pgid);
    out.owners.insert(record->owner_pid);
    out.processes.insert(out.processes.end(), members.begin(), members.end());
    ::kill(-record->pgid, SIGTERM);
  }
  out.groups = groups.size();
  if (!groups.empty()) {
    size_t alive = WaitForGroups(groups, SteadyClock::now() + grace, /*skippable=*/true);
    if (alive > 0) {
      out.killed = alive;
      for (pid_t g : groups) ::kill(-g, SIGKILL);
      out.left_running = WaitForGroups(groups, SteadyClock::now() + std::chrono::seconds(10), /*skippable=*/false);
    }
  }
  for (const std::string& name : files) ::unlink((dir + "/" + name).c_str());
  return out;
}

std::string LeftoverStop::Describe() const {
  std::string line;
  if (!processes.empty()) {
    std::map<std::string, int> programs;
    for (const ProcessInfo& p : processes) programs[p.command]++;
    std::vector<std::string> names;
    for (const auto& [name, n] : programs) names.push_back(n > 1 ? name + " x" + std::to_string(n) : name);
    std::vector<std::string> pids;
    for (pid_t o : owners) pids.push_back(std::to_string(o));
    line = "stopped " + std::to_string(processes.size()) + " process" + (processes.size() == 1 ? "" : "es") + " (" +
           Join(names, ", ") + ") in " + std::to_string(groups) + " process group" + (groups == 1 ? "" : "s") +
           " left running by an earlier run that was killed (pid " + Join(pids, ", ") + "): SIGTERM";
    if (killed > 0) {
      line += ", then SIGKILL for " + std::to_string(killed) + " still running after the " +
              std::to_string(grace.count() / 1000) + " s grace period";
    }
    if (left_running > 0) line += "; " + std::to_string(left_running) + " still did not end (check `ps`)";
  }
  if (unreadable > 0) {
    line += std::string(line.empty() ? "" : "; ") + "removed " + std::to_string(unreadable) +
            " unreadable record" + (unreadable == 1 ? "" : "s") + " of an earlier run's processes";
  }
  return line;
}

}  // namespace mg
