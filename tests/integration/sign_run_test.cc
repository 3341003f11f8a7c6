// The sign task through `mirrorgraph run`: an image already complete in a real registry (so the
// builds and the merge are unneeded and the task resolves the version tag itself) gets signed on
// the index and every platform; a rerun re-checks instead of signing; a lost signature is added
// back; no key configured is a task failure that says what to do. `mirrorgraph verify` and, when
// available, cosign check the result.
#include <boost/test/unit_test.hpp>
#include <iostream>

#include "cli_fixture.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/media_types.h"
#include "oci/push.h"
#include "oci/registry_client.h"
#include "oci/tag.h"
#include "sign/cosign_storage.h"
#include "sign/keys.h"
#include "unit/sign/sign_test_util.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::TaskStatusOf;
using mg::testing::TestRegistry;

namespace {

constexpr char kPassphrase[] = "run-pass";

struct Setup {
  TestRegistry& reg = mg::testing::SharedPlainRegistry();
  CliWorkspace ws;
  std::string key = (ws.dir() / "keys" / "cosign.key").string();
  std::string pub = (ws.dir() / "keys" / "cosign.pub").string();
  mg::testing::TestImage image;
  mg::CurlTransport transport;
  mg::HttpClient http{transport};
  mg::RegistryClient client{http, reg.host(), true, std::nullopt};

  // `ns` keeps the test cases' repositories apart in the shared registry.
  Setup(const std::string& ns, bool with_key) {
    std::filesystem::create_directories(ws.dir() / "keys");
    BOOST_REQUIRE(mg::GenerateKeyPair(key, pub, kPassphrase).ok());
    auto pushed = mg::testing::PushTestImage(reg, ns + "/hello", "1.0.0", {"linux/amd64", "linux/arm64"});
    BOOST_REQUIRE_MESSAGE(pushed.ok(), pushed.status().ToString());
    image = *pushed;
    // 1.0.0 is the latest upstream version: `latest` must name it for the probe to call it complete.
    auto tagged = mg::TagManifest(client, ns + "/hello", image.digest, "latest");
    BOOST_REQUIRE_MESSAGE(tagged.ok(), tagged.status().ToString());
    auto url = ws.MakeUpstream("hello", {"v1.0.0"});
    BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
    std::string attestations = "\n[attestations]\nsbom = false\nprovenance = false\n";
    if (with_key) attestations += "key = " + mg::testing::TomlString(key) + "\n";
    ws.WriteConfig({.registry_host = reg.host(), .ns = ns, .max_versions = 1,
                    .apps = {{.name = "hello", .url = *url}}, .extra = attestations});
    ws.env()["COSIGN_PASSWORD"] = kPassphrase;
  }

  std::string Repo(const std::string& ns) const { return ns + "/hello"; }
  std::vector<std::string> Digests() const {
    std::vector<std::string> all = {image.digest};
    for (const auto& [p, d] : image.platform_digests) all.push_back(d);
    return all;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(sign_run_test)

BOOST_AUTO_TEST_CASE(run_signs_the_index_and_every_platform_once) {
  Setup s("signrun", true);
  const std::string ref = s.reg.host() + "/signrun/hello:1.0.0";

  auto r1 = s.ws.Run({"run", "--json", "r1.json"});
  BOOST_TEST_REQUIRE(r1.exit_code == 0, r1.Describe());
  Json report = s.ws.ReadJson("r1.json");
  BOOST_TEST(TaskStatusOf(report, "merge:hello@1.0.0") == "unneeded");
  BOOST_TEST(TaskStatusOf(report, "sign:hello@1.0.0") == "ran");
  for (const std::string& d : s.Digests()) {
    auto layers = mg::ReadCosignLayers(s.client, s.Repo("signrun"), d, ".sig");
    BOOST_REQUIRE(layers.ok());
    BOOST_TEST(layers->size() == 1u, d);
  }
  auto v = s.ws.Run({"verify", ref, "--key", s.pub, "--plain-http"});
  BOOST_TEST(v.exit_code == 0, v.Describe());
  BOOST_TEST(v.out.find("verified: 3 signature(s)") != std::string::npos, v.out);

  // A rerun re-checks the signatures in the registry and writes nothing.
  auto r2 = s.ws.Run({"run", "--json", "r2.json"});
  BOOST_TEST_REQUIRE(r2.exit_code == 0, r2.Describe());
  BOOST_TEST(TaskStatusOf(s.ws.ReadJson("r2.json"), "sign:hello@1.0.0") == "cached");
  for (const std::string& d : s.Digests()) {
    BOOST_TEST(mg::ReadCosignLayers(s.client, s.Repo("signrun"), d, ".sig")->size() == 1u, d);
  }

  // A signature lost in the registry: the next run's re-check notices and adds it back.
  const std::string arm64 = s.image.platform_digests.rbegin()->second;
  auto sig = s.client.GetManifest(s.Repo("signrun"), mg::CosignTag(arm64, ".sig"));
  BOOST_REQUIRE_MESSAGE(sig.ok(), sig.status().ToString());
  Json emptied = sig->json;
  emptied["layers"] = Json::array();
  auto put = mg::PutManifest(s.client, s.Repo("signrun"), mg::CosignTag(arm64, ".sig"), emptied.dump(),
                             mg::kMediaTypeOciManifest);
  BOOST_REQUIRE_MESSAGE(put.ok(), put.status().ToString());
  BOOST_TEST(s.ws.Run({"verify", ref, "--key", s.pub, "--plain-http"}).exit_code == 1);
  auto r3 = s.ws.Run({"run", "--json", "r3.json"});
  BOOST_TEST_REQUIRE(r3.exit_code == 0, r3.Describe());
  BOOST_TEST(TaskStatusOf(s.ws.ReadJson("r3.json"), "sign:hello@1.0.0") == "ran");
  auto v3 = s.ws.Run({"verify", ref, "--key", s.pub, "--plain-http"});
  BOOST_TEST(v3.exit_code == 0, v3.Describe());
  BOOST_TEST(mg::ReadCosignLayers(s.client, s.Repo("signrun"), s.image.digest, ".sig")->size() == 1u);

  std::string why;
  const std::string cosign = mg::testing::CosignPath(&why);
  if (cosign.empty()) {
    std::cout << "sign_run_test: cosign check skipped: cosign unavailable (" << why << ")" << std::endl;
    return;
  }
  auto c = mg::testing::Run({cosign, "verify", "--key", s.pub, "--insecure-ignore-tlog=true", "--allow-http-registry", ref},
                            {{"HOME", s.ws.dir().string()}});
  BOOST_TEST(c.exit_code == 0, "cosign verify: " + c.stderr_text);
}

BOOST_AUTO_TEST_CASE(no_key_fails_the_task_with_the_fix) {
  Setup s("signnokey", false);
  auto r = s.ws.Run({"run", "--json", "r.json"});
  BOOST_TEST(r.exit_code == 1, r.Describe());
  Json report = s.ws.ReadJson("r.json");
  BOOST_TEST(TaskStatusOf(report, "sign:hello@1.0.0") == "failed");
  const Json* task = mg::testing::FindTask(report, "sign:hello@1.0.0");
  BOOST_REQUIRE(task != nullptr);
  const std::string error = task->value("error", "");
  BOOST_TEST(error.find("[attestations] key") != std::string::npos, error);
  BOOST_TEST(error.find("mirrorgraph keygen") != std::string::npos, error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
