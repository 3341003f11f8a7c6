// Verifying an image the way `mirrorgraph verify` reports it: the cosign signature of the index
// and of every platform manifest, and every attestation attached to each (DSSE signature, in-toto
// subject digest), with one SignatureVerifier: a public key, or a keyless identity policy over a
// trusted root (sign/signature_verifier.h). Reads the registry only; what it finds is in the
// result, problems included — a verification that fails is a value, not an error.
//
// The rules (docs/attestations.md, "What mirrorgraph verify checks"):
//   signature    the .sig manifest exists and at least one simple-signing layer verifies (with the
//                key; keyless: certificate, identity, signature and log entry) and names this
//                digest (as cosign verify: other layers may be other signers'); layers that do not
//                verify are listed as notes, and named with why when none does;
//   attestations every DSSE layer of the .att manifest must verify the same way, carry an in-toto
//                statement (payload type application/vnd.in-toto+json) and name this digest
//                among its subjects. No attestation at all is not a failure (it is reported).
// Thread-safe as far as `client` is.
#pragma once

#include <string>
#include <vector>

#include "oci/registry_client.h"
#include "sign/keys.h"
#include "sign/signature_verifier.h"
#include "util/json.h"
#include "util/status.h"

namespace mg {

struct AttestationVerification {
  std::string layer_digest;
  std::string predicate_type;  // the statement's; else the layer annotation's
  bool ok = false;
  std::string problem;  // why !ok
  // What the verified statement says, for display: SPDX {"packages": n, "name": ...}; SLSA
  // provenance {"builder": id, "sources": [{"uri", "commit"}]}, plus "reconstructed": why and
  // "unknown": [...] when it is a reconstructed one. Empty for other types or !ok.
  Json summary = Json::object();
};

struct SubjectVerification {
  std::string platform;  // "" for the index (or the single image the reference names)
  std::string digest;
  int signature_layers = 0;  // layers in the .sig manifest
  int valid_signatures = 0;  // of those, verifying with the key and naming this digest
  std::string signature_problem;    // empty when the signature check passed
  std::vector<std::string> notes;   // layers skipped and why (other keys, other identities)
  std::vector<AttestationVerification> attestations;

  bool ok() const;
};

struct ImageVerification {
  std::string image;       // "registry/repository"
  std::string reference;   // the tag or digest asked for
  std::string digest;      // what it resolved to
  std::string media_type;
  std::string key_fingerprint;  // PublicKey::Fingerprint(); "" when verified keyless
  std::string verified_with;    // SignatureVerifier::Describe()
  std::vector<SubjectVerification> subjects;  // the index first, then its platform manifests

  bool ok() const;
  // Every failed check, one line each: "<platform, index or image> <digest>: <what failed>".
  std::vector<std::string> Failures() const;
  // What verified but is weaker than it should be, one line each: "<platform, index or image>
  // <digest>: the provenance is reconstructed (<why>); it does not say: <unknown>" for every SLSA
  // provenance carrying the reconstructed marker (sign/slsa_provenance.h). Not failures: ok() is
  // unaffected (docs/attestations.md, "What mirrorgraph verify checks").
  std::vector<std::string> Warnings() const;
  // Sorted keys; {"image", "reference", "digest", "media_type", "key", "verified_with", "ok",
  // "failures", "warnings", "subjects": [...]}.
  Json ToJson() const;
};

// Resolves `reference` (a tag or a digest) in `repo` and checks it (an index: the index and every
// platform manifest, "unknown/unknown" attestation entries skipped; an image manifest: itself).
// Errors (nothing could be checked): NotFound when the image does not exist; registry failures as
// in oci/registry_client.h; InvalidArgument for an invalid repository or reference. A .sig/.att
// manifest that is malformed is a failed check of its subject, not an error.
// Signatures and attestations are checked by `verifier` (sign/signature_verifier.h); the PublicKey
// form is KeyVerifier(key).
Result<ImageVerification> VerifyCosignImage(RegistryClient& client, const std::string& repo,
                                            const std::string& reference, const SignatureVerifier& verifier);
Result<ImageVerification> VerifyCosignImage(RegistryClient& client, const std::string& repo,
                                            const std::string& reference, const PublicKey& key);

}  // namespace mg
