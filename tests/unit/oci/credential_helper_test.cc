// Credential helpers and the lookup order, with a scripted runner (nothing is spawned here but by
// the_real_runner_passes_the_forge_tokens_only; the real helper protocol is exercised by
// tests/integration/cred_helper_test.cc).
#include "oci/credential_helper.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <utility>
#include <vector>

#include "oci/docker_config.h"
#include "unit/util/secret_canaries.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;

namespace {

constexpr char kSecret[] = "s3cret-Helper-Pass";

// Answers RunGet from a script keyed by program; records every call.
class FakeRunner : public mg::CredentialHelperRunner {
 public:
  mg::Result<mg::SubprocessResult> RunGet(const std::string& program, const std::string& server_url) override {
    std::lock_guard<std::mutex> lock(mu);
    calls.emplace_back(program, server_url);
    auto it = answers.find(program);
    if (it == answers.end()) return mg::Status::NotFound("executable \"" + program + "\" not found in PATH (/fake/bin)");
    return it->second;
  }
  void Answer(const std::string& program, int exit_code, std::string out, std::string err = "") {
    mg::SubprocessResult r;
    r.exit_code = exit_code;
    r.stdout_text = std::move(out);
    r.stderr_text = std::move(err);
    answers[program] = r;
  }

  std::mutex mu;
  std::map<std::string, mg::SubprocessResult> answers;
  std::vector<std::pair<std::string, std::string>> calls;
};

std::string HelperJson(const std::string& url, const std::string& user, const std::string& secret) {
  return R"({"ServerURL":")" + url + R"(","Username":")" + user + R"(","Secret":")" + secret + R"("})";
}

mg::DockerConfig ParseOrDie(const std::string& text) {
  auto cfg = mg::DockerConfig::Parse(text, "/home/u/.docker/config.json");
  BOOST_REQUIRE_MESSAGE(cfg.ok(), cfg.status().ToString());
  return std::move(*cfg);
}

// A config with every source: credHelpers for ghcr.io (and an empty helper for plain.example),
// credsStore for everything else, and inline auths that the helpers shadow.
const char kAllSources[] = R"({
  "auths": {
    "ghcr.io": {"username": "inline-gh", "password": "inline-gh-pass"},
    "other.example": {"username": "inline-other", "password": "inline-other-pass"},
    "plain.example": {"username": "inline-plain", "password": "inline-plain-pass"}
  },
  "credHelpers": {"GHCR.io": "gh", "https://plain.example/v2/": ""},
  "credsStore": "store"
})";

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "mg-cred-helper-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

mg::EnvGetter EnvOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(credential_helper_test)

BOOST_AUTO_TEST_CASE(cred_helpers_then_creds_store_then_auths) {
  mg::DockerConfig cfg = ParseOrDie(kAllSources);
  BOOST_TEST(cfg.creds_store() == "store");
  BOOST_TEST(cfg.cred_helpers().at("ghcr.io") == "gh");
  FakeRunner runner;
  runner.Answer("docker-credential-gh", 0, HelperJson("ghcr.io", "gh-user", kSecret));
  runner.Answer("docker-credential-store", 0, HelperJson("other.example", "store-user", "store-pass"));

  // credHelpers beats credsStore and auths.
  auto gh = cfg.Find("https://ghcr.io/v2/", &runner);
  BOOST_REQUIRE_MESSAGE(gh.ok(), gh.status().ToString());
  BOOST_REQUIRE(gh->credentials.has_value());
  BOOST_TEST(gh->credentials->username == "gh-user");
  BOOST_TEST(gh->credentials->password == kSecret);
  BOOST_TEST(gh->source == "docker-credential-gh (credHelpers[\"ghcr.io\"] in /home/u/.docker/config.json)");

  // credsStore beats auths.
  auto other = cfg.Find("other.example", &runner);
  BOOST_REQUIRE(other.ok());
  BOOST_REQUIRE(other->credentials.has_value());
  BOOST_TEST(other->credentials->username == "store-user");
  BOOST_TEST(other->source == "docker-credential-store (credsStore in /home/u/.docker/config.json)");

  // An empty credHelpers entry selects auths, not credsStore (Docker's behaviour).
  auto plain = cfg.Find("plain.example", &runner);
  BOOST_REQUIRE(plain.ok());
  BOOST_REQUIRE(plain->credentials.has_value());
  BOOST_TEST(plain->credentials->username == "inline-plain");
  BOOST_TEST(plain->source == "/home/u/.docker/config.json");

  const std::vector<std::pair<std::string, std::string>> expected = {
      {"docker-credential-gh", "ghcr.io"}, {"docker-credential-store", "other.example"}};
  BOOST_TEST(runner.calls == expected);
}

BOOST_AUTO_TEST_CASE(a_helper_that_has_nothing_is_final) {
  mg::DockerConfig cfg = ParseOrDie(kAllSources);
  FakeRunner runner;
  // As docker-credential-helpers writes it: on stdout, exit 1.
  runner.Answer("docker-credential-store", 1, "credentials not found in native keychain\n");
  // Some helpers write it on stderr.
  runner.Answer("docker-credential-gh", 1, "", "credentials not found in native keychain\n");
  for (const char* registry : {"other.example", "ghcr.io"}) {
    auto found = cfg.Find(registry, &runner);
    BOOST_REQUIRE_MESSAGE(found.ok(), found.status().ToString());
    // auths holds inline credentials for both, but Docker does not fall back to them.
    BOOST_TEST(!found->credentials.has_value(), registry);
    BOOST_TEST(found->source.find("docker-credential-") == 0, found->source);
  }
  BOOST_TEST(runner.calls.size() == 2u);
}

BOOST_AUTO_TEST_CASE(auths_alone_runs_nothing) {
  mg::DockerConfig cfg = ParseOrDie(R"({"auths": {"r.example": {"username": "a", "password": "b"}}})");
  FakeRunner runner;
  auto found = cfg.Find("r.example", &runner);
  BOOST_REQUIRE(found.ok());
  BOOST_REQUIRE(found->credentials.has_value());
  BOOST_TEST(found->credentials->password == "b");
  auto none = cfg.Find("s.example", &runner);
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(!none->credentials.has_value());
  BOOST_TEST(none->source == "/home/u/.docker/config.json");
  BOOST_TEST(runner.calls.empty());
}

BOOST_AUTO_TEST_CASE(docker_hub_is_asked_as_the_index_url) {
  BOOST_TEST(mg::HelperServerUrl("docker.io") == "https://index.docker.io/v1/");
  BOOST_TEST(mg::HelperServerUrl("registry-1.docker.io") == "https://index.docker.io/v1/");
  BOOST_TEST(mg::HelperServerUrl("https://Registry.Local:5000/v2/") == "registry.local:5000");
  mg::DockerConfig cfg = ParseOrDie(R"({"credHelpers": {"https://index.docker.io/v1/": "hub"}})");
  FakeRunner runner;
  runner.Answer("docker-credential-hub", 0, HelperJson("https://index.docker.io/v1/", "hubber", kSecret));
  auto found = cfg.Lookup("docker.io", &runner);
  BOOST_REQUIRE(found.ok());
  BOOST_REQUIRE(found->has_value());
  BOOST_TEST((*found)->username == "hubber");
  BOOST_REQUIRE(runner.calls.size() == 1u);
  BOOST_TEST(runner.calls[0].second == "https://index.docker.io/v1/");
}

BOOST_AUTO_TEST_CASE(token_username_means_identity_token) {
  mg::SubprocessResult r;
  r.exit_code = 0;
  r.stdout_text = HelperJson("x", "<token>", kSecret);
  auto creds = mg::ParseHelperGetResult(r, "docker-credential-x", "credsStore in /c.json");
  BOOST_REQUIRE(creds.ok());
  BOOST_REQUIRE(creds->has_value());
  BOOST_TEST((*creds)->identity_token == kSecret);
  BOOST_TEST(!(*creds)->has_basic());

  r.stdout_text = R"({"ServerURL":"x","Username":"","Secret":""})";
  auto empty = mg::ParseHelperGetResult(r, "docker-credential-x", "credsStore in /c.json");
  BOOST_REQUIRE(empty.ok());
  BOOST_TEST(!empty->has_value());
}

BOOST_AUTO_TEST_CASE(failures_are_errors_that_never_quote_stdout) {
  struct Case {
    int exit_code;
    bool timed_out;
    std::string out, err;
    mg::Status::Code code;
    std::string expect;  // must appear in the message
  };
  const std::string leak = std::string("partial ") + kSecret;
  const std::vector<Case> cases = {
      {1, false, leak, "pass: gpg decryption failed\n", mg::Status::Code::kUnavailable, "exit code 1: pass: gpg decryption failed"},
      {137, true, leak, "", mg::Status::Code::kUnavailable, "did not finish in time"},
      {0, false, "not json " + leak, "", mg::Status::Code::kInvalidArgument, "not a JSON object"},
      {0, false, "[\"" + leak + "\"]", "", mg::Status::Code::kInvalidArgument, "not a JSON object"},
      {0, false, R"({"Username": 5, "Secret": ")" + leak + R"("})", "", mg::Status::Code::kInvalidArgument,
       "a non-string Username"},
  };
  for (const Case& c : cases) {
    mg::SubprocessResult r;
    r.exit_code = c.exit_code;
    r.timed_out = c.timed_out;
    r.stdout_text = c.out;
    r.stderr_text = c.err;
    auto creds = mg::ParseHelperGetResult(r, "docker-credential-pass", "credsStore in /c.json");
    BOOST_REQUIRE_MESSAGE(!creds.ok(), c.expect);
    BOOST_CHECK(creds.status().code() == c.code);
    const std::string& m = creds.status().message();
    BOOST_TEST(m.find(c.expect) != std::string::npos, m);
    BOOST_TEST(m.find("docker-credential-pass (credsStore in /c.json)") != std::string::npos, m);
    BOOST_TEST(m.find(kSecret) == std::string::npos, m);
  }
}

BOOST_AUTO_TEST_CASE(a_missing_helper_names_itself_and_the_config) {
  mg::DockerConfig cfg = ParseOrDie(R"({"credsStore": "desktop"})");
  FakeRunner runner;  // knows no program: every RunGet is NotFound
  auto found = cfg.Find("r.example", &runner);
  BOOST_REQUIRE(!found.ok());
  BOOST_CHECK(found.status().code() == mg::Status::Code::kFailedPrecondition);
  const std::string& m = found.status().message();
  BOOST_TEST(m.find("docker-credential-desktop") != std::string::npos, m);
  BOOST_TEST(m.find("credsStore in /home/u/.docker/config.json") != std::string::npos, m);
  BOOST_TEST(m.find("/fake/bin") != std::string::npos, m);  // the PATH searched
}

BOOST_AUTO_TEST_CASE(helper_names_cannot_be_paths) {
  mg::DockerConfig cfg = ParseOrDie(R"({"credHelpers": {"r.example": "../../bin/evil"}})");
  FakeRunner runner;
  auto found = cfg.Find("r.example", &runner);
  BOOST_REQUIRE(!found.ok());
  BOOST_CHECK(found.status().code() == mg::Status::Code::kInvalidArgument);
  BOOST_TEST(runner.calls.empty());
}

BOOST_AUTO_TEST_CASE(env_username_and_password_beat_every_file) {
  TempDir dir;
  std::string broken = dir.Write("broken.json", "{not json");  // proves no file is read
  FakeRunner runner;
  auto found = mg::ResolveRegistryCredentials(
      "r.example", broken, &runner,
      EnvOf({{"MIRRORGRAPH_REGISTRY_USERNAME", "env-user"}, {"MIRRORGRAPH_REGISTRY_PASSWORD", kSecret},
             {"MIRRORGRAPH_REGISTRY_AUTH_FILE", broken}}));
  BOOST_REQUIRE_MESSAGE(found.ok(), found.status().ToString());
  BOOST_REQUIRE(found->credentials.has_value());
  BOOST_TEST(found->credentials->username == "env-user");
  BOOST_TEST(found->credentials->password == kSecret);
  BOOST_TEST(found->source.find("MIRRORGRAPH_REGISTRY_USERNAME") != std::string::npos);
  BOOST_TEST(found->source.find(kSecret) == std::string::npos);
  BOOST_TEST(runner.calls.empty());

  for (const char* only : {"MIRRORGRAPH_REGISTRY_USERNAME", "MIRRORGRAPH_REGISTRY_PASSWORD"}) {
    auto half = mg::ResolveRegistryCredentials("r.example", "", &runner, EnvOf({{only, kSecret}}));
    BOOST_REQUIRE(!half.ok());
    BOOST_CHECK(half.status().code() == mg::Status::Code::kInvalidArgument);
    BOOST_TEST(half.status().message().find(only) != std::string::npos, half.status().message());
    BOOST_TEST(half.status().message().find(kSecret) == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(env_auth_file_beats_the_configured_one) {
  TempDir dir;
  std::string from_config = dir.Write("config.json", R"({"auths": {"r.example": {"username": "cfg", "password": "a"}}})");
  std::string from_env = dir.Write("env.json", R"({"credHelpers": {"r.example": "envhelper"}})");
  FakeRunner runner;
  runner.Answer("docker-credential-envhelper", 0, HelperJson("r.example", "env-helper-user", kSecret));

  auto configured = mg::ResolveRegistryCredentials("r.example", from_config, &runner, EnvOf({}));
  BOOST_REQUIRE(configured.ok());
  BOOST_REQUIRE(configured->credentials.has_value());
  BOOST_TEST(configured->credentials->username == "cfg");
  BOOST_TEST(configured->source == from_config);

  auto overridden = mg::ResolveRegistryCredentials(
      "r.example", from_config, &runner,
      EnvOf({{"MIRRORGRAPH_REGISTRY_AUTH_FILE", from_env}, {"MIRRORGRAPH_REGISTRY_USERNAME", ""}}));
  BOOST_REQUIRE_MESSAGE(overridden.ok(), overridden.status().ToString());
  BOOST_REQUIRE(overridden->credentials.has_value());
  BOOST_TEST(overridden->credentials->username == "env-helper-user");
  BOOST_TEST(overridden->source.find(from_env) != std::string::npos, overridden->source);
  BOOST_TEST(runner.calls.size() == 1u);

  // A malformed file named by the variable is an error naming it.
  std::string broken = dir.Write("broken.json", "[]");
  auto bad = mg::ResolveRegistryCredentials("r.example", from_config, &runner,
                                            EnvOf({{"MIRRORGRAPH_REGISTRY_AUTH_FILE", broken}}));
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.status().message().find(broken) != std::string::npos);
}

// The real runner starts a helper (here one that prints its environment) with the forge tokens,
// which a user's helper may read, and without the other secrets.
BOOST_AUTO_TEST_CASE(the_real_runner_passes_the_forge_tokens_only) {
  using mg::testing::SecretCanaries;
  TempDir dir;
  const std::string helper = dir.Write("docker-credential-envdump", "#!/bin/sh\nenv\n");
  BOOST_REQUIRE(::chmod(helper.c_str(), 0755) == 0);
  SecretCanaries canaries;
  mg::SubprocessCredentialHelperRunner runner({{"PATH", dir.path.string() + ":/usr/bin:/bin"}});
  auto r = runner.RunGet("docker-credential-envdump", "r.example");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(SecretCanaries::CheckChildEnv(r->stdout_text, mg::ChildKind::kCredentialProgram) == "");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
