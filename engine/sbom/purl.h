// Package URLs (purl, https://github.com/package-url/purl-spec) for the packages the scanner finds.
//
// Encoding: every component is percent-encoded (upper-case hex) except ASCII letters, digits,
// '-', '.', '_', '~' and ':' (the spec forbids encoding ':'); '/' is kept in qualifier values
// and between namespace segments. So '+' becomes %2B and '@' %40. Qualifiers are sorted by key;
// empty qualifier values are left out. All functions are pure and thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "sbom/package.h"

namespace mg {

// Percent-encodes one purl component (see above); `keep_slash` keeps '/' unencoded.
std::string PurlEncode(std::string_view text, bool keep_slash = false);

// "pkg:<type>/<namespace>/<name>@<version>?<k>=<v>&..." with each part encoded; `name_space`
// may hold several '/'-separated segments (each encoded), empty parts are left out.
std::string MakePurl(std::string_view type, std::string_view name_space, std::string_view name,
                     std::string_view version, const std::map<std::string, std::string>& qualifiers = {});

// The purl of a scanned package, given the image's OS (for the deb/apk namespace and the distro
// qualifier):
//   deb     pkg:deb/<os ID or "debian">/<name>@<version>?arch=<arch>&distro=<ID>-<VERSION_ID>
//   apk     pkg:apk/<os ID or "alpine">/<name>@<version>?arch=<arch>&distro=<ID>-<VERSION_ID>
//   npm     pkg:npm/<%40scope>/<name>@<version>          (name lower-cased)
//   golang  pkg:golang/<module path>@<version>           (no version when "(devel)" or empty);
//           the standard library: pkg:golang/stdlib@<Go version without "go" and build flags>
// Empty for other types.
std::string PurlFor(const Package& package, const OsInfo& os);

// pkg:oci/<last path segment of repository, lower-cased>@<digest>?arch=..&repository_url=<repository>&tag=..
// `repository` is "registry/path/name"; `arch` and `tag` may be empty.
std::string OciPurl(std::string_view repository, std::string_view digest, std::string_view arch = "",
                    std::string_view tag = "");

}  // namespace mg
