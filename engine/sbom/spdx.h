// SPDX 2.3 JSON documents for scanned images (https://spdx.github.io/spdx-spec/v2.3/).
#pragma once

#include <string>
#include <vector>

#include "sbom/package.h"
#include "util/json.h"
#include "util/status.h"

namespace mg {

struct SpdxImage {
  std::string digest;    // the image manifest's digest, "sha256:<hex>"
  std::string platform;  // "linux/amd64", "linux/arm64/v8"; may be empty in a single-image document
  ScanResult scan;
};

struct SpdxInput {
  std::string repository;    // "registry.example:5000/team/app" (no tag, no digest)
  std::string tag;           // optional: recorded in the image purls and the document name
  std::string index_digest;  // set: a multi-platform document about this index; else one image
  std::vector<SpdxImage> images;
  std::string created;       // "YYYY-MM-DDThh:mm:ssZ" (UTC); passed in so output is reproducible
  std::string tool_version = MIRRORGRAPH_VERSION;
};

// "https://mirrorgraph.invalid/spdx/<repository>@<digest>": the document namespace. Unique per
// subject and stable (re-scanning the same digest names the same document); ".invalid" is a
// reserved TLD, so it is never fetched. Characters outside [A-Za-z0-9-._~:/@] are %-encoded.
std::string SpdxNamespace(const std::string& repository, const std::string& digest);

// Builds the document. Layout (docs/sbom.md): a package for the index (index documents) and for
// each image (primaryPackagePurpose CONTAINER, purl pkg:oci, SHA256 checksum = its digest), one
// for the image's OS when found (OPERATING_SYSTEM), one per scanned package (purl as a
// PACKAGE-MANAGER externalRef, licenseDeclared = Package::copyright_license when set, else the
// declared license normalised by NormalizeLicenseExpression (sbom/license.h), NOASSERTION when
// nothing usable was declared; every LicenseRef-* used has its text in hasExtractedLicensingInfos;
// downloadLocation, licenseConcluded and copyrightText
// NOASSERTION). Relationships: DOCUMENT DESCRIBES the subject (index or image), index CONTAINS
// each image, image CONTAINS its OS and packages. SPDXIDs are derived from digests and package
// fields, so they are stable; packages keep the scanner's order, images sort by platform.
// Errors: InvalidArgument (no images; several images without index_digest; a digest that is not
// "sha256:<64 hex>"; `created` not in the form above; empty repository).
Result<Json> BuildSpdx(const SpdxInput& input);

// CanonicalJson(BuildSpdx(input)): compact, keys sorted, byte-for-byte reproducible.
Result<std::string> WriteSpdx(const SpdxInput& input);

// Whether `expression` is a well-formed SPDX license expression (ids, "+", LicenseRef-/
// DocumentRef-, AND/OR/WITH in upper case, parentheses). Ids are not checked against the SPDX
// license list.
bool IsSpdxLicenseExpression(const std::string& expression);

}  // namespace mg
