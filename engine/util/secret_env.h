// The environment variables mirrorgraph reads secrets from, and which of them each kind of child
// process may inherit (SubprocessOptions::secrets, which RunSubprocess applies to every child).
// docs/security.md.
//
// Thread-safe: names may be added while other threads list them.
#pragma once

#include <string>
#include <vector>

namespace mg {

enum class SecretEnvKind {
  kForgeToken,  // a GitHub/GitLab API token: GITHUB_TOKEN, GITLAB_TOKEN, a source's token_env
  kOther,       // the registry password, the signing key's passphrase, OIDC identity tokens
};

enum class ChildKind {
  // buildah, docker and their steps: inherit none of the secrets. They get the target registry's
  // credentials as a file (build/registry_auth_file.h) and need nothing else of ours.
  kBuilder,
  // git and docker credential helpers, and every child that says nothing else (the default of
  // SubprocessOptions::secrets): inherit the forge tokens only. These programs exist to find
  // credentials, and the one a user configured may read them (gh's git credential helper reads
  // GITHUB_TOKEN for a private upstream on GitHub); no child needs the rest.
  kCredentialProgram,
};

// Adds a variable the configuration names (a source's token_env, [attestations] identity_token =
// "env:NAME"). The fixed names (GITHUB_TOKEN, GITLAB_TOKEN, MIRRORGRAPH_REGISTRY_PASSWORD,
// COSIGN_PASSWORD, SIGSTORE_ID_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN) are always listed. An empty
// name is ignored; a name added with both kinds counts as kOther (never inherited by anyone).
void AddSecretEnvName(const std::string& name, SecretEnvKind kind);

// The secret variables a child of `kind` must not inherit, sorted, without duplicates.
std::vector<std::string> SecretEnvNamesToRemove(ChildKind kind);

}  // namespace mg
