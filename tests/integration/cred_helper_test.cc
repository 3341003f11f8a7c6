// Docker credential helpers for real: small `docker-credential-*` shell scripts in a temp dir put
// first on PATH, an htpasswd registry, RegistryClient + ProbeImage and the CLI. The helpers answer
// the registry's password for the registry's host and "credentials not found in native keychain"
// for anything else, and log each call (argv and stdin) next to themselves.
#include <stdlib.h>
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include <fstream>

#include "cli_fixture.h"
#include "http/base64.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/credential_helper.h"
#include "oci/docker_config.h"
#include "oci/probe.h"
#include "oci/registry_client.h"
#include "registry_fixture.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::ProbeState;
using mg::Status;
using mg::testing::CliWorkspace;
using mg::testing::TaskStatusOf;
using mg::testing::TempDir;
using mg::testing::TestRegistry;

namespace {

const std::vector<std::string> kBoth = {"linux/amd64", "linux/arm64"};

// An htpasswd registry holding a complete mirror/hello:1.1.0. Started once for the suite.
TestRegistry& Registry() {
  static auto reg = [] {
    auto r = TestRegistry::Start({.htpasswd = true});
    if (r.ok()) {
      auto pushed = mg::testing::PushTestImage(**r, "mirror/hello", "1.1.0", kBoth, true, {"latest"});  // 1.1.0 is the latest
      if (!pushed.ok()) return mg::Result<std::unique_ptr<TestRegistry>>(pushed.status());
    }
    return r;
  }();
  BOOST_REQUIRE_MESSAGE(reg.ok(), reg.status().ToString());
  return **reg;
}

void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A bin directory with docker-credential-mgtest (answers `password` for the registry's host) and
// docker-credential-mgnone (never has anything). Each appends "<argv>|<stdin>" to <bin>/calls.log.
struct Helpers {
  TempDir dir{"mg-cred-helper"};
  fs::path bin() const { return dir.path() / "bin"; }
  fs::path log() const { return bin() / "calls.log"; }
  std::string path_env() const {
    const char* p = getenv("PATH");
    return bin().string() + ":" + (p != nullptr ? p : "/usr/bin:/bin");
  }

  explicit Helpers(const TestRegistry& reg, const std::string& password) {
    const std::string prologue =
        "#!/bin/sh\n"
        "url=''\n"
        "read -r url || true\n"
        "printf '%s|%s\\n' \"$*\" \"$url\" >> \"$(dirname \"$0\")/calls.log\"\n"
        "[ \"$1\" = get ] || exit 2\n";
    Write("docker-credential-mgtest",
          prologue + "if [ \"$url\" = '" + reg.host() + "' ]; then\n" +
              "  printf '{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"%s\"}\\n' \"$url\" '" +
              reg.options().user + "' '" + password + "'\n  exit 0\nfi\n" +
              "echo 'credentials not found in native keychain'\nexit 1\n");
    Write("docker-credential-mgnone", prologue + "echo 'credentials not found in native keychain'\nexit 1\n");
  }
  void Write(const std::string& name, const std::string& text) const {
    WriteFile(bin() / name, text);
    chmod((bin() / name).c_str(), 0755);
  }
  // A docker config in the helpers' temp dir; returns its path.
  std::string Config(const std::string& name, const std::string& json) const {
    fs::path p = dir.path() / name / "config.json";
    WriteFile(p, json);
    return p.string();
  }
  std::string Calls() const { return mg::testing::ReadFile(log()); }
};

struct Client {
  mg::CurlTransport transport;
  mg::HttpClient http{transport};
  mg::RegistryClient registry;
  Client(const TestRegistry& reg, const mg::CredentialLookup& found)
      : registry(http, reg.host(), /*plain_http=*/true, found.credentials, found.source) {}
};

mg::EnvGetter NoEnv() {
  return [](const std::string&) { return std::optional<std::string>(); };
}

// Resolves the registry's credentials from `config_path` with helpers searched in helpers.bin().
mg::Result<mg::CredentialLookup> Resolve(const Helpers& helpers, const std::string& config_path) {
  mg::SubprocessCredentialHelperRunner runner({{"PATH", helpers.path_env()}});
  return mg::ResolveRegistryCredentials(Registry().host(), config_path, &runner, NoEnv());
}

// Fails the test for every place `secret` shows up in a CLI run.
void CheckNoLeak(const CliWorkspace& ws, const mg::testing::CliResult& r, const std::string& secret) {
  BOOST_TEST(r.out.find(secret) == std::string::npos, "secret in stdout");
  BOOST_TEST(r.err.find(secret) == std::string::npos, "secret in stderr");
  for (const fs::path& f : mg::testing::FilesUnder(ws.state_dir())) {
    BOOST_TEST(mg::testing::ReadFile(f).find(secret) == std::string::npos, "secret in " << f);
  }
  if (fs::exists(ws.dir() / "report.json")) {
    BOOST_TEST(mg::testing::ReadFile(ws.dir() / "report.json").find(secret) == std::string::npos);
  }
}

// hello v1.0.0 (not in the registry) and v1.1.0 (complete there).
void Prepare(CliWorkspace& ws, const std::string& auth_file) {
  auto url = ws.MakeUpstream("hello", {"v1.0.0", "v1.1.0"});
  BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
  ws.WriteConfig({.registry_host = Registry().host(),
                  .max_versions = 2,
                  .auth_file = auth_file,
                  .apps = {{.name = "hello", .url = *url}}});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cred_helper_test)

BOOST_AUTO_TEST_CASE(creds_store_and_cred_helpers_give_working_credentials) {
  TestRegistry& reg = Registry();
  const std::string& password = reg.options().password;
  Helpers helpers(reg, password);
  // credsStore alone; and credHelpers for this host beating a credsStore that has nothing.
  const std::string store = helpers.Config("store", R"({"credsStore": "mgtest"})");
  const std::string per_host = helpers.Config(
      "per-host", R"({"credHelpers": {"http://)" + reg.host() + R"(/": "mgtest"}, "credsStore": "mgnone"})");
  for (const std::string& path : {store, per_host}) {
    auto found = Resolve(helpers, path);
    BOOST_REQUIRE_MESSAGE(found.ok(), found.status().ToString());
    BOOST_REQUIRE_MESSAGE(found->credentials.has_value(), path);
    BOOST_TEST(found->credentials->username == reg.options().user);
    BOOST_TEST(found->source.find("docker-credential-mgtest") != std::string::npos, found->source);
    BOOST_TEST(found->source.find(path) != std::string::npos, found->source);
    Client c(reg, *found);
    auto complete = mg::ProbeImage(c.registry, "mirror/hello", "1.1.0", kBoth, nullptr);
    BOOST_REQUIRE_MESSAGE(complete.ok(), complete.status().ToString());
    BOOST_CHECK(complete->state == ProbeState::kComplete);
    auto missing = mg::ProbeImage(c.registry, "mirror/hello", "9.9.9", kBoth, nullptr);
    BOOST_REQUIRE_MESSAGE(missing.ok(), missing.status().ToString());
    BOOST_CHECK(missing->state == ProbeState::kMissing);
  }
  // Exactly one `get` per lookup, with the host on stdin; the secret never in argv.
  BOOST_TEST(helpers.Calls() == "get|" + reg.host() + "\nget|" + reg.host() + "\n");
}

BOOST_AUTO_TEST_CASE(a_helper_without_credentials_means_permission_denied_not_missing) {
  TestRegistry& reg = Registry();
  Helpers helpers(reg, reg.options().password);
  // auths holds the right password, but a credsStore is final (Docker's order).
  const std::string path = helpers.Config(
      "none", R"({"credsStore": "mgnone", "auths": {")" + reg.host() + R"(": {"auth": ")" +
                  mg::Base64Encode(reg.options().user + ":" + reg.options().password) + R"("}}})");
  auto found = Resolve(helpers, path);
  BOOST_REQUIRE_MESSAGE(found.ok(), found.status().ToString());
  BOOST_TEST(!found->credentials.has_value());
  Client c(reg, *found);
  for (const char* tag : {"1.1.0", "9.9.9"}) {
    auto r = mg::ProbeImage(c.registry, "mirror/hello", tag, kBoth, nullptr);
    BOOST_REQUIRE(!r.ok());
    BOOST_CHECK_MESSAGE(r.status().code() == Status::Code::kPermissionDenied, r.status().ToString());
    BOOST_TEST(r.status().message().find("docker-credential-mgnone (credsStore in " + path + ")") != std::string::npos,
               r.status().message());
  }
  BOOST_TEST(helpers.Calls() == "get|" + reg.host() + "\n");
}

BOOST_AUTO_TEST_CASE(a_wrong_password_from_a_helper_never_shows) {
  TestRegistry& reg = Registry();
  const std::string wrong = "helper-Wrong-Pass-77";
  Helpers helpers(reg, wrong);
  const std::string path = helpers.Config("wrong", R"({"credsStore": "mgtest"})");
  auto found = Resolve(helpers, path);
  BOOST_REQUIRE_MESSAGE(found.ok(), found.status().ToString());
  BOOST_REQUIRE(found->credentials.has_value());
  BOOST_TEST(found->source.find(wrong) == std::string::npos);
  Client c(reg, *found);
  auto r = mg::ProbeImage(c.registry, "mirror/hello", "1.1.0", kBoth, nullptr);
  BOOST_REQUIRE(!r.ok());
  BOOST_CHECK_MESSAGE(r.status().code() == Status::Code::kPermissionDenied, r.status().ToString());
  BOOST_TEST(r.status().message().find("check the credentials for " + reg.host()) != std::string::npos,
             r.status().message());
  BOOST_TEST(r.status().message().find(wrong) == std::string::npos, r.status().message());
  BOOST_TEST(r.status().message().find(mg::Base64Encode(reg.options().user + ":" + wrong)) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_absent_helper_is_a_clear_error) {
  TestRegistry& reg = Registry();
  Helpers helpers(reg, reg.options().password);
  const std::string path = helpers.Config("absent", R"({"credHelpers": {")" + reg.host() + R"(": "mgabsent"}})");
  auto found = Resolve(helpers, path);
  BOOST_REQUIRE(!found.ok());
  BOOST_CHECK(found.status().code() == Status::Code::kFailedPrecondition);
  const std::string& m = found.status().message();
  BOOST_TEST(m.find("docker-credential-mgabsent") != std::string::npos, m);
  BOOST_TEST(m.find("credHelpers[\"" + reg.host() + "\"] in " + path) != std::string::npos, m);
  BOOST_TEST(m.find(helpers.bin().string()) != std::string::npos, m);  // the PATH searched
}

BOOST_AUTO_TEST_CASE(a_slow_helper_is_killed_after_the_timeout) {
  TestRegistry& reg = Registry();
  Helpers helpers(reg, reg.options().password);
  helpers.Write("docker-credential-mgslow", "#!/bin/sh\nexec sleep 60\n");
  mg::SubprocessCredentialHelperRunner runner({{"PATH", helpers.path_env()}}, std::chrono::milliseconds(300));
  auto r = mg::GetHelperCredentials(runner, "mgslow", reg.host(), "credsStore in /x/config.json");
  BOOST_REQUIRE(!r.ok());
  BOOST_CHECK(r.status().code() == Status::Code::kUnavailable);
  BOOST_TEST(r.status().message().find("docker-credential-mgslow") != std::string::npos, r.status().message());
  BOOST_TEST(r.status().message().find("did not finish in time") != std::string::npos, r.status().message());
}

BOOST_AUTO_TEST_CASE(cli_uses_the_helper_on_path_and_never_leaks) {
  TestRegistry& reg = Registry();
  const std::string& password = reg.options().password;
  Helpers helpers(reg, password);
  CliWorkspace ws;
  ws.env()["PATH"] = helpers.path_env();
  Prepare(ws, helpers.Config("cli", R"({"credsStore": "mgtest"})"));
  auto r = ws.Run({"run", "--json", "report.json"});
  BOOST_TEST_REQUIRE(r.exit_code == 1, r.Describe());  // the upstream has no Dockerfile: builds fail
  Json report = ws.ReadJson("report.json");
  BOOST_TEST_REQUIRE(report.is_object(), r.Describe());
  BOOST_TEST(TaskStatusOf(report, "probe:hello@1.1.0") == "ran");
  BOOST_TEST(mg::testing::FindTask(report, "probe:hello@1.1.0")->at("result")["state"] == "complete");
  BOOST_TEST(mg::testing::FindTask(report, "probe:hello@1.0.0")->at("result")["state"] == "missing");
  BOOST_TEST(helpers.Calls().find("get|" + reg.host() + "\n") != std::string::npos, helpers.Calls());
  CheckNoLeak(ws, r, password);
  CheckNoLeak(ws, r, mg::Base64Encode(reg.options().user + ":" + password));
}

BOOST_AUTO_TEST_CASE(cli_env_overrides) {
  TestRegistry& reg = Registry();
  const std::string& password = reg.options().password;
  Helpers helpers(reg, password);
  const std::string absent = helpers.Config("cli-absent", R"({"credsStore": "mgabsent"})");
  const std::string good = helpers.Config("cli-good", R"({"credsStore": "mgtest"})");
  {
    // MIRRORGRAPH_REGISTRY_USERNAME/PASSWORD: no docker config is read, not even a broken one.
    CliWorkspace ws;
    Prepare(ws, absent);
    ws.env()["MIRRORGRAPH_REGISTRY_USERNAME"] = reg.options().user;
    ws.env()["MIRRORGRAPH_REGISTRY_PASSWORD"] = password;
    auto r = ws.Run({"run", "--json", "report.json"});
    BOOST_TEST_REQUIRE(r.exit_code == 1, r.Describe());
    Json report = ws.ReadJson("report.json");
    BOOST_TEST_REQUIRE(report.is_object(), r.Describe());
    BOOST_TEST(mg::testing::FindTask(report, "probe:hello@1.1.0")->at("result")["state"] == "complete");
    CheckNoLeak(ws, r, password);
  }
  {
    // MIRRORGRAPH_REGISTRY_AUTH_FILE beats registry.auth_file.
    CliWorkspace ws;
    ws.env()["PATH"] = helpers.path_env();
    Prepare(ws, absent);
    ws.env()["MIRRORGRAPH_REGISTRY_AUTH_FILE"] = good;
    auto r = ws.Run({"run", "--json", "report.json"});
    BOOST_TEST_REQUIRE(r.exit_code == 1, r.Describe());
    Json report = ws.ReadJson("report.json");
    BOOST_TEST_REQUIRE(report.is_object(), r.Describe());
    BOOST_TEST(mg::testing::FindTask(report, "probe:hello@1.1.0")->at("result")["state"] == "complete");
    CheckNoLeak(ws, r, password);
  }
  {
    // Without the override, registry.auth_file names a helper that is not installed.
    CliWorkspace ws;
    ws.env()["PATH"] = helpers.path_env();
    Prepare(ws, absent);
    auto r = ws.Run({"run", "--json", "report.json"});
    BOOST_TEST(r.exit_code == 2, r.Describe());
    BOOST_TEST(r.err.find("docker-credential-mgabsent") != std::string::npos, r.Describe());
    BOOST_TEST(r.err.find("credsStore in " + absent) != std::string::npos, r.Describe());
  }
  {
    // Only half of the pair is a clear error that does not echo the value.
    CliWorkspace ws;
    Prepare(ws, "");
    ws.env()["MIRRORGRAPH_REGISTRY_PASSWORD"] = password;
    auto r = ws.Run({"run", "--json", "report.json"});
    BOOST_TEST(r.exit_code == 2, r.Describe());
    BOOST_TEST(r.err.find("MIRRORGRAPH_REGISTRY_USERNAME") != std::string::npos, r.Describe());
    CheckNoLeak(ws, r, password);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
