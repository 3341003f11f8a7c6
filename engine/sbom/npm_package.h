// npm package manifests (package.json).
#pragma once

#include <string_view>

#include "sbom/package.h"
#include "util/status.h"

namespace mg {

// Reads name, version and the declared license of a package.json: "license" as a string or an
// object's "type"; else the legacy "licenses" array (strings or objects' "type") joined with
// " OR ". type = "npm", source_path as given, purl left empty.
// Errors: Corruption (not a JSON object), InvalidArgument (no string "name", or no string
// "version" when `require_version`).
Result<Package> ParseNpmPackageJson(std::string_view text, std::string_view source_path, bool require_version);

}  // namespace mg
