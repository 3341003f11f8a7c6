#include "config/template_dirs.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "util/install_dirs.h"
#include "util/quote_value.h"
#include "util/strings.h"

namespace fs = std::filesystem;

namespace mg {
namespace {

bool IsRegularFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

}  // namespace

std::vector<std::string> DefaultTemplateDirs(const std::vector<std::string>& extra, const std::string& exe) {
  std::vector<std::string> dirs;
  auto add = [&](const std::string& dir) {
    if (dir.empty()) return;
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
  };
  if (const char* env = std::getenv("MIRRORGRAPH_GRAPH_PATH")) {
    for (const std::string& dir : Split(env, ':')) add(dir);
  }
  for (const std::string& dir : extra) add(dir);
  std::error_code ec;
  const std::string source_graphs = mg::SourceTreeDir() + "/graphs";
  if (InBuildTree(exe) && fs::is_directory(source_graphs, ec)) add(source_graphs);
  // An install tree moved after `cmake --install --prefix X` still finds its templates.
  if (std::string moved = BesideExecutable(mg::GraphSubdir(), exe); !moved.empty() && fs::is_directory(moved, ec)) {
    add(moved);
  }
  add(mg::InstallGraphDir());
  return dirs;
}

bool IsTemplatePath(const std::string& name) {
  return name.find('/') != std::string::npos || EndsWith(name, ".toml");
}

std::string FindTemplateFile(const std::string& name, const std::vector<std::string>& dirs) {
  if (IsTemplatePath(name)) return IsRegularFile(name) ? name : "";
  if (name.empty()) return "";
  for (const std::string& dir : dirs) {
    fs::path candidate = fs::path(dir) / (name + ".toml");
    if (IsRegularFile(candidate)) return candidate.string();
  }
  return "";
}

std::vector<std::string> ListTemplateNames(const std::vector<std::string>& dirs) {
  std::vector<std::string> names;
  for (const std::string& dir : dirs) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::path& p = it->path();
      if (p.extension() == ".toml" && IsRegularFile(p)) names.push_back(p.stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string UnknownTemplateMessage(const std::string& name, const std::vector<std::string>& dirs) {
  if (IsTemplatePath(name)) return "template file " + QuoteValue(name, '\'') + " does not exist";
  std::vector<std::string> known = ListTemplateNames(dirs);
  std::string message = "unknown template " + QuoteValue(name, '\'');
  if (auto guess = DidYouMean(name, known)) message += "; did you mean '" + *guess + "'?";
  if (known.empty()) {
    message += " (no templates found in: " + Join(dirs, ", ") + ")";
  } else {
    message += " (known templates: " + Join(known, ", ") + ")";
  }
  return message;
}

}  // namespace mg
