// What a keyless signer needs to know about a Fulcio certificate it holds or finds next to a
// signature: its identity, issuer, validity and public key. Parsing only; chain and policy checks
// live with verification. Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sign/keys.h"
#include "util/status.h"

namespace mg {

struct X509Leaf {
  std::string identity;   // the first SAN: an email address or a URI
  std::string issuer;     // the OIDC issuer extension (1.3.6.1.4.1.57264.1.8, else .1.1); "" when absent
  int64_t not_before = 0;  // seconds since the epoch
  int64_t not_after = 0;
  std::string der;        // the certificate, DER
  PublicKey public_key;
};

// The first certificate of `pem`. InvalidArgument naming `what` when it is not a PEM
// certificate or its key is not P-256.
Result<X509Leaf> ReadX509Leaf(std::string_view pem, std::string_view what);

// The certificates of a PEM bundle, DER, in order. InvalidArgument naming `what` on garbage.
Result<std::vector<std::string>> PemCertificatesToDer(std::string_view pem, std::string_view what);

}  // namespace mg
