// `mirrorgraph keygen` and `mirrorgraph verify` (docs/cli.md, docs/attestations.md). Each returns
// the process exit code (cli/options.h).
#pragma once

#include <atomic>

#include "cli/options.h"

namespace mg {

// Writes <prefix>.key (cosign's encrypted format, mode 0600) and <prefix>.pub. The passphrase is
// COSIGN_PASSWORD when set (even empty), else asked twice on the terminal; without either it
// refuses. Existing files are never overwritten. 0 written; 1 a write failed; 2 refused (a file
// exists, no passphrase available, the passphrases differ).
int KeygenCommand(const CliOptions& options);

// Verifies options.image against the public key options.key: 0 every check passed; 1 a check
// failed (each failure printed with what and where); 2 usage (bad reference, unreadable key or
// docker config); 4 the image could not be read (not found, unreachable, denied); 130
// interrupted.
int VerifyCommand(const CliOptions& options, const std::atomic<int>* interrupt);

}  // namespace mg
