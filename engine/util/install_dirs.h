// Where mirrorgraph finds its plugins and templates: in the build tree it was built in, or in the
// install tree it runs from (wherever that tree was moved).
#pragma once

#include <string>

namespace mg {

// The running executable's absolute path, read from /proc/self/exe. Empty when it cannot be told.
std::string RunningExecutable();

// `<prefix>/<relative>` where <prefix> is the parent of the directory holding `exe`
// (…/bin/mirrorgraph -> …). Empty when `exe` is empty.
// `relative` is a path under the install prefix, like "lib/mirrorgraph/plugins".
std::string BesideExecutable(const std::string& relative, const std::string& exe = RunningExecutable());

// True when `path` is `dir` or lies below it, compared component by component after resolving
// symlinks (so "/b/build-deb/x" is not inside "/b/build"). False when either is empty.
bool IsWithin(const std::string& path, const std::string& dir);

// True when `exe` lies inside the build tree this binary was configured in (BuildDir()). Only
// then do the build tree's plugins (BuildPluginDir()) and the checkout's graphs/ apply: an
// installed engine (/usr/bin/mirrorgraph, or any `cmake --install` prefix) never looks there,
// even when the build tree still exists on the machine.
bool InBuildTree(const std::string& exe = RunningExecutable());

// Paths fixed when this binary was configured (CMake), compiled into util/install_dirs.cc alone.
std::string SourceTreeDir();      // the checkout it was built from
std::string BuildDir();           // the build tree it was built in
std::string BuildPluginDir();     // <build>/plugins
std::string InstallPluginDir();   // <prefix>/lib/mirrorgraph/plugins
std::string InstallGraphDir();    // <prefix>/share/mirrorgraph/graphs
std::string PluginSubdir();       // lib/mirrorgraph/plugins (relative to a prefix)
std::string GraphSubdir();        // share/mirrorgraph/graphs

}  // namespace mg
