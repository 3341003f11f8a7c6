// The commands that put `mirrorgraph` on a CI job's PATH (docs/ci.md, "Installing mirrorgraph").
#pragma once

#include <string>

namespace mg {

// The default when [ci] install is empty. There is no prebuilt binary to download, so it builds
// mirrorgraph from a source tarball the repository pins: $MIRRORGRAPH_SOURCE_URL, checked against
// $MIRRORGRAPH_SOURCE_SHA256 (both required; a clear error names them when unset). It installs the
// build and run-time packages with apt-get (through sudo when not root), then, unless
// `<prefix>/bin/mirrorgraph` exists already (a restored cache), downloads, checks, builds without
// tests and installs into `prefix`. `prefix` is shell text (e.g. "$HOME/.mirrorgraph-install").
// Debian 12 and Ubuntu 24.04 package names. Ends with a newline; does not change PATH.
std::string DefaultInstallScript(const std::string& prefix);

}  // namespace mg
