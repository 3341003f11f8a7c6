// PluginRegistry: finds plugins by name in the search path, dlopens them once, and caches them.
//
// A name ("generic") resolves to the first mirrorgraph-<name>.so in the search directories, in
// order: the extra directories given (the config's engine.plugin_path), $MIRRORGRAPH_PLUGIN_PATH
// (colon-separated), the build tree's plugins directory (only when the running executable lies in
// that build tree: util/install_dirs.h InBuildTree), the plugins directory beside the executable
// (<exe>/../../lib/mirrorgraph/plugins, for an install tree that was moved), the install directory.
// A value containing '/' or ending in ".so" is a path to the file itself.
//
// Loaded plugins stay loaded as long as the registry (or any caller holding the shared_ptr) lives;
// keep one registry for the whole process. Libraries are opened with RTLD_NOW | RTLD_LOCAL, so an
// unresolved symbol fails at load time and plugins never see each other's symbols.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "plugin/plugin.h"
#include "util/install_dirs.h"
#include "util/status.h"

namespace mg {

struct PluginInfo {
  std::string name;     // the table's name; from the file name when the plugin does not load
  std::string version;  // empty when the plugin does not load
  std::string file;     // absolute path of the .so
  std::string error;    // why it does not load; empty when it does
};

class PluginRegistry {
 public:
  enum class Defaults { kInclude, kExclude };

  // Searches `dirs` and then (with kInclude) the default directories listed above. Relative
  // directories are made absolute against the current directory; empty entries are ignored.
  explicit PluginRegistry(std::vector<std::string> dirs = {}, Defaults defaults = Defaults::kInclude);
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // `extra` followed by the default directories listed above, as seen by the executable `exe`
  // (tests pass another path to see what an installed binary searches).
  static std::vector<std::string> DefaultSearchDirs(const std::vector<std::string>& extra,
                                                    const std::string& exe = RunningExecutable());

  const std::vector<std::string>& search_dirs() const { return dirs_; }

  // Loads (or returns the cached) plugin. Thread-safe. Errors name the file and the fix:
  // NotFound (no such plugin: lists the directories searched and the plugins available there),
  // InvalidArgument (malformed name), FailedPrecondition (dlopen failure with dlerror's text, no
  // entry symbol, ABI mismatch, table too small, name mismatch, NULL functions).
  Result<std::shared_ptr<Plugin>> Load(const std::string& name_or_path);

  // Every mirrorgraph-*.so in the search directories (the first file of each name wins), loaded to
  // read its name and version; a file that does not load is listed with its error. Sorted by name.
  std::vector<PluginInfo> ListAvailable();

 private:
  // REQUIRES: mu_ held.
  Result<std::shared_ptr<Plugin>> LoadFileLocked(const std::string& file, const std::string& expected_name);
  // Plugin name -> file, first directory wins.
  std::map<std::string, std::string> ScanDirs() const;

  std::vector<std::string> dirs_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Plugin>> by_file_;  // GUARDED_BY(mu_); key: canonical path
};

}  // namespace mg
