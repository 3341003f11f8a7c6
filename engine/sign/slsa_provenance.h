// SLSA provenance v1 predicates (predicateType https://slsa.dev/provenance/v1), built from a
// plain struct:
//
//   {"buildDefinition":{"buildType":<URI>,"externalParameters":{...},"internalParameters":{...},
//                       "resolvedDependencies":[ResourceDescriptor...]},
//    "runDetails":{"builder":{"id":<URI>,"version":{...},"builderDependencies":[...]},
//                  "metadata":{"invocationId":"...","startedOn":"<RFC 3339>","finishedOn":"<RFC 3339>"},
//                  "byproducts":[...]}}
//
// Deterministic: the same input gives the same bytes (sorted keys; descriptor lists sorted by
// uri, name, then digest, exact duplicates dropped). Optional fields that are empty are omitted.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/json.h"
#include "util/status.h"

namespace mg {

// The buildType of every mirrorgraph provenance: "a container image built from an upstream
// source by mirrorgraph's build task, then merged into a multi-platform index". Its parameters
// are documented in docs/attestations.md. The .invalid domain is reserved and never resolves:
// it names, it does not link.
inline constexpr std::string_view kMirrorgraphBuildType = "https://mirrorgraph.invalid/buildtypes/container@v1";
// runDetails.builder.id when [attestations] builder_id is empty. A deployment that wants its
// provenance to name its own trusted build platform (a CI runner) sets builder_id.
inline constexpr std::string_view kDefaultBuilderId = "https://mirrorgraph.invalid/builder@v1";

// An in-toto ResourceDescriptor. At least one of uri and digest is required.
struct ResourceDescriptor {
  std::string uri;                            // "git+https://host/repo.git@refs/tags/v1.2.3", ...
  std::map<std::string, std::string> digest;  // {"gitCommit": "<40 hex>"}, {"sha256": "<64 hex>"}
  std::string name;
  std::string download_location;
  std::string media_type;
  Json annotations;  // null or an object
};

struct SlsaProvenanceInput {
  std::string build_type = std::string(kMirrorgraphBuildType);  // an absolute URI
  Json external_parameters = Json::object();                     // object: what the user asked for
  Json internal_parameters = Json::object();                     // object: what the platform chose
  std::vector<ResourceDescriptor> resolved_dependencies;
  std::string builder_id;                             // an absolute URI; empty: kDefaultBuilderId
  std::map<std::string, std::string> builder_version;  // {"mirrorgraph": "0.1.0"}
  std::vector<ResourceDescriptor> builder_dependencies;
  std::string invocation_id;                   // the run id
  std::optional<int64_t> started_on_millis;    // Unix milliseconds, written as RFC 3339 UTC
  std::optional<int64_t> finished_on_millis;
  std::vector<ResourceDescriptor> byproducts;
};

// The predicate object. Errors: InvalidArgument naming the field when build_type or builder_id
// is not an absolute URI (scheme ":" ...), a parameter block is not an object, a descriptor has
// neither uri nor digest or has an invalid digest set, annotations are not an object, or
// finished_on is before started_on.
Result<Json> BuildSlsaProvenance(const SlsaProvenanceInput& input);

// A resolved dependency on a git commit: uri "git+<url>@<ref>" ("git+" not doubled; "@<ref>"
// left out when `ref` is empty), digest {"gitCommit": commit}. InvalidArgument unless `commit` is
// 40 or 64 lowercase hex digits and `url` is non-empty.
Result<ResourceDescriptor> GitCommitDependency(std::string_view url, std::string_view ref, std::string_view commit);

// A resolved dependency identified by an OCI digest ("sha256:<hex>"): digest {"sha256": "<hex>"}.
Result<ResourceDescriptor> OciDigestDependency(std::string uri, std::string_view oci_digest);

// The marker of a reconstructed provenance: one written when the build was not observed, from
// what the registry says (docs/attestations.md, "Reconstructed provenance"). It sits in
// buildDefinition.internalParameters as
//   "reconstructed_from": {"why": "<one line>", "index_annotations": {...}}
// next to "unknown": [what the predicate cannot say].
inline constexpr std::string_view kReconstructedFromField = "reconstructed_from";

struct ReconstructedProvenance {
  std::string why;                   // empty when the marker holds no reason
  std::vector<std::string> unknown;  // internalParameters.unknown, in order
};

// The marker of `predicate`, or nullopt when it has none (or is no provenance predicate at all).
// Reads untrusted JSON: never throws, whatever the types.
std::optional<ReconstructedProvenance> FindReconstructed(const Json& predicate);

}  // namespace mg
