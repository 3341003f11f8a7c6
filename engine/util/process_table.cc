#include "util/process_table.h"

#include <dirent.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "util/strings.h"

namespace mg {
namespace {

std::string ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::optional<ProcessInfo> ReadProcess(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  std::string stat = ReadSmallFile("/proc/" + std::to_string(pid) + "/stat");
  // "PID (COMM) S PPID PGRP SESSION ...": comm may hold spaces and parentheses; it ends at the last ')'.
  size_t open = stat.find('(');
  size_t close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open || close + 2 > stat.size()) {
    return std::nullopt;
  }
  std::vector<std::string> f;
  for (const std::string& s : Split(stat.substr(close + 2), ' ')) {
    if (!s.empty()) f.push_back(s);
  }
  if (f.size() < 20 || f[0].empty()) return std::nullopt;
  ProcessInfo p;
  p.pid = pid;
  p.command = stat.substr(open + 1, close - open - 1);
  p.state = f[0][0];
  p.pgid = static_cast<pid_t>(std::strtol(f[2].c_str(), nullptr, 10));
  p.session = static_cast<pid_t>(std::strtol(f[3].c_str(), nullptr, 10));
  p.start_time = std::strtoull(f[19].c_str(), nullptr, 10);
  return p;
}

std::vector<ProcessInfo> ListProcesses() {
  std::vector<ProcessInfo> out;
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) return out;
  while (struct dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || end == e->d_name || *end != '\0') continue;
    if (auto p = ReadProcess(static_cast<pid_t>(pid))) out.push_back(std::move(*p));
  }
  ::closedir(dir);
  return out;
}

std::vector<ProcessInfo> LiveGroupMembers(pid_t pgid) {
  std::vector<ProcessInfo> out;
  for (ProcessInfo& p : ListProcesses()) {
    if (p.pgid == pgid && p.live()) out.push_back(std::move(p));
  }
  return out;
}

const std::string& BootId() {
  static const std::string id(Trim(ReadSmallFile("/proc/sys/kernel/random/boot_id")));
  return id;
}

}  // namespace mg
