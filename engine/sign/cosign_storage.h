// cosign's registry layout: signatures and attestations stored next to the image they are about,
// in the same repository, as cosign 2.x and containers/image ("use-sigstore-attachments") read
// them (docs/attestations.md, "Storage in the registry").
//
//   <repo>:sha256-<hex>.sig   an OCI image manifest; one layer per signature: the simple-signing
//                             payload (kSimpleSigningMediaType), the base64 DER signature in the
//                             dev.cosignproject.cosign/signature layer annotation.
//   <repo>:sha256-<hex>.att   the same shape; one layer per attestation: a DSSE envelope
//                             (kDsseEnvelopeMediaType) around an in-toto Statement v1, with the
//                             "predicateType" layer annotation.
//
// Both manifests have cosign's config: an application/vnd.oci.image.config.v1+json blob listing
// the layers as rootfs diff_ids (byte for byte what cosign 2.x writes). Writers keep every layer
// already there and append theirs; nothing is duplicated (the Attach functions check first).
//
// Thread-safety: every function is thread-safe as far as `client` is (it is). The Attach functions
// serialise their read-modify-write of one tag within this process (the sbom and provenance tasks
// of one version append to the same .att manifest at once). Two processes writing the same tag at
// the same moment can lose one's layer (the registry API has no compare-and-swap for tags); the
// tasks re-check their cached results, so the next run adds it back.
//
// Errors: InvalidArgument for an invalid repository or a subject digest that is not sha256 (before
// any request); registry failures as in oci/registry_client.h and oci/push.h (PermissionDenied,
// Unavailable, ...); Corruption when the tag holds something that is not a cosign manifest, or a
// blob does not match its digest; the signer's errors. Messages name registry, repository and tag.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "oci/reference.h"
#include "oci/registry_client.h"
#include "sign/keys.h"
#include "sign/signer.h"
#include "util/json.h"
#include "util/status.h"

namespace mg {

inline constexpr std::string_view kCosignSignatureSuffix = ".sig";
inline constexpr std::string_view kCosignAttestationSuffix = ".att";

// CosignTag (the tag of what is attached to a manifest) is in oci/reference.h.

// One layer of a .sig or .att manifest, with its content.
struct CosignLayer {
  std::string media_type;
  std::string payload;  // the blob's bytes (verified against `digest`)
  std::map<std::string, std::string> annotations;
  std::string digest;   // "sha256:<hex>" of `payload`
};

// The layers of <repo>:CosignTag(subject_digest, suffix), in manifest order, each payload blob
// fetched and digest-verified. Empty when the tag does not exist (an unsigned image is not an
// error). Corruption when the tag holds an index or a manifest whose layers are malformed
// (missing digest or media type, non-string annotations).
Result<std::vector<CosignLayer>> ReadCosignLayers(RegistryClient& client, const std::string& repo,
                                                  const std::string& subject_digest, std::string_view suffix);

// Signs and attaches a cosign image signature of `subject_digest`: the simple-signing payload for
// "<client.registry()>/<repo>" and the digest (no optional claims), one layer of media type
// kSimpleSigningMediaType with CosignSignatureAnnotations(the signer's material). Returns true when
// it wrote the layer; false, writing nothing and signing nothing, when the .sig manifest already
// has a layer with this exact payload whose signature the signer owns (Signer::Owns)
// (ECDSA signatures are randomised: payloads are compared, signatures verified, never compared).
// The subject need not be checked for existence: cosign does not either.
Result<bool> AttachSignature(RegistryClient& client, const std::string& repo, const std::string& subject_digest,
                             Signer& signer);

// Signs (DSSE, payload type application/vnd.in-toto+json) and attaches an in-toto Statement v1
// whose one subject is "<client.registry()>/<repo>" with `subject_digest`, of `predicate_type`
// and `predicate` (an object). One layer of media type kDsseEnvelopeMediaType with the annotations
// predicateType = `predicate_type` and dev.cosignproject.cosign/signature = "" (as cosign writes;
// the signature is inside the envelope), plus a keyless signer's certificate, chain and bundle.
// Returns false, writing nothing, when a layer with the same predicateType annotation already
// holds an equal statement (the decoded DSSE payloads compared as JSON) that the signer owns. InvalidArgument for an empty predicate type or a non-object predicate.
Result<bool> AttachAttestation(RegistryClient& client, const std::string& repo, const std::string& subject_digest,
                               const std::string& predicate_type, const Json& predicate, Signer& signer);

// AttachAttestation that also removes from the .att manifest every other layer of `predicate_type`
// that the signer owns and whose statement's predicate `supersedes` accepts (a
// weaker statement of ours that this one replaces, as `cosign attest --replace` does for its
// type); layers of other signers and types are kept. Returns true when it wrote: a new layer (with
// the superseded ones left out), or, when an equal statement is already attached, the manifest
// without the superseded ones. *superseded (when non-null) is set to the number removed.
// Same errors as AttachAttestation. An empty `supersedes` removes nothing (AttachAttestation).
Result<bool> AttachAttestationReplacing(RegistryClient& client, const std::string& repo,
                                        const std::string& subject_digest, const std::string& predicate_type,
                                        const Json& predicate, Signer& signer,
                                        const std::function<bool(const Json& predicate)>& supersedes,
                                        size_t* superseded);

// AttachAttestation for a predicate given as its canonical JSON text (CanonicalJson of an object,
// e.g. WriteSpdx's output): the statement is written around the text without copying or
// re-serialising it (SerializeStatementWithPredicateText). Same result, dedup and errors;
// InvalidArgument when the text is not of the form "{...}".
Result<bool> AttachCanonicalAttestation(RegistryClient& client, const std::string& repo,
                                        const std::string& subject_digest, const std::string& predicate_type,
                                        std::string_view canonical_predicate, Signer& signer);

// True when <repo>:CosignTag(subject_digest, ".sig") has a layer whose payload is exactly the
// payload AttachSignature would write and whose signature `signer` owns (Signer::Owns): what the
// sign task re-checks before it trusts a cached result. No blob is fetched (the payload is
// deterministic: its digest identifies it).
Result<bool> HasCosignSignature(RegistryClient& client, const std::string& repo, const std::string& subject_digest,
                                const Signer& signer);
// The same for a key-based signature checked with the public key alone (verify, test tools).
Result<bool> HasCosignSignature(RegistryClient& client, const std::string& repo, const std::string& subject_digest,
                                const PublicKey& key);

// The payload bytes AttachSignature signs for `subject_digest` in `repo` of `client`'s registry.
std::string CosignSignaturePayload(const RegistryClient& client, const std::string& repo,
                                   const std::string& subject_digest);

// The config blob cosign 2.x writes for a .sig/.att manifest with these layer digests, in order:
//   {"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"}, ...],
//    "os":"","rootfs":{"type":"layers","diff_ids":[<layer digests>]},"config":{}}
// (one history entry per layer). Exposed for tests.
std::string CosignConfigBlob(const std::vector<std::string>& layer_digests);

}  // namespace mg
