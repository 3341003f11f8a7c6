// in-toto Statement v1, the payload of every attestation (DSSE payloadType
// application/vnd.in-toto+json):
//
//   {"_type":"https://in-toto.io/Statement/v1",
//    "subject":[{"name":"<registry>/<repository>","digest":{"sha256":"<hex>"}}],
//    "predicateType":"<URI>","predicate":{...}}
//
// Pure functions, thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/json.h"
#include "util/status.h"

namespace mg {

inline constexpr std::string_view kInTotoStatementV1 = "https://in-toto.io/Statement/v1";
// Older statement type, still written by `cosign attest-blob`; accepted when parsing.
inline constexpr std::string_view kInTotoStatementV01 = "https://in-toto.io/Statement/v0.1";
// Predicate types cosign maps its --type names to.
inline constexpr std::string_view kSlsaProvenanceV1PredicateType = "https://slsa.dev/provenance/v1";  // slsaprovenance1
inline constexpr std::string_view kSpdxPredicateType = "https://spdx.dev/Document";                  // spdxjson
// The layer annotation naming an attestation's predicate type in a .att manifest.
inline constexpr std::string_view kPredicateTypeAnnotation = "predicateType";

struct InTotoSubject {
  std::string name;                           // for images: "registry/repository"
  std::map<std::string, std::string> digest;  // algorithm -> lowercase hex, e.g. {"sha256": "..."}
};

struct InTotoStatement {
  std::vector<InTotoSubject> subjects;
  std::string predicate_type;
  Json predicate = Json::object();
};

// A subject for `name` from an OCI digest "sha256:<hex>". InvalidArgument for anything else.
Result<InTotoSubject> SubjectFromOciDigest(std::string name, std::string_view oci_digest);

// Checks an in-toto DigestSet: non-empty; algorithm names of [A-Za-z0-9_-] ("sha256",
// "gitCommit"); values lowercase hex, 64 digits for sha256 and 128 for sha512.
// InvalidArgument "<where>: <rule broken>".
Status ValidateDigestSet(const std::map<std::string, std::string>& digest, std::string_view where);

// Checks the statement: at least one subject, each with a valid digest set, a non-empty
// predicateType, and an object predicate. InvalidArgument naming the first rule broken.
Status ValidateStatement(const InTotoStatement& statement);

// The v1 statement as compact JSON with sorted keys (deterministic: same statement, same bytes).
// Subjects keep the caller's order. Errors: those of ValidateStatement.
Result<std::string> SerializeStatement(const InTotoStatement& statement);

// The bytes SerializeStatement writes, for a predicate given as its canonical JSON text
// (CanonicalJson of an object), so that a caller holding that text (a large SBOM, serialised once)
// neither copies it into a statement nor serialises it again. The text is inserted as is, not
// re-parsed. Errors: those of ValidateStatement; InvalidArgument when `canonical_predicate` is not
// of the form "{...}".
Result<std::string> SerializeStatementWithPredicateText(const std::vector<InTotoSubject>& subjects,
                                                        std::string_view predicate_type,
                                                        std::string_view canonical_predicate);

// Parses a statement of type v1 (or v0.1, which has the same fields) and validates it.
Result<InTotoStatement> ParseStatement(std::string_view json);

}  // namespace mg
