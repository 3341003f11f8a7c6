// cosign's "simple signing" payload: the bytes a cosign image signature signs, stored as the
// layer of the sha256-<hex>.sig manifest (media type kSimpleSigningMediaType) with the base64
// signature in the kCosignSignatureAnnotation layer annotation. containers/image (skopeo,
// podman) reads the same format ("sigstoreSigned" policies).
//
//   {"critical":{"identity":{"docker-reference":"<registry>/<repository>"},
//                "image":{"docker-manifest-digest":"sha256:<hex>"},
//                "type":"cosign container image signature"},
//    "optional":null | {<string annotations>}}
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "sign/signer.h"
#include "util/json.h"
#include "util/status.h"

namespace mg {

inline constexpr std::string_view kSimpleSigningMediaType = "application/vnd.dev.cosign.simplesigning.v1+json";
inline constexpr std::string_view kCosignSignatureAnnotation = "dev.cosignproject.cosign/signature";
inline constexpr std::string_view kSimpleSigningType = "cosign container image signature";
// Keyless signatures also carry these (cosign's names).
inline constexpr std::string_view kCosignCertificateAnnotation = "dev.sigstore.cosign/certificate";
inline constexpr std::string_view kCosignChainAnnotation = "dev.sigstore.cosign/chain";
inline constexpr std::string_view kCosignBundleAnnotation = "dev.sigstore.cosign/bundle";
// The same signature as a Sigstore bundle v0.3 (sign/sigstore_bundle.h), ours: cosign ignores it;
// sigstore clients (sigstore-js, sigstore-python) verify it as is, and `mirrorgraph verify` reads
// its inclusion proof.
inline constexpr std::string_view kSigstoreBundleAnnotation = "dev.mirrorgraph/sigstore-bundle";

struct SimpleSigningClaims {
  std::string docker_reference;  // "registry/repository", as cosign 2.x writes it (no tag)
  std::string manifest_digest;   // "sha256:<hex>"
  Json optional;                 // null or an object
};

// The payload, byte for byte what `cosign generate <reference>@<digest>` prints (compact JSON,
// sorted keys, no trailing newline). A null or empty `optional` is written as null, as cosign
// does without annotations. REQUIRES: `manifest_digest` is a valid digest (oci/reference.h
// IsValidDigest) and `optional` is null or an object.
std::string SimpleSigningPayload(const std::string& docker_reference, const std::string& manifest_digest,
                                 const Json& optional);

// The annotations of a signature layer in a .sig manifest: kCosignSignatureAnnotation with the
// base64 signature, plus certificate, chain, cosign's bundle and the Sigstore bundle when the
// material has them.
Json CosignSignatureAnnotations(const SignatureMaterial& material);

// Parses and checks a payload the way verifiers do: `critical` must hold exactly identity, image
// and type; type must be kSimpleSigningType; the digest must be valid; `optional`, when present,
// null or an object. Errors: InvalidArgument saying which rule failed. It does not check that
// the digest is the expected one: callers compare claims.manifest_digest.
Result<SimpleSigningClaims> ParseSimpleSigningPayload(std::string_view payload);

}  // namespace mg
