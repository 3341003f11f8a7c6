// What the attestation tasks (sign, sbom, provenance) need from the config and the session.
#pragma once

#include <string>

namespace mg {

struct AttestSettings {
  std::string key;             // [attestations] key: a private key file (absolute); empty: none configured
  std::string passphrase_file; // MIRRORGRAPH_KEY_PASSPHRASE_FILE, else empty (then COSIGN_PASSWORD)
  std::string builder_id;      // SLSA runDetails.builder.id; empty: the documented default
  std::string run_id;          // this run's id (provenance metadata.invocationId)
  std::string state_dir;       // the journal gives real start/finish times
};

}  // namespace mg
