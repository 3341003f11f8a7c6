#include "oci/credential_helper.h"

#include <utility>

#include "util/json.h"
#include "util/strings.h"

namespace mg {

namespace {

constexpr std::string_view kTokenUsername = "<token>";
constexpr size_t kMaxQuotedStderr = 300;

// The last non-empty line of `text`, cut to kMaxQuotedStderr characters.
std::string LastLine(std::string_view text) {
  std::string tail = std::string(Trim(TailLines(text, 1)));
  if (tail.size() > kMaxQuotedStderr) tail = tail.substr(0, kMaxQuotedStderr) + "...";
  return tail;
}

}  // namespace

SubprocessCredentialHelperRunner::SubprocessCredentialHelperRunner(std::map<std::string, std::string> env_overrides,
                                                                   std::chrono::milliseconds timeout)
    : env_overrides_(std::move(env_overrides)), timeout_(timeout) {}

Result<SubprocessResult> SubprocessCredentialHelperRunner::RunGet(const std::string& program,
                                                                  const std::string& server_url) {
  SubprocessOptions options;
  options.argv = {program, "get"};
  options.env_overrides = env_overrides_;
  options.timeout = timeout_;
  options.stdin_data = server_url;
  return RunSubprocess(options);
}

CredentialHelperRunner& DefaultCredentialHelperRunner() {
  static auto* runner = new SubprocessCredentialHelperRunner();
  return *runner;
}

std::string HelperProgram(std::string_view helper_name) { return "docker-credential-" + std::string(helper_name); }

std::string HelperServerUrl(std::string_view registry) {
  std::string key = NormalizeRegistryKey(registry);
  if (key == "docker.io") return "https://index.docker.io/v1/";
  return key;
}

Result<std::optional<Credentials>> ParseHelperGetResult(const SubprocessResult& result, const std::string& program,
                                                        const std::string& origin) {
  const std::string who = "credential helper " + program + " (" + origin + ")";
  if (result.timed_out) return Status::Unavailable(who + ": `get` did not finish in time and was killed");
  if (result.exit_code != 0) {
    if (result.stdout_text.find(kHelperNotFoundMessage) != std::string::npos ||
        result.stderr_text.find(kHelperNotFoundMessage) != std::string::npos) {
      return std::optional<Credentials>();
    }
    // Only stderr is quoted: a helper's stdout is where secrets go.
    std::string why = LastLine(result.stderr_text);
    return Status::Unavailable(who + ": `get` failed with exit code " + std::to_string(result.exit_code) +
                               (why.empty() ? std::string() : ": " + why));
  }
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument(who + ": `get` answered " + what +
                                   "; expected a JSON object with string fields Username and Secret");
  };
  Json doc = ParseJson(result.stdout_text);
  if (!doc.is_object()) return bad("something that is not a JSON object");
  std::string username;
  std::string secret;
  for (auto [field, out] : {std::pair{"Username", &username}, std::pair{"Secret", &secret}}) {
    auto it = doc.find(field);
    if (it == doc.end() || it->is_null()) continue;
    if (!it->is_string()) return bad(std::string("a non-string ") + field);
    *out = it->get<std::string>();
  }
  if (username.empty() && secret.empty()) return std::optional<Credentials>();
  Credentials creds;
  if (username == kTokenUsername) {
    creds.identity_token = std::move(secret);
  } else {
    creds.username = std::move(username);
    creds.password = std::move(secret);
  }
  return std::optional<Credentials>(std::move(creds));
}

Result<std::optional<Credentials>> GetHelperCredentials(CredentialHelperRunner& runner, std::string_view helper_name,
                                                        const std::string& server_url, const std::string& origin) {
  if (helper_name.empty() || helper_name.find('/') != std::string_view::npos) {
    return Status::InvalidArgument("credential helper name \"" + std::string(helper_name) + "\" (" + origin +
                                   ") must be a non-empty name without '/'");
  }
  const std::string program = HelperProgram(helper_name);
  auto run = runner.RunGet(program, server_url);
  if (!run.ok()) {
    if (run.status().code() == Status::Code::kNotFound) {
      return Status::FailedPrecondition("credential helper " + program + " named by " + origin +
                                        " is not installed: " + run.status().message() +
                                        "; install it or remove it from the docker config");
    }
    return Status::IOError("credential helper " + program + " (" + origin + "): " + run.status().message());
  }
  return ParseHelperGetResult(*run, program, origin);
}

}  // namespace mg
