// What the SBOM scanner finds in an image: installed packages and the operating system.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sbom/license.h"

namespace mg {

// One installed package. Values are copied from the package database or manifest as found;
// nothing is guessed. Empty strings mean "not declared".
struct Package {
  std::string type;         // "deb", "apk", "npm", "golang" (see docs/sbom.md)
  std::string name;         // dpkg/apk package name, npm name ("@scope/name"), Go module path
                            // ("stdlib" for the Go toolchain's standard library)
  std::string version;      // as declared ("1:2.36-9+deb12u4", "1.2.4-r2", "4.17.21", "v1.2.3", "go1.22.1")
  std::string arch;         // deb/apk architecture ("amd64", "x86_64"); empty for others
  std::string license;      // as declared (dpkg "License:", apk "L:", package.json); not normalised
  // deb only: what /usr/share/doc/<name>/copyright declares (sbom/license.h), set by the scanner
  // when the file is machine-readable and says something usable; empty otherwise. When set, the
  // SBOM uses it instead of `license`.
  DeclaredLicense copyright_license;
  std::string purl;         // package URL (docs/sbom.md, "Package URLs")
  std::string source_path;  // where it was found, absolute in the image ("/var/lib/dpkg/status")
  bool is_application = false;  // the app's own package.json, or a Go binary's main module

  friend bool operator==(const Package&, const Package&) = default;
};

// Identification of the image's operating system from os-release(5). Empty when not found.
struct OsInfo {
  std::string id;           // ID ("debian", "alpine")
  std::string version_id;   // VERSION_ID ("12", "3.19.1")
  std::string pretty_name;  // PRETTY_NAME
  std::string name;         // NAME
  std::string source_path;  // "/etc/os-release" or "/usr/lib/os-release"
  bool found() const { return !id.empty() || !pretty_name.empty() || !name.empty(); }
};

struct ScanResult {
  OsInfo os;
  // Sorted by (type, name, version, source_path, arch): deterministic for a given image.
  std::vector<Package> packages;
  // Non-fatal findings, in layer order: files skipped because they exceed a cap or do not parse
  // (a package.json that is not JSON, a Go binary whose build info is cut short). At most
  // ScanOptions::max_warnings; warnings_dropped counts the rest.
  std::vector<std::string> warnings;
  uint64_t warnings_dropped = 0;
  // Statistics.
  int layers = 0;
  uint64_t entries = 0;          // tar entries seen, all layers
  uint64_t bytes_parsed = 0;     // bytes of file content read by the parsers
};

}  // namespace mg
