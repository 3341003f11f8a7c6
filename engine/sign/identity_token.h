// The OIDC identity token a keyless signer trades for a Fulcio certificate (docs/attestations.md,
// "Keyless signing"). Where it comes from:
//
//   "auto"       SIGSTORE_ID_TOKEN when set (GitLab CI's `id_tokens:` convention, or given by
//                hand), else GitHub Actions' token service when ACTIONS_ID_TOKEN_REQUEST_URL and
//                ACTIONS_ID_TOKEN_REQUEST_TOKEN are set (the job needs `id-token: write`)
//   "github"     GitHub Actions' token service only, for the audience "sigstore"
//   "env:NAME"   the environment variable NAME
//   "file:PATH"  the file PATH (whitespace trimmed; re-read on every fetch, so a refreshed file
//                — a Kubernetes projected token — is picked up)
//
// The token is a secret: it is never logged, never stored, and never part of an error message
// (messages name the source, e.g. "the token from SIGSTORE_ID_TOKEN"). Its claims are read
// without checking its signature: Fulcio checks it; we only need the identity to name in
// messages and cache keys, and the expiry to fail early.
//
// Thread-safety: the functions are thread-safe; an IdentityTokenSource is immutable.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "http/http_client.h"
#include "util/status.h"

namespace mg {

struct IdentityToken {
  std::string raw;      // the compact JWT; a secret
  std::string issuer;   // "iss"
  std::string subject;  // "sub"
  std::string email;    // "email", when the token has one
  int64_t expires_at = 0;  // "exp", seconds since the epoch; 0 when absent
  std::string source;   // where it came from, for messages ("SIGSTORE_ID_TOKEN", "GitHub Actions")

  // What Fulcio's proof of possession signs and what the certificate will name: the email when
  // the token has one, else the subject.
  const std::string& Principal() const { return email.empty() ? subject : email; }
};

// Reads the claims of a compact JWT (header.payload.signature, base64url). Errors: InvalidArgument
// saying what is malformed, naming `source`, never quoting the token.
Result<IdentityToken> ParseIdentityToken(std::string raw, std::string_view source);

class IdentityTokenSource {
 public:
  using Environment = std::function<const char*(const char*)>;  // std::getenv by default

  // `spec` as in the header comment. InvalidArgument for an unknown form (the message lists them).
  static Result<IdentityTokenSource> Parse(std::string_view spec, Environment env = nullptr);

  // Fetches a token (GitHub: one request through `http`, audience "sigstore") and checks that it
  // is a JWT that has not expired at `now_seconds` (with 30 s to spare). Errors:
  // FailedPrecondition when no token is available (the message says how to provide one) or it
  // has expired; Unavailable / PermissionDenied when GitHub's token service fails (status named);
  // InvalidArgument for a malformed token.
  Result<IdentityToken> Fetch(HttpClient& http, int64_t now_seconds) const;

  const std::string& spec() const { return spec_; }

 private:
  enum class Kind { kAuto, kGitHub, kEnv, kFile };
  IdentityTokenSource(Kind kind, std::string spec, std::string arg, Environment env)
      : kind_(kind), spec_(std::move(spec)), arg_(std::move(arg)), env_(std::move(env)) {}
  Result<IdentityToken> FromGitHub(HttpClient& http) const;

  Kind kind_;
  std::string spec_;
  std::string arg_;  // the variable name or the path
  Environment env_;
};

}  // namespace mg
