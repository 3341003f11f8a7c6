#include "util/install_dirs.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace mg {

namespace fs = std::filesystem;

std::string RunningExecutable() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  return exe.string();
}

std::string BesideExecutable(const std::string& relative, const std::string& exe) {
  if (exe.empty()) return "";
  return (fs::path(exe).parent_path().parent_path() / relative).lexically_normal().string();
}

bool IsWithin(const std::string& path, const std::string& dir) {
  if (path.empty() || dir.empty()) return false;
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path, ec);
  if (ec) p = fs::path(path).lexically_normal();
  fs::path d = fs::weakly_canonical(dir, ec);
  if (ec) d = fs::path(dir).lexically_normal();
  // "/a/b/" and "/a/b" name the same directory; an empty last component would not match.
  if (!d.has_filename()) d = d.parent_path();
  auto [d_end, p_it] = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
  return d_end == d.end();
}

bool InBuildTree(const std::string& exe) { return IsWithin(exe, BuildDir()); }

std::string SourceTreeDir() { return MIRRORGRAPH_SOURCE_DIR; }
std::string BuildDir() { return MIRRORGRAPH_BUILD_DIR; }
std::string BuildPluginDir() { return MIRRORGRAPH_BUILD_DIR "/plugins"; }
std::string InstallPluginDir() { return MIRRORGRAPH_INSTALL_PLUGIN_DIR; }
std::string InstallGraphDir() { return MIRRORGRAPH_INSTALL_GRAPH_DIR; }
std::string PluginSubdir() { return MIRRORGRAPH_PLUGIN_SUBDIR; }
std::string GraphSubdir() { return MIRRORGRAPH_GRAPH_SUBDIR; }

}  // namespace mg
