#include "util/install_dirs.h"

#include <filesystem>

namespace mg {

std::string BesideExecutable(const std::string& relative) {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) return "";
  return (exe.parent_path().parent_path() / relative).lexically_normal().string();
}

std::string SourceTreeDir() { return MIRRORGRAPH_SOURCE_DIR; }
std::string BuildPluginDir() { return MIRRORGRAPH_BUILD_PLUGIN_DIR; }
std::string InstallPluginDir() { return MIRRORGRAPH_INSTALL_PLUGIN_DIR; }
std::string InstallGraphDir() { return MIRRORGRAPH_INSTALL_GRAPH_DIR; }
std::string PluginSubdir() { return MIRRORGRAPH_PLUGIN_SUBDIR; }
std::string GraphSubdir() { return MIRRORGRAPH_GRAPH_SUBDIR; }

}  // namespace mg
