// Image references: "host[:port]/path/name[:tag][@sha256:<hex>]", validated per the OCI
// distribution spec.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace mg {

struct ImageReference {
  std::string registry;    // "registry.example:5000"; "docker.io" when the reference names none
  std::string repository;  // "team/app"; Docker Hub single names get "library/"
  std::string tag;         // empty when absent
  std::string digest;      // "sha256:<64 hex>", empty when absent

  // The manifest reference to fetch: the digest when present, else the tag, else "latest".
  std::string Reference() const;
  // "registry/repository[:tag][@digest]".
  std::string ToString() const;
};

// Parses and validates. The first path component is the registry when it contains '.' or ':' or
// is "localhost" (the docker rule); otherwise the registry is "docker.io". Errors: InvalidArgument
// naming the reference and the rule it breaks.
Result<ImageReference> ParseImageReference(std::string_view text);

// Repository name: components of [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* joined by '/'; at most 255
// characters.
bool IsValidRepositoryName(std::string_view name);
// Tag: [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}.
bool IsValidTag(std::string_view tag);
// Digest: "sha256:" + 64 lower-case hex, or "sha512:" + 128 lower-case hex.
bool IsValidDigest(std::string_view digest);
// Registry host: a DNS name or IPv4 literal or bracketed IPv6 literal, with an optional ":port".
bool IsValidRegistryHost(std::string_view host);

// Where cosign stores what is attached to a manifest: "sha256:<hex>" + ".sig" -> "sha256-<hex>.sig".
// `suffix` may be given with or without its dot (".att" or "att"). REQUIRES: `subject_digest` is
// "<algorithm>:<hex>". (Here, below sign/, so that prune can name the tags without signing code.)
std::string CosignTag(std::string_view subject_digest, std::string_view suffix);

}  // namespace mg
