// Where pipeline templates (graphs/<name>.toml) are found. Lives in the config layer so the config
// loader can check template names; the graph layer (graph/template.h) loads them.
#pragma once

#include <string>
#include <vector>

#include "util/install_dirs.h"

namespace mg {

// Directories searched for "<name>.toml", in order, without duplicates: the entries of the
// MIRRORGRAPH_GRAPH_PATH environment variable (colon-separated), then `extra` (the config's
// engine.graph_path, already absolute), then the source tree's graphs/ (only when the executable
// `exe` lies in the build tree: util/install_dirs.h InBuildTree), then the graphs directory beside
// the executable (<exe>/../../share/mirrorgraph/graphs, for a moved install tree), then the install
// directory.
std::vector<std::string> DefaultTemplateDirs(const std::vector<std::string>& extra,
                                             const std::string& exe = RunningExecutable());

// True when `name` refers to a file rather than a template name: it contains '/' or ends in ".toml".
bool IsTemplatePath(const std::string& name);

// The first "<dir>/<name>.toml" that is a regular file, or "" when none is. For a path
// (IsTemplatePath) returns it when it is a regular file.
std::string FindTemplateFile(const std::string& name, const std::vector<std::string>& dirs);

// Names of every "<name>.toml" in `dirs`, sorted, without duplicates.
std::vector<std::string> ListTemplateNames(const std::vector<std::string>& dirs);

// "unknown template 'multi-versoin'; did you mean 'multi-version'? (known templates: latest-only,
// multi-version)" - or for a path, "template file '<path>' does not exist".
std::string UnknownTemplateMessage(const std::string& name, const std::vector<std::string>& dirs);

}  // namespace mg
