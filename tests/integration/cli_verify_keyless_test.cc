// `mirrorgraph verify --certificate-identity … --certificate-oidc-issuer …` end to end: an image in
// the real registry signed and attested with keyless material from an in-process CA and log
// (tests/unit/sign/keyless_fixture.h), verified by the binary with cosign's environment and with
// a trusted_root.json; a wrong identity fails (exit 1) naming the tag, the layer and why; and
// cosign 2.x verify accepts and rejects the same (when cosign can be had).
#include <boost/test/unit_test.hpp>

#include "cli_fixture.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/reference.h"
#include "oci/registry_client.h"
#include "registry_fixture.h"
#include "sign/cosign_storage.h"
#include "sign/intoto.h"
#include "unit/sign/keyless_fixture.h"
#include "unit/sign/sign_test_util.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::Json;
using mg::testing::kIdentity;
using mg::testing::kIssuer;

std::string Describe(const mg::SubprocessResult& r) {
  return "exit " + std::to_string(r.exit_code) + ": " + mg::TailLines(r.stderr_text + r.stdout_text, 12);
}

struct Env {
  mg::testing::TestRegistry& reg = mg::testing::SharedPlainRegistry();
  mg::testing::TempDir dir{"mg-verify-keyless"};
  mg::CurlTransport transport;
  mg::HttpClient http{transport};
  mg::RegistryClient client{http, reg.host(), /*plain_http=*/true, std::nullopt};
  mg::testing::Fixture keyless;
  std::string d = dir.path().string();

  Env() {
    mg::testing::WriteText(d + "/chain.pem", keyless.ca.Pem(), 0644);
    mg::testing::WriteText(d + "/rekor.pub", keyless.log.signer.PublicKeyPem().value(), 0644);
  }

  mg::SubprocessResult Mirrorgraph(std::vector<std::string> args, std::map<std::string, std::string> env) const {
    const std::string bin = mg::testing::MirrorgraphPath();
    BOOST_REQUIRE_MESSAGE(!bin.empty(), "MG_BUILD_DIR is not set: cannot find the mirrorgraph binary");
    args.insert(args.begin(), bin);
    env["DOCKER_CONFIG"] = d;
    env["HOME"] = d;
    return mg::testing::Run(std::move(args), env, d);
  }
  std::map<std::string, std::string> CosignRoots() const {
    return {{"SIGSTORE_ROOT_FILE", d + "/chain.pem"}, {"SIGSTORE_REKOR_PUBLIC_KEY", d + "/rekor.pub"}};
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_verify_keyless_test)

BOOST_AUTO_TEST_CASE(keyless_signed_image_verifies_and_a_wrong_identity_fails) {
  Env env;
  const std::string repo = "keyless/hello";
  auto img = mg::testing::PushTestImage(env.reg, repo, "1.0.0", {"linux/amd64", "linux/arm64"});
  BOOST_REQUIRE_MESSAGE(img.ok(), img.status().ToString());
  mg::testing::FakeKeylessSigner signer(env.keyless);
  std::vector<std::string> digests = {img->digest};
  for (const auto& [platform, digest] : img->platform_digests) digests.push_back(digest);
  for (const std::string& digest : digests) {
    auto s = mg::AttachSignature(env.client, repo, digest, signer);
    BOOST_REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    auto a = mg::AttachAttestation(env.client, repo, digest, std::string(mg::kSpdxPredicateType),
                                   Json{{"spdxVersion", "SPDX-2.3"}, {"name", "hello"}, {"packages", Json::array()}}, signer);
    BOOST_REQUIRE_MESSAGE(a.ok(), a.status().ToString());
  }
  const std::string image = env.reg.host() + "/" + repo + ":1.0.0";

  auto good = env.Mirrorgraph({"verify", image, "--plain-http", "--certificate-identity", kIdentity,
                               "--certificate-oidc-issuer", kIssuer},
                              env.CosignRoots());
  BOOST_TEST(good.exit_code == 0, Describe(good));
  BOOST_TEST(good.stdout_text.find("verified: 3 signature(s) and 3 attestation(s)") != std::string::npos, good.stdout_text);
  BOOST_TEST(good.stdout_text.find("signer  keyless, identity \"" + kIdentity + "\"") != std::string::npos, good.stdout_text);

  // The same with a trusted_root.json and a regexp, cosign's variables unset.
  Json root = Json::object();
  root["mediaType"] = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";
  root["tlogs"] = Json::array();
  root["tlogs"].push_back({{"publicKey", {{"rawBytes", mg::Base64Encode(env.keyless.log.signer.public_key().SpkiDer())}}}});
  Json certificates = Json::array();
  certificates.push_back({{"rawBytes", mg::Base64Encode(env.keyless.ca.Der())}});
  root["certificateAuthorities"] = Json::array();
  root["certificateAuthorities"].push_back({{"certChain", {{"certificates", certificates}}}});
  mg::testing::WriteText(env.d + "/trusted_root.json", root.dump(), 0644);
  auto with_root = env.Mirrorgraph({"verify", image, "--plain-http", "--certificate-identity-regexp",
                                    "https://github\\.com/team/.*", "--certificate-oidc-issuer", kIssuer, "--trusted-root",
                                    env.d + "/trusted_root.json", "--json"},
                                   {{"SIGSTORE_ROOT_FILE", ""}, {"SIGSTORE_REKOR_PUBLIC_KEY", ""}});
  BOOST_TEST(with_root.exit_code == 0, Describe(with_root));
  const Json report = mg::ParseJson(with_root.stdout_text);
  BOOST_TEST(mg::BoolField(report, "ok"));
  BOOST_TEST(mg::StringField(report, "key").empty());
  BOOST_TEST(mg::StringField(report, "verified_with").find("matching /https://github") != std::string::npos);

  auto wrong = env.Mirrorgraph({"verify", image, "--plain-http", "--certificate-identity", "someone@example.org",
                                "--certificate-oidc-issuer", kIssuer},
                               env.CosignRoots());
  BOOST_TEST(wrong.exit_code == 1, Describe(wrong));
  const std::string sig_tag = image.substr(0, image.rfind(':')) + ":" + mg::CosignTag(img->digest, ".sig");
  BOOST_TEST(wrong.stdout_text.find(sig_tag + " is valid for keyless identity \"someone@example.org\"") != std::string::npos,
             wrong.stdout_text);
  BOOST_TEST(wrong.stdout_text.find("signature layer 0 (sha256:") != std::string::npos, wrong.stdout_text);
  BOOST_TEST(wrong.stdout_text.find("the certificate's identity is \"" + kIdentity + "\", wanted \"someone@example.org\"") !=
                 std::string::npos,
             wrong.stdout_text);

  auto wrong_issuer = env.Mirrorgraph({"verify", image, "--plain-http", "--certificate-identity", kIdentity,
                                       "--certificate-oidc-issuer", "https://accounts.google.com"},
                                      env.CosignRoots());
  BOOST_TEST(wrong_issuer.exit_code == 1, Describe(wrong_issuer));
  BOOST_TEST(wrong_issuer.stdout_text.find("OIDC issuer is \"" + kIssuer + "\"") != std::string::npos, wrong_issuer.stdout_text);

  // cosign 2.x on the same image (offline: the bundle annotation holds the SET; no SCTs here).
  std::string why;
  const std::string cosign = mg::testing::CosignPath(&why);
  if (cosign.empty()) {
    BOOST_TEST_MESSAGE("cli_verify_keyless_test: the cosign part skipped: cosign unavailable (" << why << ")");
    return;
  }
  auto cosign_verify = [&](const std::string& identity, const std::string& issuer) {
    std::map<std::string, std::string> e = env.CosignRoots();
    e["HOME"] = env.d;
    e["TUF_ROOT"] = env.d + "/tuf";
    e["DOCKER_CONFIG"] = env.d;
    return mg::testing::Run({cosign, "verify", "--allow-http-registry", "--insecure-ignore-sct", "--certificate-identity",
                             identity, "--certificate-oidc-issuer", issuer, image},
                            e, env.d);
  };
  auto cv = cosign_verify(kIdentity, kIssuer);
  BOOST_TEST(cv.exit_code == 0, Describe(cv));
  auto cw = cosign_verify("someone@example.org", kIssuer);
  BOOST_TEST(cw.exit_code != 0, Describe(cw));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
