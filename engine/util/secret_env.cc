#include "util/secret_env.h"

#include <map>
#include <mutex>

namespace mg {
namespace {

std::mutex g_mu;

// name -> kind; GUARDED_BY(g_mu).
std::map<std::string, SecretEnvKind>& Names() {
  static auto* names = new std::map<std::string, SecretEnvKind>{
      {"GITHUB_TOKEN", SecretEnvKind::kForgeToken},
      {"GITLAB_TOKEN", SecretEnvKind::kForgeToken},
      {"MIRRORGRAPH_REGISTRY_PASSWORD", SecretEnvKind::kOther},
      {"COSIGN_PASSWORD", SecretEnvKind::kOther},
      {"SIGSTORE_ID_TOKEN", SecretEnvKind::kOther},
      {"ACTIONS_ID_TOKEN_REQUEST_TOKEN", SecretEnvKind::kOther},
  };
  return *names;
}

}  // namespace

void AddSecretEnvName(const std::string& name, SecretEnvKind kind) {
  if (name.empty()) return;
  std::lock_guard<std::mutex> lock(g_mu);
  auto [it, added] = Names().emplace(name, kind);
  if (!added && kind == SecretEnvKind::kOther) it->second = kind;
}

std::vector<std::string> SecretEnvNamesToRemove(ChildKind kind) {
  std::lock_guard<std::mutex> lock(g_mu);
  std::vector<std::string> out;
  for (const auto& [name, secret] : Names()) {
    if (kind == ChildKind::kBuilder || secret != SecretEnvKind::kForgeToken) out.push_back(name);
  }
  return out;
}

}  // namespace mg
