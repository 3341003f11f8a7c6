// Test helper: sets every secret variable util/secret_env.h lists (with `extra_forge_token` added
// as a configured forge token) to a canary value, and one harmless variable, for its lifetime;
// and checks what child processes saw of them. Not thread-safe (ScopedEnv).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "unit/util/scoped_env.h"
#include "util/secret_env.h"

namespace mg::testing {

class SecretCanaries {
 public:
  static constexpr char kHarmless[] = "MG_HARMLESS_FOR_TEST";
  static constexpr char kHarmlessValue[] = "harmless-value";

  explicit SecretCanaries(const std::string& extra_forge_token = "MG_TEST_CONFIGURED_TOKEN") {
    AddSecretEnvName(extra_forge_token, SecretEnvKind::kForgeToken);
    for (const std::string& name : SecretEnvNamesToRemove(ChildKind::kBuilder)) env_.Set(name, Canary(name));
    env_.Set(kHarmless, kHarmlessValue);
  }

  // The value `name` holds meanwhile.
  static std::string Canary(const std::string& name) { return "mg-canary-" + name; }

  // The `env` output of one child of `kind`: "" when it holds no canary of a variable that kind
  // must not inherit, the canary of every other secret and the harmless variable; else what is
  // wrong (names only, never a value).
  static std::string CheckChildEnv(std::string_view env_output, ChildKind kind) {
    const std::string env = "\n" + std::string(env_output) + "\n";
    const std::vector<std::string> removed = SecretEnvNamesToRemove(kind);
    std::string problems;
    for (const std::string& name : SecretEnvNamesToRemove(ChildKind::kBuilder)) {
      const bool seen = env.find("\n" + name + "=" + Canary(name) + "\n") != std::string::npos;
      const bool kept = std::find(removed.begin(), removed.end(), name) == removed.end();
      if (seen != kept) problems += name + (seen ? " inherited; " : " missing; ");
    }
    if (env.find("\n" + std::string(kHarmless) + "=" + kHarmlessValue + "\n") == std::string::npos) {
      problems += std::string(kHarmless) + " missing; ";
    }
    return problems;
  }

  // A shell script that appends "== <program> <arguments>" and its environment to `log`, then
  // runs `then` (shell text).
  static std::string EnvLoggingScript(const std::string& log, const std::string& then) {
    return "#!/bin/sh\n{ echo \"== ${0##*/} $*\"; env; } >> '" + log + "'\n" + then;
  }

  // CheckChildEnv of every child an EnvLoggingScript logged, each problem after its command line;
  // "no child ran" for an empty log.
  static std::string CheckLoggedEnvs(std::string_view log, ChildKind kind) {
    std::string problems;
    size_t runs = 0;
    for (size_t at = 0; at < log.size();) {
      if (log.substr(at, 3) != "== ") return "the log does not start with a command line";
      const size_t eol = std::min(log.find('\n', at), log.size());
      size_t next = log.find("\n== ", eol);
      next = next == std::string_view::npos ? log.size() : next + 1;
      ++runs;
      std::string wrong = CheckChildEnv(log.substr(eol, next - eol), kind);
      if (!wrong.empty()) problems += std::string(log.substr(at, eol - at)) + ": " + wrong + "\n";
      at = next;
    }
    return runs == 0 ? "no child ran" : problems;
  }

 private:
  ScopedEnv env_;
};

}  // namespace mg::testing
