#include "util/install_dirs.h"

#include <filesystem>

namespace mg {

std::string BesideExecutable(const std::string& relative) {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) return "";
  return (exe.parent_path().parent_path() / relative).lexically_normal().string();
}

}  // namespace mg
