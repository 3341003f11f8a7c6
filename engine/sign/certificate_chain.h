// Keyless verification of a signing certificate (docs/attestations.md, "Verifying keyless
// signatures"): the leaf chains to a certificate authority of the trusted root at the time the
// transparency log recorded the signature (Fulcio certificates live ten minutes; as cosign, the
// chain is checked at the log's integratedTime, not now), it is for code signing, and its
// identity (a SAN: email or URI) and OIDC issuer (extension 1.3.6.1.4.1.57264.1.8, else .1.1)
// match the policy.
//
// Inputs are untrusted (PEM from registry annotations): nothing throws; a check that fails is a
// value with the reason. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "sign/trusted_root.h"
#include "sign/x509_leaf.h"
#include "util/status.h"

namespace mg {

// Whom a keyless signature must come from: an exact identity or a regular expression that must
// match the whole identity (ECMAScript, as std::regex; cosign's are Go RE2, the same for the usual
// patterns), and the same for the issuer.
class IdentityPolicy {
 public:
  // InvalidArgument when a pattern is empty or not a valid regular expression (naming the flag).
  static Result<IdentityPolicy> Make(std::string identity, bool identity_is_regexp, std::string issuer,
                                     bool issuer_is_regexp);

  // "" when some SAN of `identities` and `issuer` match; else why not, e.g.
  // `the certificate's identity is "X", wanted "Y"`.
  std::string Check(const std::vector<std::string>& identities, const std::string& issuer) const;
  // `identity "X" (issuer "Y")`, `identity matching /X/ (issuer "Y")`.
  std::string Describe() const;

 private:
  IdentityPolicy() = default;
  std::string identity_, issuer_;
  std::optional<std::regex> identity_re_, issuer_re_;
};

struct CertificateCheck {
  bool ok = false;
  std::string problem;                  // why !ok
  std::optional<X509Leaf> leaf;         // when the leaf could be parsed
  std::vector<std::string> identities;  // every email and URI SAN, in order
};

// Parses the first certificate of `leaf_pem`, then checks it against `root` at `at_time` (seconds
// since the epoch): a path to one of the root's authorities (whose validity window contains
// `at_time`), with the root's intermediates and the ones of `chain_pem` (an annotation: untrusted,
// used only to build the path; may be empty), each certificate valid at `at_time`; the code
// signing extended key usage. Identity and issuer are not checked here (IdentityPolicy::Check).
CertificateCheck VerifyCertificate(std::string_view leaf_pem, std::string_view chain_pem, const TrustedRoot& root,
                                   int64_t at_time);

// Every email and URI subject alternative name of a DER certificate, in order; empty on garbage.
std::vector<std::string> SubjectAlternativeNames(std::string_view der);

}  // namespace mg
