// `mirrorgraph verify --require sbom,provenance,signature`: which kinds of attestation every
// subject of an image must carry, checked over what VerifyCosignImage found (docs/cli.md,
// "verify"). Pure functions; no registry access.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sign/cosign_verify.h"
#include "util/status.h"

namespace mg {

struct RequiredAttestations {
  bool signature = false;   // a cosign signature that verifies
  bool sbom = false;        // an attestation of predicate type https://spdx.dev/Document that verifies
  bool provenance = false;  // an attestation of predicate type https://slsa.dev/provenance/... that verifies

  bool any() const { return signature || sbom || provenance; }
  // "signature,sbom,provenance" order, only those required.
  std::string ToString() const;
};

// Parses a comma-separated list of "signature", "sbom", "provenance" (surrounding spaces ignored,
// repeats allowed). Errors: InvalidArgument for an empty list or an unknown word (with a
// suggestion when one is close).
Result<RequiredAttestations> ParseRequiredAttestations(std::string_view list);

// One line per subject (the index and every platform manifest, or the single image) and per
// required kind it lacks: "<platform|index|image> <digest>: required sbom attestation
// (https://spdx.dev/Document) is missing", "... required provenance attestation does not verify:
// <problem>", "... required signature does not verify: <problem>". An attestation kind is met when
// at least one attestation of it verifies. Empty when every requirement is met (or none is set).
std::vector<std::string> CheckRequiredAttestations(const ImageVerification& verification,
                                                   const RequiredAttestations& required);

}  // namespace mg
