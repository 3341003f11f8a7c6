// One KeySigner per key file per process. Decrypting a cosign key costs a scrypt with N=65536
// (0.1-0.2 s and 64 MiB): the sign, sbom and provenance tasks of every version share one decrypted
// key instead of decrypting it per task.
//
// The cache lives in memory only (key material is never written anywhere) for the life of the
// process. An entry is keyed by the absolute path and checked against the file on every call
// (device, inode, size, modification time and mode, one stat): a replaced or chmod-ed key file is
// loaded again, so the permission rule of LoadPrivateKeyFile still applies. Failures are never
// cached: a wrong passphrase fails every call. Thread-safe; concurrent first calls for one path
// decrypt it once (the others wait).
#pragma once

#include <memory>
#include <string>

#include "sign/keys.h"
#include "sign/signer.h"
#include "util/status.h"

namespace mg {

// The shared signer for `key_path` (LoadPrivateKeyFile with `passphrase` on first use or after the
// file changed). Errors: those of LoadPrivateKeyFile (NotFound, PermissionDenied for a wrong
// passphrase, FailedPrecondition for a key readable by others, InvalidArgument).
Result<std::shared_ptr<KeySigner>> SharedKeySigner(const std::string& key_path, const KeyPassphrase& passphrase);

// How many times SharedKeySigner decrypted a key in this process (for tests and benchmarks).
int SharedKeySignerLoads();

}  // namespace mg
