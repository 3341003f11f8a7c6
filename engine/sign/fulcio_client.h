// Fulcio's v2 API: trades an OIDC identity token and proof of possession of an ephemeral key for
// a short-lived code-signing certificate that names the token's identity.
//
//   POST <fulcio>/api/v2/signingCert
//   {"credentials": {"oidcIdentityToken": "<jwt>"},
//    "publicKeyRequest": {"publicKey": {"algorithm": "ECDSA", "content": "<PEM>"},
//                         "proofOfPossession": "<base64 signature over the token's principal>"}}
//   -> {"signedCertificateEmbeddedSct" | "signedCertificateDetachedSct":
//        {"chain": {"certificates": ["<leaf PEM>", "<intermediate PEM>", ..., "<root PEM>"]}}}
//
// Thread-safe. The token is sent in the body only and never appears in a message.
#pragma once

#include <string>

#include "http/http_client.h"
#include "sign/identity_token.h"
#include "sign/signer.h"
#include "util/status.h"

namespace mg {

struct FulcioCertificate {
  std::string leaf_pem;   // the signing certificate
  std::string chain_pem;  // its intermediates and root, concatenated, in Fulcio's order
};

// Redirects are not followed (the body carries the token). Errors: Unavailable when Fulcio cannot
// be reached or answers 5xx/429; PermissionDenied when it refuses the token (401/403: expired,
// wrong audience, unknown issuer — its message quoted, bounded); FailedPrecondition for a 3xx,
// naming the Location; InvalidArgument for another 4xx; Corruption when the answer holds no PEM
// chain.
Result<FulcioCertificate> RequestSigningCertificate(HttpClient& http, const std::string& fulcio_url,
                                                    const IdentityToken& token, KeySigner& key);

}  // namespace mg
