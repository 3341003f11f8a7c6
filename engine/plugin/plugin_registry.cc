#include "plugin/plugin_registry.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <utility>

#include "util/install_dirs.h"
#include "util/paths.h"
#include "util/quote_value.h"
#include "util/strings.h"

namespace mg {
namespace {

namespace fs = std::filesystem;

constexpr const char kPrefix[] = "mirrorgraph-";
constexpr const char kSuffix[] = ".so";

// "mirrorgraph-foo.so" -> "foo"; "" when the file name does not have that shape.
std::string NameFromFileName(const std::string& file_name) {
  const std::string prefix = kPrefix, suffix = kSuffix;
  if (file_name.size() <= prefix.size() + suffix.size()) return "";
  if (file_name.compare(0, prefix.size(), prefix) != 0 || !EndsWith(file_name, suffix)) return "";
  return file_name.substr(prefix.size(), file_name.size() - prefix.size() - suffix.size());
}

bool IsValidName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> PluginRegistry::DefaultSearchDirs(const std::vector<std::string>& extra,
                                                           const std::string& exe) {
  std::vector<std::string> dirs = extra;
  if (const char* env = std::getenv("MIRRORGRAPH_PLUGIN_PATH"); env != nullptr) {
    for (std::string& dir : Split(env, ':')) dirs.push_back(std::move(dir));
  }
  std::error_code ec;
  if (InBuildTree(exe) && fs::is_directory(mg::BuildPluginDir(), ec)) dirs.push_back(mg::BuildPluginDir());
  // An install tree moved after `cmake --install --prefix X` still finds its plugins.
  std::string moved = BesideExecutable(mg::PluginSubdir(), exe);
  if (!moved.empty() && moved != mg::InstallPluginDir() && fs::is_directory(moved, ec)) dirs.push_back(moved);
  dirs.push_back(mg::InstallPluginDir());
  return dirs;
}

PluginRegistry::PluginRegistry(std::vector<std::string> dirs, Defaults defaults) {
  if (defaults == Defaults::kInclude) dirs = DefaultSearchDirs(dirs);
  for (const auto& d : dirs) {
    if (d.empty()) continue;
    std::string abs = AbsolutePath(d);
    bool seen = false;
    for (const auto& existing : dirs_) seen = seen || existing == abs;
    if (!seen) dirs_.push_back(abs);
  }
}

std::map<std::string, std::string> PluginRegistry::ScanDirs() const {
  std::map<std::string, std::string> found;
  for (const auto& dir : dirs_) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) continue;
    std::map<std::string, std::string> here;  // sorted, for determinism within a directory
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) break;
      std::string name = NameFromFileName(it->path().filename().string());
      std::error_code type_ec;
      if (name.empty() || !it->is_regular_file(type_ec)) continue;
      here.emplace(name, it->path().string());
    }
    for (auto& [name, file] : here) found.emplace(name, file);  // earlier directories win
  }
  return found;
}

Result<std::shared_ptr<Plugin>> PluginRegistry::Load(const std::string& name_or_path) {
  std::string file;
  std::string expected_name;
  if (name_or_path.find('/') != std::string::npos || EndsWith(name_or_path, kSuffix)) {
    file = AbsolutePath(name_or_path);
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
      return Status::NotFound("plugin file " + file + " does not exist (or is not a regular file)");
    }
  } else {
    if (!IsValidName(name_or_path)) {
      return Status::InvalidArgument("'" + name_or_path +
                                     "' is not a plugin name ([a-z0-9-]+) nor a path to a .so file");
    }
    expected_name = name_or_path;
    const std::string file_name = kPrefix + name_or_path + kSuffix;
    for (const auto& dir : dirs_) {
      std::error_code ec;
      fs::path candidate = fs::path(dir) / file_name;
      if (fs::is_regular_file(candidate, ec)) {
        file = candidate.string();
        break;
      }
    }
    if (file.empty()) {
      std::vector<std::string> available;
      for (const auto& [name, path] : ScanDirs()) available.push_back(name);
      return Status::NotFound("plugin " + QuoteValue(name_or_path, '\'') + " not found: no " + ClipValue(file_name) +
                              " in " +
                              (dirs_.empty() ? std::string("(no directories)") : Join(dirs_, ", ")) +
                              (available.empty() ? std::string("; no plugins are installed there")
                                                 : "; available: " + Join(available, ", ")) +
                              "; add its directory to engine.plugin_path or $MIRRORGRAPH_PLUGIN_PATH, "
                              "or give the path to the .so");
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  return LoadFileLocked(file, expected_name);
}

Result<std::shared_ptr<Plugin>> PluginRegistry::LoadFileLocked(const std::string& file,
                                                               const std::string& expected_name) {
  std::error_code ec;
  fs::path canonical = fs::canonical(file, ec);
  const std::string key = ec ? file : canonical.string();
  if (auto it = by_file_.find(key); it != by_file_.end()) {
    if (!expected_name.empty() && it->second->name() != expected_name) {
      return Status::FailedPrecondition("plugin " + file + ": its table names it '" + it->second->name() +
                                        "' but it was loaded as '" + expected_name + "'; rename the file to " +
                                        kPrefix + it->second->name() + kSuffix + " or fix the name in the plugin");
    }
    return it->second;
  }

  dlerror();  // clear any stale error
  void* handle = dlopen(key.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Status::FailedPrecondition("plugin " + file + ": cannot load it: " +
                                      (why != nullptr ? std::string(why) : std::string("dlopen failed")));
  }
  dlerror();
  void* sym = dlsym(handle, MG_PLUGIN_ENTRY_SYMBOL);
  if (sym == nullptr) {
    dlclose(handle);
    return Status::FailedPrecondition("plugin " + file + ": it does not export " MG_PLUGIN_ENTRY_SYMBOL
                                      "(); is it a mirrorgraph plugin? Build it with MIRRORGRAPH_PLUGIN() "
                                      "(mirrorgraph/plugin.hpp) or export that C function (mirrorgraph/plugin.h)");
  }
  auto entry = reinterpret_cast<mg_plugin_entry_fn>(sym);
  const mg_plugin* table = entry();
  if (Status s = ValidatePluginTable(table, file, expected_name); !s.ok()) {
    dlclose(handle);
    return s;
  }
  auto plugin = std::make_shared<Plugin>(table, key, handle);
  by_file_.emplace(key, plugin);
  return plugin;
}

std::vector<PluginInfo> PluginRegistry::ListAvailable() {
  std::vector<PluginInfo> out;
  const auto files = ScanDirs();
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, file] : files) {
    PluginInfo info;
    info.name = name;
    info.file = AbsolutePath(file);
    auto loaded = LoadFileLocked(file, name);
    if (loaded.ok()) {
      info.version = loaded.value()->version();
      info.file = loaded.value()->file();
    } else {
      info.error = loaded.status().message();
    }
    out.push_back(std::move(info));
  }
  return out;  // ScanDirs' map is sorted by name
}

}  // namespace mg
