// The system package databases: dpkg's status file and Alpine's apk installed database.
#pragma once

#include <string_view>
#include <vector>

#include "sbom/package.h"

namespace mg {

// A dpkg status file (var/lib/dpkg/status) or a status.d entry (distroless images): RFC 822
// stanzas separated by blank lines. Returns the packages whose "Status:" is "<want> ok installed"
// with want "install" or "hold" (held packages are installed too; "deinstall ok config-files",
// "purge ok not-installed", half-installed and the like are not). Fields used: Package, Version,
// Architecture, License (first line; not a standard dpkg field, empty when absent). Stanzas without
// Package or Version are skipped. purl is left empty (it depends on the OS). Never fails.
std::vector<Package> ParseDpkgStatus(std::string_view text, std::string_view source_path);

// Alpine's lib/apk/db/installed: "X:value" lines, blank lines between packages. Fields used:
// P (name), V (version), A (arch), L (license). Entries without P or V are skipped. Never fails.
std::vector<Package> ParseApkInstalled(std::string_view text, std::string_view source_path);

}  // namespace mg
