// Docker credential helpers: `docker-credential-<name> get`, the protocol docker, skopeo and
// buildah use for the config's "credHelpers" and "credsStore".
//
// Protocol: the program is run with the single argument `get` and the server URL on stdin (no
// newline); it answers {"ServerURL": ..., "Username": ..., "Secret": ...} on stdout and exits 0.
// Username "<token>" means Secret is an identity (OAuth2 refresh) token. When it has nothing for
// the server it exits non-zero with "credentials not found in native keychain" (on stdout, as the
// docker-credential-helpers library writes it; stderr is accepted too).
//
// Secrets travel on the helper's stdout only: they are never put in argv, in a Status message or
// in a log line.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "oci/docker_config.h"
#include "util/status.h"
#include "util/subprocess.h"

namespace mg {

// The message helpers print when they hold nothing for the server.
inline constexpr std::string_view kHelperNotFoundMessage = "credentials not found in native keychain";
// How long one `get` may take before it is killed and reported as an error.
inline constexpr std::chrono::milliseconds kDefaultHelperTimeout{30000};

// Runs a helper program. The seam unit tests replace so that they spawn nothing.
// Implementations must be safe to call from several threads at once.
class CredentialHelperRunner {
 public:
  virtual ~CredentialHelperRunner() = default;
  // Runs `<program> get` with `server_url` on stdin. A non-zero exit is not an error here.
  // Errors: NotFound when `program` is not in PATH; IOError when it cannot be started.
  virtual Result<SubprocessResult> RunGet(const std::string& program, const std::string& server_url) = 0;
};

// The real runner: RunSubprocess with the program looked up in PATH. The helper gets this
// process's environment without the secret variables but the forge tokens
// (ChildKind::kCredentialProgram, util/secret_env.h), with `env_overrides` set on top (a PATH
// there is also the PATH searched).
// Stateless after construction; thread-safe.
class SubprocessCredentialHelperRunner final : public CredentialHelperRunner {
 public:
  explicit SubprocessCredentialHelperRunner(std::map<std::string, std::string> env_overrides = {},
                                            std::chrono::milliseconds timeout = kDefaultHelperTimeout);
  Result<SubprocessResult> RunGet(const std::string& program, const std::string& server_url) override;

 private:
  const std::map<std::string, std::string> env_overrides_;
  const std::chrono::milliseconds timeout_;
};

// A process-wide SubprocessCredentialHelperRunner with no overrides (lives until exit).
CredentialHelperRunner& DefaultCredentialHelperRunner();

// "docker-credential-<name>".
std::string HelperProgram(std::string_view helper_name);

// The server URL a helper is asked about for `registry` (any form NormalizeRegistryKey accepts):
// "https://index.docker.io/v1/" for Docker Hub (where `docker login` stores it), else the
// normalized host[:port].
std::string HelperServerUrl(std::string_view registry);

// Interprets the result of `<program> get`. `origin` says where the helper was configured (e.g.
// "credsStore in /home/u/.docker/config.json") and goes into messages.
// Returns nullopt for "not found" (and for an answer with an empty Username and Secret).
// Errors: Unavailable when it timed out or failed otherwise (its exit code and the last line of
// its stderr, never its stdout); InvalidArgument when it exited 0 without the expected JSON object
// (the output is not quoted: it may hold a secret).
Result<std::optional<Credentials>> ParseHelperGetResult(const SubprocessResult& result, const std::string& program,
                                                        const std::string& origin);

// Runs `docker-credential-<helper_name> get` for `server_url` through `runner` and interprets it.
// A helper that is not installed is FailedPrecondition naming the program, `origin` and the PATH
// searched; one that cannot be started is IOError; a name that is empty or holds '/' is
// InvalidArgument. Other errors as ParseHelperGetResult.
Result<std::optional<Credentials>> GetHelperCredentials(CredentialHelperRunner& runner, std::string_view helper_name,
                                                        const std::string& server_url, const std::string& origin);

}  // namespace mg
