// TrustedRoot: a Sigstore trusted_root.json (good, each malformed field named with the file,
// a log with a key we cannot use skipped), the PEM fallback, cosign's environment variables, and
// RFC 3339 times.
#include "sign/trusted_root.h"

#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>

#include "http/base64.h"
#include "unit/sign/keyless_test_ca.h"
#include "unit/sign/sign_test_util.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::Json;

Json TrustedRootJson(const mg::testing::TestCa& ca, const mg::testing::TestLog& log) {
  const Json key = {{"rawBytes", mg::Base64Encode(log.signer.public_key().SpkiDer())},
                    {"keyDetails", "PKIX_ECDSA_P256_SHA_256"},
                    {"validFor", {{"start", "2021-01-12T11:53:27.000Z"}}}};
  return {{"mediaType", "application/vnd.dev.sigstore.trustedroot+json;version=0.1"},
          {"tlogs", {{{"baseUrl", "http://127.0.0.1:3000"}, {"hashAlgorithm", "SHA2_256"}, {"publicKey", key},
                      {"logId", {{"keyId", mg::Base64Encode(log.LogId())}}}}}},
          {"ctlogs", Json::array()},
          {"certificateAuthorities",
           {{{"uri", "http://127.0.0.1:3001"},
             {"certChain", {{"certificates", {{{"rawBytes", mg::Base64Encode(ca.Der())}}}}}},
             {"validFor", {{"start", "2022-04-13T20:06:15.000Z"}}}}}}};
}

std::string TempDir() {
  char tmpl[] = "/tmp/mg-trusted-root-XXXXXX";
  BOOST_REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(trusted_root_test)

BOOST_AUTO_TEST_CASE(reads_a_sigstore_trusted_root) {
  mg::testing::TestCa ca;
  mg::testing::TestLog log;
  auto root = mg::TrustedRoot::FromJson(TrustedRootJson(ca, log).dump(), "root.json");
  BOOST_REQUIRE_MESSAGE(root.ok(), root.status().ToString());
  BOOST_REQUIRE_EQUAL(root->certificate_authorities.size(), 1u);
  BOOST_TEST(root->certificate_authorities[0].chain_der.front() == ca.Der());
  BOOST_TEST(root->certificate_authorities[0].valid_for.start == mg::ParseRfc3339Seconds("2022-04-13T20:06:15Z").value());
  BOOST_REQUIRE_EQUAL(root->tlogs.size(), 1u);
  BOOST_TEST(root->tlogs[0].base_url == "http://127.0.0.1:3000");
  BOOST_TEST(root->FindLog(log.LogId()) == &root->tlogs[0]);
  BOOST_TEST(root->FindLog("nope") == nullptr);
  BOOST_TEST(root->source == "root.json");
}

BOOST_AUTO_TEST_CASE(malformed_documents_name_the_file_and_field) {
  mg::testing::TestCa ca;
  mg::testing::TestLog log;
  const Json good = TrustedRootJson(ca, log);
  struct Case {
    std::function<void(Json&)> edit;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {[](Json& j) { j = Json::array(); }, "not a JSON object"},
      {[](Json& j) { j["mediaType"] = "application/json"; }, "its mediaType is"},
      {[](Json& j) { j["tlogs"] = 5; }, "tlogs is not an array"},
      {[](Json& j) { j["tlogs"] = Json::array(); }, "no usable transparency log"},
      {[](Json& j) { j["certificateAuthorities"] = Json::array(); }, "no certificate authority"},
      {[](Json& j) { j["certificateAuthorities"][0]["certChain"] = "x"; }, "certificateAuthorities[0]: certChain.certificates"},
      {[](Json& j) { j["certificateAuthorities"][0]["certChain"]["certificates"][0]["rawBytes"] = "AAAA"; },
       "certChain.certificates[0].rawBytes is not a base64 DER certificate"},
      {[](Json& j) { j["certificateAuthorities"][0]["validFor"]["start"] = 5; }, "validFor.start is not an RFC 3339 time"},
      {[](Json& j) { j["tlogs"][0]["publicKey"]["rawBytes"] = 7; }, "tlogs[0]: publicKey.rawBytes"},
      {[](Json& j) { j["tlogs"][0]["logId"]["keyId"] = "%%%"; }, "tlogs[0]: logId.keyId is not base64"},
      {[](Json& j) { j["tlogs"][0] = "x"; }, "tlogs[0] is not an object"},
  };
  for (const Case& c : cases) {
    Json j = good;
    c.edit(j);
    auto root = mg::TrustedRoot::FromJson(j.dump(), "/etc/root.json");
    BOOST_REQUIRE(!root.ok());
    BOOST_TEST((root.status().code() == mg::Status::Code::kInvalidArgument));
    BOOST_TEST(root.status().message().find("/etc/root.json") != std::string::npos, root.status().message());
    BOOST_TEST(root.status().message().find(c.expect) != std::string::npos, root.status().message());
  }
  BOOST_TEST(!mg::TrustedRoot::FromJson("{not json", "x").ok());
  BOOST_TEST(!mg::TrustedRoot::FromJson("", "x").ok());
}

BOOST_AUTO_TEST_CASE(a_log_with_another_key_type_is_skipped) {
  mg::testing::TestCa ca;
  mg::testing::TestLog log;
  Json j = TrustedRootJson(ca, log);
  // An Ed25519 log (Rekor v2) next to the P-256 one.
  EVP_PKEY* ed = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  BOOST_REQUIRE(ed != nullptr);
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(ed, &der);
  Json ed_log = j["tlogs"][0];
  ed_log["publicKey"]["rawBytes"] = mg::Base64Encode(std::string(reinterpret_cast<char*>(der), static_cast<size_t>(len)));
  ed_log["publicKey"]["keyDetails"] = "PKIX_ED25519";
  OPENSSL_free(der);
  EVP_PKEY_free(ed);
  j["tlogs"].push_back(ed_log);
  auto root = mg::TrustedRoot::FromJson(j.dump(), "root.json");
  BOOST_REQUIRE_MESSAGE(root.ok(), root.status().ToString());
  BOOST_TEST(root->tlogs.size() == 1u);
  BOOST_REQUIRE_EQUAL(root->skipped.size(), 1u);
  BOOST_TEST(root->skipped[0].find("tlogs[1] (PKIX_ED25519)") != std::string::npos, root->skipped[0]);
}

BOOST_AUTO_TEST_CASE(load_file_and_cosign_environment) {
  mg::testing::TestCa ca, intermediate_free{"second-root"};
  mg::testing::TestLog log;
  const std::string dir = TempDir();
  mg::testing::WriteText(dir + "/root.json", TrustedRootJson(ca, log).dump(), 0644);
  BOOST_TEST(mg::TrustedRoot::LoadFile(dir + "/root.json").ok());
  auto missing = mg::TrustedRoot::LoadFile(dir + "/nope.json");
  BOOST_REQUIRE(!missing.ok());
  BOOST_TEST(missing.status().message().find(dir + "/nope.json") != std::string::npos, missing.status().message());

  mg::testing::WriteText(dir + "/chain.pem", ca.Pem() + intermediate_free.Pem(), 0644);
  mg::testing::WriteText(dir + "/rekor.pub", log.signer.PublicKeyPem().value(), 0644);
  ::unsetenv("SIGSTORE_ROOT_FILE");
  ::unsetenv("SIGSTORE_REKOR_PUBLIC_KEY");
  auto none = mg::TrustedRoot::FromCosignEnvironment();
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(!none->has_value());
  ::setenv("SIGSTORE_ROOT_FILE", (dir + "/chain.pem").c_str(), 1);
  auto half = mg::TrustedRoot::FromCosignEnvironment();
  BOOST_REQUIRE(!half.ok());
  BOOST_TEST(half.status().message().find("SIGSTORE_REKOR_PUBLIC_KEY is not") != std::string::npos, half.status().message());
  ::setenv("SIGSTORE_REKOR_PUBLIC_KEY", (dir + "/rekor.pub").c_str(), 1);
  auto env = mg::TrustedRoot::FromCosignEnvironment();
  BOOST_REQUIRE_MESSAGE(env.ok(), env.status().ToString());
  BOOST_REQUIRE(env->has_value());
  BOOST_TEST((*env)->certificate_authorities.size() == 2u);  // two self-signed roots
  BOOST_TEST((*env)->FindLog(log.LogId()) != nullptr);
  ::setenv("SIGSTORE_REKOR_PUBLIC_KEY", (dir + "/chain.pem").c_str(), 1);
  auto wrong = mg::TrustedRoot::FromCosignEnvironment();
  BOOST_REQUIRE(!wrong.ok());
  BOOST_TEST(wrong.status().message().find("SIGSTORE_REKOR_PUBLIC_KEY") != std::string::npos, wrong.status().message());
  ::unsetenv("SIGSTORE_ROOT_FILE");
  ::unsetenv("SIGSTORE_REKOR_PUBLIC_KEY");
  BOOST_TEST(!mg::TrustedRoot::FromPem("no pem", "chain", log.signer.PublicKeyPem().value(), "key").ok());
}

BOOST_AUTO_TEST_CASE(rfc3339_times) {
  BOOST_TEST(mg::ParseRfc3339Seconds("1970-01-01T00:00:00Z").value() == 0);
  BOOST_TEST(mg::ParseRfc3339Seconds("2021-01-12T11:53:27.000Z").value() == 1610452407);
  BOOST_TEST(mg::ParseRfc3339Seconds("2021-01-12T12:53:27+01:00").value() == 1610452407);
  for (const char* bad : {"", "2021-01-12", "2021-01-12T11:53:27", "2021-13-12T11:53:27Z", "2021-01-12T11:53:27.Z",
                          "2021-01-12T11:53:27Zjunk", "abcd-01-12T11:53:27Z"}) {
    BOOST_TEST(!mg::ParseRfc3339Seconds(bad).has_value(), bad);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
