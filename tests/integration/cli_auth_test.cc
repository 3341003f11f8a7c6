// `mirrorgraph run` against a registry that requires Basic auth (htpasswd): credentials from the
// docker config named by registry.auth_file work; without them (or with a wrong password) probes
// fail with a permission error, never "missing"; the password never leaks into any output or state.
#include <boost/test/unit_test.hpp>

#include "cli_fixture.h"
#include "http/base64.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::TaskStatusOf;
using mg::testing::TestRegistry;

namespace {

// An htpasswd registry holding a complete mirror/hello:1.1.0, also tagged latest (1.1.0 is the
// highest version: without latest on it, its probe would call it incomplete). Started once for the suite.
TestRegistry& Registry() {
  static auto reg = [] {
    auto r = TestRegistry::Start({.htpasswd = true});
    if (r.ok()) {
      auto pushed = mg::testing::PushTestImage(**r, "mirror/hello", "1.1.0", {"linux/amd64", "linux/arm64"}, true, {"latest"});
      if (!pushed.ok()) return mg::Result<std::unique_ptr<TestRegistry>>(pushed.status());
    }
    return r;
  }();
  BOOST_REQUIRE_MESSAGE(reg.ok(), reg.status().ToString());
  return **reg;
}

// hello v1.0.0, v1.1.0; auth_file as given (empty: none, and DOCKER_CONFIG is an empty directory).
void Prepare(CliWorkspace& ws, const std::string& auth_file) {
  auto url = ws.MakeUpstream("hello", {"v1.0.0", "v1.1.0"});
  BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
  ws.WriteConfig({.registry_host = Registry().host(),
                  .max_versions = 2,
                  .auth_file = auth_file,
                  .apps = {{.name = "hello", .url = *url}}});
}

// Fails the test for every place `secret` shows up: the outputs, the report, the state directory.
void CheckNoLeak(const CliWorkspace& ws, const mg::testing::CliResult& r, const std::string& secret,
                 const std::string& what) {
  BOOST_TEST(r.out.find(secret) == std::string::npos, what << " in stdout");
  BOOST_TEST(r.err.find(secret) == std::string::npos, what << " in stderr");
  BOOST_TEST(mg::testing::ReadFile(ws.dir() / "report.json").find(secret) == std::string::npos, what << " in the report");
  std::vector<fs::path> files = mg::testing::FilesUnder(ws.state_dir());
  BOOST_TEST(!files.empty());
  for (const fs::path& f : files) {
    BOOST_TEST(mg::testing::ReadFile(f).find(secret) == std::string::npos, what << " in " << f);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_auth_test)

BOOST_AUTO_TEST_CASE(credentials_from_the_auth_file) {
  TestRegistry& reg = Registry();
  CliWorkspace ws;
  std::string auth = reg.WriteDockerConfig(reg.options().user, reg.options().password, "cli-auth-good");
  Prepare(ws, auth);
  auto r = ws.Run({"run", "--json", "report.json"});
  BOOST_TEST_REQUIRE(r.exit_code == 1, r.Describe());  // the upstream has no Dockerfile: builds fail
  Json report = ws.ReadJson("report.json");
  BOOST_TEST_REQUIRE(report.is_object());
  BOOST_TEST(TaskStatusOf(report, "probe:hello@1.0.0") == "ran");
  BOOST_TEST(mg::testing::FindTask(report, "probe:hello@1.0.0")->at("result")["state"] == "missing");
  BOOST_TEST(TaskStatusOf(report, "probe:hello@1.1.0") == "ran");
  BOOST_TEST(mg::testing::FindTask(report, "probe:hello@1.1.0")->at("result")["state"] == "complete");
  BOOST_TEST(TaskStatusOf(report, "merge:hello@1.1.0") == "unneeded");
  BOOST_TEST(TaskStatusOf(report, "build:hello@1.0.0/linux/amd64") == "failed");

  auto e = ws.Run({"explain", "probe:hello@1.1.0"});
  BOOST_TEST(e.exit_code == 0, e.Describe());
  auto st = ws.Run({"status"});
  BOOST_TEST(st.exit_code == 0, st.Describe());

  const std::string& password = reg.options().password;
  for (const auto* out : {&r, &e, &st}) {
    CheckNoLeak(ws, *out, password, "the password");
    CheckNoLeak(ws, *out, mg::Base64Encode(reg.options().user + ":" + password), "the Basic credentials");
  }
}

BOOST_AUTO_TEST_CASE(no_credentials_is_a_permission_failure) {
  CliWorkspace ws;
  Prepare(ws, "");
  auto r = ws.Run({"run", "--json", "report.json"});
  BOOST_TEST_REQUIRE(r.exit_code == 1, r.Describe());
  Json report = ws.ReadJson("report.json");
  BOOST_TEST_REQUIRE(report.is_object());
  BOOST_TEST(TaskStatusOf(report, "discover:hello") == "ran");
  for (const char* id : {"probe:hello@1.0.0", "probe:hello@1.1.0"}) {
    const Json* t = mg::testing::FindTask(report, id);
    BOOST_TEST_REQUIRE(t != nullptr, id);
    BOOST_TEST(t->value("status", "") == "failed", t->dump());
    BOOST_TEST(!t->contains("result"), t->dump());
    std::string error = t->value("error", "");
    BOOST_TEST(error.find("HTTP 401, the registry requires Basic authentication") != std::string::npos, error);
    BOOST_TEST(error.find("no credentials for " + Registry().host()) != std::string::npos, error);
  }
  BOOST_TEST(TaskStatusOf(report, "build:hello@1.1.0/linux/arm64") == "blocked");
  BOOST_TEST(r.err.find("first failure: probe:hello@") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(wrong_password_is_a_permission_failure_and_does_not_leak) {
  TestRegistry& reg = Registry();
  CliWorkspace ws;
  const std::string wrong = "not-the-Password-42";
  std::string auth = reg.WriteDockerConfig(reg.options().user, wrong, "cli-auth-bad");
  Prepare(ws, auth);
  auto r = ws.Run({"run", "--json", "report.json"});
  BOOST_TEST_REQUIRE(r.exit_code == 1, r.Describe());
  Json report = ws.ReadJson("report.json");
  BOOST_TEST_REQUIRE(report.is_object());
  const Json* t = mg::testing::FindTask(report, "probe:hello@1.1.0");
  BOOST_TEST_REQUIRE(t != nullptr);
  BOOST_TEST(t->value("status", "") == "failed", t->dump());
  BOOST_TEST(t->value("error", "").find("unauthorized") != std::string::npos, t->dump());
  BOOST_TEST(t->value("error", "").find("check the credentials for " + reg.host() + " in " + auth) !=
                 std::string::npos,
             t->dump());
  CheckNoLeak(ws, r, wrong, "the wrong password");
  CheckNoLeak(ws, r, mg::Base64Encode(reg.options().user + ":" + wrong), "the Basic credentials");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
