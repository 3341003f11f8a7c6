// How `mirrorgraph` fails: config errors (all at once, positioned, nothing created), usage errors,
// a busy state directory, an unreachable registry (a failure, never "missing"), what a killed run
// left in work/ (removed when the next run starts), and an upstream that does not exist (its app
// fails, the others go on).
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "cli_fixture.h"
#include "util/atomic_file.h"
#include "util/file_lock.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::TaskReasonOf;
using mg::testing::TaskStatusOf;
using mg::testing::TestRegistry;

namespace {

TestRegistry& Registry() { return mg::testing::SharedPlainRegistry(); }

std::string PrepareHello(CliWorkspace& ws, const std::string& host) {
  auto url = ws.MakeUpstream("hello", {"v1.0.0", "v1.1.0", "v1.2.0"});
  BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
  ws.WriteConfig({.registry_host = host, .ns = "errors", .max_versions = 2, .apps = {{.name = "hello", .url = *url}}});
  return *url;
}

// Lines 8, 12, 13, 16 and 21 each hold one mistake.
constexpr char kBadConfig[] = R"([registry]
host = "127.0.0.1:5000"
namespace = "mirror"
plain_http = true

[defaults]
max_versions = 3
platfroms = ["linux/amd64"]

[apps.hello]
plugin = "generic"
platforms = ["linux/x86_64"]
source = { type = "git-tags", url = "file:///nonexistent", tag_pattern = '^v\d+$' }

[apps.other]
plugin = "nosuchplugin"
source = { type = "git-tags", url = "file:///nonexistent" }

[apps.third]
plugin = "generic"
template = "mulit-version"
source = { type = "git-tags", url = "file:///nonexistent" }
)";

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_errors_test)

BOOST_AUTO_TEST_CASE(config_errors_all_at_once_and_nothing_created) {
  CliWorkspace ws;
  ws.WriteConfigText(kBadConfig);
  const std::string expected =
      "mirror.toml:8:1: unknown key 'platfroms' in [defaults]; did you mean 'platforms'?\n"
      "mirror.toml:12:14: apps.hello.platforms[0]: unknown arch 'x86_64' in \"linux/x86_64\" (did you mean "
      "'amd64'?)";
  for (const char* command : {"run", "plan", "graph", "status"}) {
    std::vector<std::string> args = {command};
    if (std::string(command) == "run" || std::string(command) == "plan") args = {command, "--json", "report.json"};
    auto r = ws.Run(args);
    BOOST_TEST(r.exit_code == 2, command << ": " << r.Describe());
    BOOST_TEST(r.out.empty(), command << ": " << r.out);
    BOOST_TEST(r.err.rfind(expected, 0) == 0u, command << ": " << r.err);
    BOOST_TEST(r.err.find("\nmirror.toml:13:74: apps.hello.source: tag_pattern \"^v\\d+$\" has no capture group") !=
                   std::string::npos,
               r.err);
    BOOST_TEST(r.err.find("\nmirror.toml:16:10: apps.other.plugin: plugin 'nosuchplugin' not found") !=
                   std::string::npos,
               r.err);
    BOOST_TEST(r.err.find("\nmirror.toml:21:12: apps.third.template: unknown template 'mulit-version'; did you mean "
                          "'multi-version'?") != std::string::npos,
               r.err);
    BOOST_TEST(r.err.find("mirrorgraph: 5 problem(s) in the config; nothing was run\n") != std::string::npos, r.err);
    BOOST_TEST(mg::testing::CountLinesContaining(r.err, "mirror.toml:") == 5u, r.err);
  }
  BOOST_TEST(!fs::exists(ws.state_dir()));
  BOOST_TEST(!fs::exists(ws.dir() / "report.json"));
}

BOOST_AUTO_TEST_CASE(invalid_toml_is_one_positioned_error) {
  CliWorkspace ws;
  ws.WriteConfigText("[registry]\nhost = \"127.0.0.1:5000\"\nnamespace = \n");
  auto r = ws.Run({"plan"});
  BOOST_TEST(r.exit_code == 2, r.Describe());
  BOOST_TEST(r.err.rfind("mirror.toml:3:", 0) == 0u, r.err);
  BOOST_TEST(r.err.find("invalid TOML: ") != std::string::npos, r.err);
  BOOST_TEST(!fs::exists(ws.state_dir()));
}

// Finding 5: a 50 MB value is quoted clipped, with its length, still positioned; stderr stays small.
BOOST_AUTO_TEST_CASE(a_huge_config_value_does_not_flood_stderr) {
  CliWorkspace ws;
  const std::string value = "linux/" + std::string(50u << 20, 'a');
  ws.WriteConfigText("[registry]\nhost = \"127.0.0.1:5000\"\n\n[defaults]\nplatforms = [\"" + value + "\"]\n");
  auto r = ws.Run({"plan"});
  BOOST_TEST(r.exit_code == 2, r.Describe().substr(0, 2000));
  BOOST_TEST(r.err.size() < 4096u, "stderr holds " << r.err.size() << " bytes: " << r.err.substr(0, 1000));
  BOOST_TEST(r.err.rfind("mirror.toml:5:14: defaults.platforms[0]: unknown arch ", 0) == 0u, r.err.substr(0, 1000));
  BOOST_TEST(r.err.find("(" + std::to_string(value.size()) + " bytes)") != std::string::npos, r.err.substr(0, 1000));
  BOOST_TEST(!fs::exists(ws.state_dir()));
}

BOOST_AUTO_TEST_CASE(usage_errors) {
  CliWorkspace ws;
  auto r = ws.Run({"plna"});
  BOOST_TEST(r.exit_code == 2, r.Describe());
  BOOST_TEST(r.err.find("unknown command 'plna'; did you mean 'plan'?") != std::string::npos, r.err);

  r = ws.Run({"run", "--jobs", "0"});
  BOOST_TEST(r.exit_code == 2, r.Describe());
  BOOST_TEST(r.err.find("--jobs must be at least 1") != std::string::npos, r.err);

  r = ws.Run({"explain", "nosuchtask"});
  BOOST_TEST(r.exit_code == 2, r.Describe());
  BOOST_TEST(r.err.find("'nosuchtask' is not a task id") != std::string::npos, r.err);

  r = ws.Run({"explain"});
  BOOST_TEST(r.exit_code == 2, r.Describe());

  r = ws.Run({"plan"});  // no mirror.toml here
  BOOST_TEST(r.exit_code == 2, r.Describe());
  BOOST_TEST(r.err.find("use -c to point at your config") != std::string::npos, r.err);

  // verify --require: an unknown kind, an empty list, and the option on another command.
  r = ws.Run({"verify", "127.0.0.1:9/a/b:1", "--key", "k.pub", "--require", "sbom,provenence"});
  BOOST_TEST(r.exit_code == 2, r.Describe());
  BOOST_TEST(r.err.find("unknown attestation kind 'provenence'; did you mean 'provenance'?") != std::string::npos, r.err);
  r = ws.Run({"verify", "127.0.0.1:9/a/b:1", "--key", "k.pub", "--require", ","});
  BOOST_TEST(r.exit_code == 2, r.Describe());
  r = ws.Run({"run", "--require", "sbom"});
  BOOST_TEST(r.exit_code == 2, r.Describe());
  BOOST_TEST(r.err.find("--require is an option of verify") != std::string::npos, r.err);
}

// verify's signer flags: --key or keyless (an identity form and an issuer form), the trust root
// (--trusted-root, [attestations] trusted_root of -c, cosign's environment), each mistake a usage
// error (2) before any registry is contacted (the registry here does not exist).
BOOST_AUTO_TEST_CASE(verify_usage_errors) {
  CliWorkspace ws;
  ws.env()["SIGSTORE_ROOT_FILE"] = "";
  ws.env()["SIGSTORE_REKOR_PUBLIC_KEY"] = "";
  const std::string image = "127.0.0.1:1/mirror/hello:1.0.0";
  const std::string id = "https://github.com/team/mirror/.github/workflows/mirror.yml@refs/heads/main";
  const std::string issuer = "https://token.actions.githubusercontent.com";
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{"verify", image}, "verify needs --key cosign.pub"},
      {{"verify", image, "--key", "cosign.pub", "--certificate-identity", id}, "not both"},
      {{"verify", image, "--certificate-identity", id}, "needs the identity's issuer"},
      {{"verify", image, "--certificate-oidc-issuer", issuer}, "needs the signer's identity"},
      {{"verify", image, "--certificate-identity", id, "--certificate-identity-regexp", ".*", "--certificate-oidc-issuer", issuer},
       "--certificate-identity or --certificate-identity-regexp, not both"},
      {{"verify", image, "--certificate-identity", id, "--certificate-oidc-issuer", issuer, "--certificate-oidc-issuer-regexp", ".*"},
       "--certificate-oidc-issuer or --certificate-oidc-issuer-regexp, not both"},
      {{"verify", image, "--key", "cosign.pub", "--trusted-root", "root.json"}, "--trusted-root is for keyless verification"},
      {{"verify", image, "--certificate-identity-regexp", "(", "--certificate-oidc-issuer", issuer}, "is not a valid regular expression"},
      {{"verify", image, "--certificate-identity", id, "--certificate-oidc-issuer", issuer}, "needs a trusted root"},
      {{"verify", image, "--certificate-identity", id, "--certificate-oidc-issuer", issuer, "--trusted-root", "nope.json"},
       "nope.json"},
      {{"verify", image, "--certificate-identity", id, "--certificate-oidc-issuer", issuer, "--trusted-root", "bad.json"},
       "bad.json is not a Sigstore trusted root"},
      {{"run", "--trusted-root", "root.json"}, "--trusted-root is an option of verify"},
  };
  BOOST_REQUIRE(mg::WriteFileAtomic((ws.dir() / "bad.json").string(), "{\"mediaType\": 5, \"tlogs\": []}").ok());
  for (const Case& c : cases) {
    auto r = ws.Run(c.args);
    BOOST_TEST(r.exit_code == 2, r.Describe());
    BOOST_TEST(r.err.find(c.expect) != std::string::npos, r.err);
  }
  // cosign's environment, half set.
  ws.env()["SIGSTORE_ROOT_FILE"] = (ws.dir() / "bad.json").string();
  auto r = ws.Run({"verify", image, "--certificate-identity", id, "--certificate-oidc-issuer", issuer});
  BOOST_TEST(r.exit_code == 2, r.Describe());
  BOOST_TEST(r.err.find("SIGSTORE_REKOR_PUBLIC_KEY is not") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(explain_of_a_task_not_in_the_graph) {
  CliWorkspace ws;
  PrepareHello(ws, Registry().host());
  auto r = ws.Run({"explain", "build:hello@9.9.9/linux/arm64"});
  BOOST_TEST(r.exit_code == 2, r.Describe());
  BOOST_TEST(r.err.find("no task 'build:hello@9.9.9/linux/arm64' in the graph; did you mean 'build:hello@") !=
                 std::string::npos,
             r.err);
  BOOST_TEST(!fs::exists(ws.state_dir()), "explain changes nothing");
}

BOOST_AUTO_TEST_CASE(busy_state_directory) {
  CliWorkspace ws;
  PrepareHello(ws, Registry().host());
  BOOST_REQUIRE(mg::MakeDirs(ws.state_dir().string()).ok());
  std::string lock_path = (ws.state_dir() / "lock").string();
  auto lock = mg::FileLock::Acquire(lock_path, "held by cli_errors_test");
  BOOST_REQUIRE_MESSAGE(lock.ok(), lock.status().ToString());

  auto r = ws.Run({"run", "--json", "report.json"});
  BOOST_TEST(r.exit_code == 3, r.Describe());
  BOOST_TEST(r.err.find("another mirrorgraph run (pid " + std::to_string(getpid()) + ", held by cli_errors_test) holds " +
                        lock_path) != std::string::npos,
             r.err);
  BOOST_TEST(!fs::exists(ws.state_dir() / "runs"), "the busy run wrote no journal");
  BOOST_TEST(!fs::exists(ws.state_dir() / "cache.log"));
  BOOST_TEST(!fs::exists(ws.dir() / "report.json"));

  // plan takes no lock: it works while a run holds the directory.
  auto plan = ws.Run({"plan"});
  BOOST_TEST(plan.exit_code == 0, plan.Describe());

  lock->Release();
  auto again = ws.Run({"run"});
  BOOST_TEST(again.exit_code == 1, again.Describe());
}

BOOST_AUTO_TEST_CASE(unreachable_registry_fails_probes) {
  CliWorkspace ws;
  const mg::testing::ClosedLoopbackPort closed;  // bound, never listening: connections refused
  BOOST_TEST_REQUIRE(closed.port() != 0);
  PrepareHello(ws, closed.host());
  auto r = ws.Run({"run", "--json", "report.json"});
  BOOST_TEST_REQUIRE(r.exit_code == 1, r.Describe());
  Json report = ws.ReadJson("report.json");
  BOOST_TEST_REQUIRE(report.is_object());
  BOOST_TEST(TaskStatusOf(report, "discover:hello") == "ran");
  std::vector<std::string> probes = mg::testing::TaskIds(report, "probe:");
  BOOST_TEST(probes == (std::vector<std::string>{"probe:hello@1.1.0", "probe:hello@1.2.0"}),
             boost::test_tools::per_element());
  for (const std::string& id : probes) {
    const Json* t = mg::testing::FindTask(report, id);
    BOOST_TEST(t->value("status", "") == "failed", id);
    BOOST_TEST(!t->contains("result"), id << " has no result: " << t->dump());
    BOOST_TEST(t->value("error", "").find("Couldn't connect to server") != std::string::npos, t->dump());
    BOOST_TEST(t->dump().find("missing") == std::string::npos, "an error is never 'missing': " << t->dump());
  }
  BOOST_TEST(TaskStatusOf(report, "build:hello@1.2.0/linux/arm64") == "blocked");
  BOOST_TEST(TaskReasonOf(report, "build:hello@1.2.0/linux/arm64") == "blocked: probe:hello@1.2.0 failed");
  BOOST_TEST(report["summary"]["failed"] == 2);
}

// What a killed run left in work/ (a build's checkout and its registry auth file) is gone once
// the next run holds the state directory; a plan, which takes no lock, leaves it alone.
BOOST_AUTO_TEST_CASE(a_killed_runs_work_directories_are_removed_when_the_next_run_starts) {
  CliWorkspace ws;
  const mg::testing::ClosedLoopbackPort closed;
  BOOST_TEST_REQUIRE(closed.port() != 0);
  PrepareHello(ws, closed.host());
  const fs::path attempt = ws.state_dir() / "work" / "build+hello@1.2.0_linux_amd64.999999";
  BOOST_REQUIRE(mg::MakeDirs((attempt / "src").string()).ok());
  BOOST_REQUIRE(mg::WriteFileAtomic((attempt / "auth.json").string(), R"({"auths":{"r":{"auth":"dTpw"}}})").ok());

  auto plan = ws.Run({"plan"});
  BOOST_TEST(fs::exists(attempt / "auth.json"), plan.Describe());
  auto r = ws.Run({"run"});
  BOOST_TEST(r.exit_code == 1, r.Describe());
  BOOST_TEST(!fs::exists(attempt), r.Describe());
  BOOST_TEST(fs::is_empty(ws.state_dir() / "work"));
}

BOOST_AUTO_TEST_CASE(missing_upstream_fails_its_app_only) {
  CliWorkspace ws;
  auto url = ws.MakeUpstream("hello", {"v1.0.0", "v1.1.0"});
  BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
  std::string ghost = "file://" + (ws.dir() / "upstreams" / "no-such-repo").string();
  ws.WriteConfig({.registry_host = Registry().host(),
                  .ns = "errors",
                  .max_versions = 2,
                  .apps = {{.name = "ghost", .url = ghost}, {.name = "hello", .url = *url}}});
  auto r = ws.Run({"run", "--json", "report.json"});
  BOOST_TEST_REQUIRE(r.exit_code == 1, r.Describe());
  Json report = ws.ReadJson("report.json");
  BOOST_TEST_REQUIRE(report.is_object());
  BOOST_TEST(TaskStatusOf(report, "discover:ghost") == "failed");
  const Json* d = mg::testing::FindTask(report, "discover:ghost");
  BOOST_TEST(d->value("error", "").find("no-such-repo") != std::string::npos, d->dump());
  // The ghost app's per-version subgraph never exists: nothing is blocked on a phantom version.
  for (const Json& t : report["tasks"]) {
    if (t.value("app", "") == "ghost") BOOST_TEST(t.value("id", "") == "discover:ghost");
  }
  BOOST_TEST(TaskStatusOf(report, "discover:hello") == "ran");
  BOOST_TEST(TaskStatusOf(report, "probe:hello@1.0.0") == "ran");
  BOOST_TEST(TaskStatusOf(report, "probe:hello@1.1.0") == "ran");

  auto st = ws.Run({"status"});
  BOOST_TEST(st.exit_code == 0, st.Describe());
  BOOST_TEST(st.out.find("FAILED discover:ghost: ") != std::string::npos, st.out);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
