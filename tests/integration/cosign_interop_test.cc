// Signatures and attestations in a real docker-registry, checked by independent verifiers both
// ways: what AttachSignature/AttachAttestation store, cosign 2.x verifies (`cosign verify`,
// `cosign verify-attestation --type slsaprovenance1|spdxjson`) for the tag and every platform
// digest, and rejects for a wrong key, a flipped signature byte and an unsigned image — as does
// `mirrorgraph verify`; what cosign itself signs and attests (with a pair from `mirrorgraph
// keygen`) `mirrorgraph verify` accepts. The cosign parts are skipped, with the reason printed,
// when ../shared/tools/cosign-path cannot provide cosign; mirrorgraph's own verdicts are asserted
// regardless.
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <iostream>

#include "cli_fixture.h"
#include "http/base64.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/media_types.h"
#include "oci/push.h"
#include "oci/registry_client.h"
#include "registry_fixture.h"
#include "sign/cosign_storage.h"
#include "sign/dsse.h"
#include "sign/intoto.h"
#include "sign/keys.h"
#include "sign/signer.h"
#include "sign/simple_signing.h"
#include "sign/slsa_provenance.h"
#include "unit/sign/sign_test_util.h"
#include "util/sha256.h"
#include "util/strings.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::Json;
using mg::testing::TempDir;
using mg::testing::TestRegistry;

const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";
constexpr char kPassphrase[] = "interop-pass";

struct Cosign {
  std::string path;
  std::string why_not;
  Cosign() { path = mg::testing::CosignPath(&why_not); }
};

const Cosign& GetCosign() {
  static const Cosign cosign;
  return cosign;
}

// True when cosign is there; otherwise prints why the cosign half of `test` is skipped.
bool HaveCosign(const std::string& test) {
  if (!GetCosign().path.empty()) return true;
  std::cout << "cosign_interop_test/" << test << ": cosign checks skipped: cosign unavailable ("
            << GetCosign().why_not << ")" << std::endl;
  return false;
}

mg::Json Provenance() {
  mg::SlsaProvenanceInput in;
  in.external_parameters = {{"app", "hello"}, {"version", "1.0.0"}, {"platforms", {"linux/amd64", "linux/arm64"}}};
  in.internal_parameters = {{"builder", {{"backend", "buildah"}}}};
  in.resolved_dependencies.push_back(
      mg::GitCommitDependency("https://git.example.org/hello.git", "refs/tags/v1.0.0", kCommit).value());
  in.invocation_id = "run-interop";
  in.started_on_millis = 1714979289123;
  in.finished_on_millis = 1714979349000;
  return mg::BuildSlsaProvenance(in).value();
}

mg::Json Sbom() {
  return {{"spdxVersion", "SPDX-2.3"},
          {"dataLicense", "CC0-1.0"},
          {"SPDXID", "SPDXRef-DOCUMENT"},
          {"name", "hello"},
          {"documentNamespace", "https://mirrorgraph.invalid/spdx/hello-1.0.0"},
          {"creationInfo", {{"created", "2024-05-06T07:08:09Z"}, {"creators", {"Tool: mirrorgraph"}}}},
          {"packages",
           {{{"SPDXID", "SPDXRef-Package-a"}, {"name", "a"}, {"versionInfo", "1"}, {"downloadLocation", "NOASSERTION"}},
            {{"SPDXID", "SPDXRef-Package-b"}, {"name", "b"}, {"versionInfo", "2"}, {"downloadLocation", "NOASSERTION"}}}}};
}

// A key pair on disk (cosign's format) and the registry client of the shared plain registry.
struct Env {
  TestRegistry& reg = mg::testing::SharedPlainRegistry();
  TempDir dir{"mg-cosign-interop"};
  std::string key = (dir.path() / "cosign.key").string();
  std::string pub = (dir.path() / "cosign.pub").string();
  mg::CurlTransport transport;
  mg::HttpClient http{transport};
  mg::RegistryClient client{http, reg.host(), /*plain_http=*/true, std::nullopt};
  std::unique_ptr<mg::KeySigner> signer;

  explicit Env(bool make_key = true) {
    if (!make_key) return;
    BOOST_REQUIRE(mg::GenerateKeyPair(key, pub, kPassphrase).ok());
    signer = std::make_unique<mg::KeySigner>(mg::LoadPrivateKeyFile(key, mg::KeyPassphrase::Literal(kPassphrase)).value());
  }

  mg::testing::TestImage Push(const std::string& repo) {
    auto img = mg::testing::PushTestImage(reg, repo, "1.0.0", {"linux/amd64", "linux/arm64"});
    BOOST_REQUIRE_MESSAGE(img.ok(), img.status().ToString());
    BOOST_REQUIRE(img->platform_digests.size() == 2u);
    return std::move(img).value();
  }

  std::vector<std::string> Digests(const mg::testing::TestImage& img) const {
    std::vector<std::string> all = {img.digest};
    for (const auto& [platform, digest] : img.platform_digests) all.push_back(digest);
    return all;
  }

  void SignAndAttest(const std::string& repo, const mg::testing::TestImage& img, mg::Signer& with) {
    for (const std::string& d : Digests(img)) {
      auto s = mg::AttachSignature(client, repo, d, with);
      BOOST_REQUIRE_MESSAGE(s.ok(), s.status().ToString());
      auto p = mg::AttachAttestation(client, repo, d, std::string(mg::kSlsaProvenanceV1PredicateType), Provenance(), with);
      BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
      auto b = mg::AttachAttestation(client, repo, d, std::string(mg::kSpdxPredicateType), Sbom(), with);
      BOOST_REQUIRE_MESSAGE(b.ok(), b.status().ToString());
    }
  }

  std::string Image(const std::string& repo, const std::string& ref) const {
    return reg.host() + "/" + repo + (ref.rfind("sha256:", 0) == 0 ? "@" : ":") + ref;
  }

  std::map<std::string, std::string> CosignEnv() const {
    return {{"HOME", dir.path().string()}, {"COSIGN_PASSWORD", kPassphrase}, {"DOCKER_CONFIG", dir.path().string()}};
  }

  mg::SubprocessResult Cosign(std::vector<std::string> args) const {
    args.insert(args.begin(), GetCosign().path);
    return mg::testing::Run(std::move(args), CosignEnv(), dir.path().string());
  }
  mg::SubprocessResult CosignVerify(const std::string& image, const std::string& pub_path) const {
    return Cosign({"verify", "--key", pub_path, "--insecure-ignore-tlog=true", "--allow-http-registry", image});
  }
  mg::SubprocessResult CosignVerifyAttestation(const std::string& image, const std::string& type,
                                               const std::string& pub_path) const {
    return Cosign({"verify-attestation", "--key", pub_path, "--type", type, "--insecure-ignore-tlog=true",
                   "--allow-http-registry", image});
  }

  mg::SubprocessResult Mirrorgraph(std::vector<std::string> args, std::map<std::string, std::string> env = {}) const {
    const std::string bin = mg::testing::MirrorgraphPath();
    BOOST_REQUIRE_MESSAGE(!bin.empty(), "MG_BUILD_DIR is not set: cannot find the mirrorgraph binary");
    args.insert(args.begin(), bin);
    if (!env.count("DOCKER_CONFIG")) env["DOCKER_CONFIG"] = dir.path().string();  // no credentials
    env["HOME"] = dir.path().string();
    return mg::testing::Run(std::move(args), env, dir.path().string());
  }
  mg::SubprocessResult MirrorgraphVerify(const std::string& image, const std::string& pub_path,
                                         std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"verify", image, "--key", pub_path, "--plain-http"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Mirrorgraph(std::move(args));
  }

  size_t LayerCount(const std::string& repo, const std::string& digest, const std::string& suffix) {
    auto layers = mg::ReadCosignLayers(client, repo, digest, suffix);
    BOOST_REQUIRE_MESSAGE(layers.ok(), layers.status().ToString());
    return layers->size();
  }

  // Rewrites the cosign manifest `tag` of `repo` through `edit` (with our own client).
  void EditManifest(const std::string& repo, const std::string& tag, const std::function<void(Json&)>& edit) {
    auto m = client.GetManifest(repo, tag);
    BOOST_REQUIRE_MESSAGE(m.ok(), m.status().ToString());
    Json doc = m->json;
    edit(doc);
    auto put = mg::PutManifest(client, repo, tag, doc.dump(), mg::kMediaTypeOciManifest);
    BOOST_REQUIRE_MESSAGE(put.ok(), put.status().ToString());
  }
};

std::string Describe(const mg::SubprocessResult& r) {
  return "exit " + std::to_string(r.exit_code) + ": " + mg::TailLines(r.stderr_text + r.stdout_text, 8);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cosign_interop_test)

BOOST_AUTO_TEST_CASE(what_we_store_cosign_and_mirrorgraph_verify) {
  Env env;
  const std::string repo = "interop/ours";
  auto img = env.Push(repo);
  env.SignAndAttest(repo, img, *env.signer);

  // mirrorgraph verify: every check passes, and says what it found.
  auto mv = env.MirrorgraphVerify(env.Image(repo, "1.0.0"), env.pub);
  BOOST_TEST(mv.exit_code == 0, Describe(mv));
  BOOST_TEST(mv.stdout_text.find("verified: 3 signature(s) and 6 attestation(s)") != std::string::npos, mv.stdout_text);
  BOOST_TEST(mv.stdout_text.find("SPDX SBOM of 2 package(s)") != std::string::npos, mv.stdout_text);
  BOOST_TEST(mv.stdout_text.find("at commit " + kCommit) != std::string::npos, mv.stdout_text);
  auto mj = env.MirrorgraphVerify(env.Image(repo, "1.0.0"), env.pub, {"--json"});
  BOOST_REQUIRE_MESSAGE(mj.exit_code == 0, Describe(mj));
  Json report = mg::ParseJson(mj.stdout_text);
  BOOST_REQUIRE(report.is_object());
  BOOST_TEST(report["ok"] == true);
  BOOST_TEST(report["digest"] == img.digest);
  BOOST_TEST(report["subjects"].size() == 3u);

  // Re-signing and re-attesting add no layer.
  for (const std::string& d : env.Digests(img)) {
    BOOST_TEST(!mg::AttachSignature(env.client, repo, d, *env.signer).value());
    BOOST_TEST(!mg::AttachAttestation(env.client, repo, d, std::string(mg::kSlsaProvenanceV1PredicateType), Provenance(),
                                      *env.signer)
                    .value());
    BOOST_TEST(env.LayerCount(repo, d, ".sig") == 1u);
    BOOST_TEST(env.LayerCount(repo, d, ".att") == 2u);
  }

  if (!HaveCosign("what_we_store_cosign_and_mirrorgraph_verify")) return;
  std::vector<std::string> refs = {"1.0.0"};
  for (const auto& [platform, digest] : img.platform_digests) refs.push_back(digest);
  for (const std::string& ref : refs) {
    const std::string image = env.Image(repo, ref);
    auto v = env.CosignVerify(image, env.pub);
    BOOST_TEST(v.exit_code == 0, image + ": cosign verify " + Describe(v));
    auto slsa = env.CosignVerifyAttestation(image, "slsaprovenance1", env.pub);
    BOOST_TEST(slsa.exit_code == 0, image + ": cosign verify-attestation --type slsaprovenance1 " + Describe(slsa));
    auto spdx = env.CosignVerifyAttestation(image, "spdxjson", env.pub);
    BOOST_TEST(spdx.exit_code == 0, image + ": cosign verify-attestation --type spdxjson " + Describe(spdx));
    // mirrorgraph verify of each platform digest alone.
    auto m = env.MirrorgraphVerify(image, env.pub);
    BOOST_TEST(m.exit_code == 0, image + ": " + Describe(m));
  }
}

BOOST_AUTO_TEST_CASE(a_wrong_key_fails_everywhere) {
  Env env;
  const std::string repo = "interop/wrongkey";
  auto img = env.Push(repo);
  env.SignAndAttest(repo, img, *env.signer);
  const std::string other_pub = (env.dir.path() / "other.pub").string();
  BOOST_REQUIRE(mg::GenerateKeyPair((env.dir.path() / "other.key").string(), other_pub, "x").ok());

  auto mv = env.MirrorgraphVerify(env.Image(repo, "1.0.0"), other_pub);
  BOOST_TEST(mv.exit_code == 1, Describe(mv));
  BOOST_TEST(mv.stdout_text.find("FAILED: 9 check(s) failed") != std::string::npos, mv.stdout_text);
  BOOST_TEST(mv.stdout_text.find("does not verify with the key") != std::string::npos, mv.stdout_text);

  if (!HaveCosign("a_wrong_key_fails_everywhere")) return;
  const std::string image = env.Image(repo, "1.0.0");
  auto v = env.CosignVerify(image, other_pub);
  BOOST_TEST(v.exit_code != 0, "cosign verify with the wrong key passed: " + Describe(v));
  auto a = env.CosignVerifyAttestation(image, "slsaprovenance1", other_pub);
  BOOST_TEST(a.exit_code != 0, "cosign verify-attestation with the wrong key passed: " + Describe(a));
  // The right key still passes (the failure above is the key's, not the setup's).
  BOOST_TEST(env.CosignVerify(image, env.pub).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(a_flipped_signature_byte_fails_where_it_is) {
  Env env;
  const std::string repo = "interop/flipped";
  auto img = env.Push(repo);
  env.SignAndAttest(repo, img, *env.signer);
  // Flip one byte of the index's signature (its layer annotation) ...
  env.EditManifest(repo, mg::CosignTag(img.digest, ".sig"), [](Json& m) {
    auto& a = m["layers"][0]["annotations"][std::string(mg::kCosignSignatureAnnotation)];
    std::string der = *mg::Base64Decode(a.get<std::string>());
    der[der.size() - 5] ^= 0x01;
    a = mg::Base64Encode(der);
  });
  // ... and of the DSSE signature of one platform's provenance.
  const std::string amd64 = img.platform_digests.begin()->second;
  const std::string amd64_name = img.platform_digests.begin()->first;
  env.EditManifest(repo, mg::CosignTag(amd64, ".att"), [&](Json& m) {
    for (Json& layer : m["layers"]) {
      if (layer["annotations"]["predicateType"] != std::string(mg::kSlsaProvenanceV1PredicateType)) continue;
      auto blob = env.client.GetBlob(repo, layer["digest"]);
      BOOST_REQUIRE(blob.ok());
      mg::DsseEnvelope e = mg::ParseDsseEnvelope(*blob).value();
      e.signatures[0].sig[e.signatures[0].sig.size() - 5] ^= 0x01;
      const std::string bytes = mg::SerializeDsseEnvelope(e);
      BOOST_REQUIRE(mg::PushBlob(env.client, repo, mg::Sha256Digest(bytes), bytes).ok());
      layer["digest"] = mg::Sha256Digest(bytes);
      layer["size"] = bytes.size();
    }
  });

  auto mv = env.MirrorgraphVerify(env.Image(repo, "1.0.0"), env.pub);
  BOOST_TEST(mv.exit_code == 1, Describe(mv));
  BOOST_TEST(mv.stdout_text.find("FAILED: 2 check(s) failed") != std::string::npos, mv.stdout_text);
  BOOST_TEST(mv.stdout_text.find("  index " + img.digest + ": signature: none of the 1 signature(s)") != std::string::npos,
             mv.stdout_text);
  BOOST_TEST(mv.stdout_text.find(amd64 + ": attestation https://slsa.dev/provenance/v1") != std::string::npos,
             mv.stdout_text);
  BOOST_TEST(mv.stdout_text.find(amd64_name) != std::string::npos, mv.stdout_text);

  if (!HaveCosign("a_flipped_signature_byte_fails_where_it_is")) return;
  auto v = env.CosignVerify(env.Image(repo, "1.0.0"), env.pub);
  BOOST_TEST(v.exit_code != 0, "cosign verify of a flipped signature passed: " + Describe(v));
  auto a = env.CosignVerifyAttestation(env.Image(repo, amd64), "slsaprovenance1", env.pub);
  BOOST_TEST(a.exit_code != 0, "cosign verify-attestation of a flipped DSSE signature passed: " + Describe(a));
  // What was not touched still verifies.
  BOOST_TEST(env.CosignVerify(env.Image(repo, amd64), env.pub).exit_code == 0);
  BOOST_TEST(env.CosignVerifyAttestation(env.Image(repo, "1.0.0"), "slsaprovenance1", env.pub).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(an_unsigned_image_fails) {
  Env env;
  const std::string repo = "interop/unsigned";
  auto img = env.Push(repo);
  auto mv = env.MirrorgraphVerify(env.Image(repo, "1.0.0"), env.pub);
  BOOST_TEST(mv.exit_code == 1, Describe(mv));
  BOOST_TEST(mv.stdout_text.find("FAILED: 3 check(s) failed") != std::string::npos, mv.stdout_text);
  BOOST_TEST(mv.stdout_text.find("signature: not signed: " + env.reg.host() + "/" + repo + ":" +
                                 mg::CosignTag(img.digest, ".sig") + " does not exist") != std::string::npos,
             mv.stdout_text);
  // A missing image is another answer: nothing could be checked.
  auto missing = env.MirrorgraphVerify(env.Image(repo, "9.9.9"), env.pub);
  BOOST_TEST(missing.exit_code == 4, Describe(missing));

  if (!HaveCosign("an_unsigned_image_fails")) return;
  auto v = env.CosignVerify(env.Image(repo, "1.0.0"), env.pub);
  BOOST_TEST(v.exit_code != 0, "cosign verify of an unsigned image passed: " + Describe(v));
  auto a = env.CosignVerifyAttestation(env.Image(repo, "1.0.0"), "slsaprovenance1", env.pub);
  BOOST_TEST(a.exit_code != 0, "cosign verify-attestation of an unattested image passed: " + Describe(a));
}

BOOST_AUTO_TEST_CASE(what_cosign_signs_with_a_keygen_pair_mirrorgraph_verifies) {
  Env env(/*make_key=*/false);
  // The pair comes from `mirrorgraph keygen`; a second keygen refuses to overwrite it.
  const std::string prefix = (env.dir.path() / "mg").string();
  auto kg = env.Mirrorgraph({"keygen", "--output-key-prefix", prefix}, {{"COSIGN_PASSWORD", kPassphrase}});
  BOOST_REQUIRE_MESSAGE(kg.exit_code == 0, Describe(kg));
  const std::string key = prefix + ".key", pub = prefix + ".pub";
  const std::string key_before = mg::testing::ReadText(key);
  auto again = env.Mirrorgraph({"keygen", "--output-key-prefix", prefix}, {{"COSIGN_PASSWORD", "other"}});
  BOOST_TEST(again.exit_code == 2, Describe(again));
  BOOST_TEST(mg::testing::ReadText(key) == key_before);
  BOOST_TEST((mg::testing::ModeOf(key) == 0600));

  if (!HaveCosign("what_cosign_signs_with_a_keygen_pair_mirrorgraph_verifies")) return;
  const std::string repo = "interop/bycosign";
  auto img = env.Push(repo);
  const std::string image = env.Image(repo, "1.0.0");
  auto s = env.Cosign({"sign", "--key", key, "--tlog-upload=false", "--allow-http-registry", "--yes", "--recursive", image});
  BOOST_REQUIRE_MESSAGE(s.exit_code == 0, "cosign sign --recursive " + Describe(s));
  const std::string predicate = (env.dir.path() / "provenance.json").string();
  std::ofstream(predicate) << Provenance().dump();
  for (const std::string& d : env.Digests(img)) {
    auto a = env.Cosign({"attest", "--key", key, "--type", "slsaprovenance1", "--predicate", predicate,
                         "--tlog-upload=false", "--allow-http-registry", "--yes", env.Image(repo, d)});
    BOOST_REQUIRE_MESSAGE(a.exit_code == 0, "cosign attest " + Describe(a));
  }

  auto mv = env.MirrorgraphVerify(image, pub);
  BOOST_TEST(mv.exit_code == 0, Describe(mv));
  BOOST_TEST(mv.stdout_text.find("verified: 3 signature(s) and 3 attestation(s)") != std::string::npos, mv.stdout_text);
  BOOST_TEST(mv.stdout_text.find("at commit " + kCommit) != std::string::npos, mv.stdout_text);
  // And with another key it fails.
  const std::string other_pub = (env.dir.path() / "other.pub").string();
  BOOST_REQUIRE(mg::GenerateKeyPair((env.dir.path() / "other.key").string(), other_pub, "x").ok());
  BOOST_TEST(env.MirrorgraphVerify(image, other_pub).exit_code == 1);

  // Our signer with the same key finds cosign's signatures and adds none.
  mg::KeySigner same(mg::LoadPrivateKeyFile(key, mg::KeyPassphrase::Literal(kPassphrase)).value());
  for (const std::string& d : env.Digests(img)) {
    auto added = mg::AttachSignature(env.client, repo, d, same);
    BOOST_REQUIRE_MESSAGE(added.ok(), added.status().ToString());
    BOOST_TEST(!*added, "cosign's signature of " + d + " was not recognised");
    BOOST_TEST(env.LayerCount(repo, d, ".sig") == 1u);
  }
}

BOOST_AUTO_TEST_CASE(verify_reads_credentials_like_the_rest_of_the_cli) {
  TestRegistry& reg = mg::testing::SharedAuthRegistry();
  Env env;
  const std::string repo = "interop/private";
  auto img = mg::testing::PushTestImage(reg, repo, "1.0.0", {"linux/amd64"});
  BOOST_REQUIRE_MESSAGE(img.ok(), img.status().ToString());
  mg::Credentials creds;
  creds.username = reg.options().user;
  creds.password = reg.options().password;
  mg::RegistryClient client(env.http, reg.host(), true, creds);
  for (const auto& d : {img->digest, img->platform_digests.begin()->second}) {
    auto s = mg::AttachSignature(client, repo, d, *env.signer);
    BOOST_REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  }
  const std::string image = reg.host() + "/" + repo + ":1.0.0";
  const std::string config = reg.WriteDockerConfig(reg.options().user, reg.options().password, "verify-config");
  const std::string config_dir = std::filesystem::path(config).parent_path().string();
  auto ok = env.Mirrorgraph({"verify", image, "--key", env.pub, "--plain-http"}, {{"DOCKER_CONFIG", config_dir}});
  BOOST_TEST(ok.exit_code == 0, Describe(ok));
  auto env_creds = env.Mirrorgraph({"verify", image, "--key", env.pub, "--plain-http"},
                                   {{"MIRRORGRAPH_REGISTRY_USERNAME", reg.options().user},
                                    {"MIRRORGRAPH_REGISTRY_PASSWORD", reg.options().password}});
  BOOST_TEST(env_creds.exit_code == 0, Describe(env_creds));
  auto denied = env.Mirrorgraph({"verify", image, "--key", env.pub, "--plain-http"});
  BOOST_TEST(denied.exit_code == 4, Describe(denied));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
