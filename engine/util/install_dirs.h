// Where an installed mirrorgraph finds its data, wherever the install tree was moved.
#pragma once

#include <string>

namespace mg {

// `<prefix>/<relative>` where <prefix> is the parent of the directory holding the running
// executable (…/bin/mirrorgraph -> …), read from /proc/self/exe. Empty when it cannot be told.
// `relative` is a path under the install prefix, like "lib/mirrorgraph/plugins".
std::string BesideExecutable(const std::string& relative);

// Paths fixed when this binary was configured (CMake), compiled into util/install_dirs.cc alone.
std::string SourceTreeDir();      // the checkout it was built from
std::string BuildPluginDir();     // <build>/plugins
std::string InstallPluginDir();   // <prefix>/lib/mirrorgraph/plugins
std::string InstallGraphDir();    // <prefix>/share/mirrorgraph/graphs
std::string PluginSubdir();       // lib/mirrorgraph/plugins (relative to a prefix)
std::string GraphSubdir();        // share/mirrorgraph/graphs

}  // namespace mg
