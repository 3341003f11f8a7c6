// What the attestation tasks (sign, sbom, provenance) need from the config and the session.
#pragma once

#include <memory>
#include <string>

#include "sign/keyless_signer.h"

namespace mg {

struct AttestSettings {
  std::string key;             // [attestations] key: a private key file (absolute); empty: none configured
  // Set when [attestations] signer = "keyless": the session's one keyless signer (the key above is
  // then not used).
  std::shared_ptr<SharedKeyless> keyless;
  std::string passphrase_file; // MIRRORGRAPH_KEY_PASSPHRASE_FILE, else empty (then COSIGN_PASSWORD)
  std::string builder_id;      // SLSA runDetails.builder.id; empty: the documented default
  std::string run_id;          // this run's id (provenance metadata.invocationId)
  std::string state_dir;       // the journal gives real start/finish times
};

}  // namespace mg
