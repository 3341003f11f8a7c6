// cosign's simple-signing payload: exact bytes, parsing and the rules verifiers apply.
#include "sign/simple_signing.h"

#include <boost/test/unit_test.hpp>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

const std::string kDigest = "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

}  // namespace

BOOST_AUTO_TEST_SUITE(simple_signing_test)

// The expected strings are what `cosign generate 127.0.0.1:5999/app/hello@<digest>` (cosign
// 2.x) printed; cosign_interop_test compares with the live binary when it is available.
BOOST_AUTO_TEST_CASE(payload_is_cosigns_exact_json) {
  BOOST_CHECK_EQUAL(mg::SimpleSigningPayload("127.0.0.1:5999/app/hello", kDigest, mg::Json()),
                    R"({"critical":{"identity":{"docker-reference":"127.0.0.1:5999/app/hello"},)"
                    R"("image":{"docker-manifest-digest":")" + kDigest + R"("},)"
                    R"("type":"cosign container image signature"},"optional":null})");
  BOOST_CHECK_EQUAL(mg::SimpleSigningPayload("127.0.0.1:5999/app/hello", kDigest, mg::Json::object()),
                    mg::SimpleSigningPayload("127.0.0.1:5999/app/hello", kDigest, mg::Json()));
  BOOST_CHECK_EQUAL(mg::SimpleSigningPayload("127.0.0.1:5999/app/hello", kDigest, {{"foo", "bar"}, {"a", "1"}}),
                    R"({"critical":{"identity":{"docker-reference":"127.0.0.1:5999/app/hello"},)"
                    R"("image":{"docker-manifest-digest":")" + kDigest + R"("},)"
                    R"("type":"cosign container image signature"},"optional":{"a":"1","foo":"bar"}})");
}

BOOST_AUTO_TEST_CASE(parse_round_trips) {
  mg::Result<mg::SimpleSigningClaims> claims =
      mg::ParseSimpleSigningPayload(mg::SimpleSigningPayload("r.example/a/b", kDigest, {{"k", "v"}}));
  BOOST_REQUIRE_MESSAGE(claims.ok(), claims.status().ToString());
  BOOST_CHECK_EQUAL(claims->docker_reference, "r.example/a/b");
  BOOST_CHECK_EQUAL(claims->manifest_digest, kDigest);
  BOOST_CHECK_EQUAL(claims->optional, (mg::Json{{"k", "v"}}));

  claims = mg::ParseSimpleSigningPayload(mg::SimpleSigningPayload("r.example/a/b", kDigest, nullptr));
  BOOST_REQUIRE(claims.ok());
  BOOST_CHECK(claims->optional.is_null());
}

BOOST_AUTO_TEST_CASE(parse_rejects_what_verifiers_reject) {
  const std::string id = R"("identity":{"docker-reference":"r/a"})";
  const std::string image = R"("image":{"docker-manifest-digest":")" + kDigest + R"("})";
  const std::string type = R"("type":"cosign container image signature")";
  struct Case {
    std::string payload;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"not json", "not a JSON object"},
           {"{}", "critical"},
           {"{\"critical\":{" + id + "," + image + "}}", "critical.type"},
           {"{\"critical\":{" + id + "," + image + R"(,"type":"atomic container signature"}})", "critical.type"},
           {"{\"critical\":{" + id + "," + type + "}}", "critical.image"},
           {"{\"critical\":{" + id + R"(,"image":{"docker-manifest-digest":"sha256:abc"},)" + type + "}}",
            "not a valid digest"},
           {"{\"critical\":{" + image + "," + type + "}}", "critical.identity"},
           {"{\"critical\":{" + id + "," + image + "," + type + R"(,"extra":1}})", "unknown critical field \"extra\""},
           {"{\"critical\":{" + id + "," + image + "," + type + R"(},"optional":"x"})", "optional"},
       }) {
    mg::Result<mg::SimpleSigningClaims> claims = mg::ParseSimpleSigningPayload(c.payload);
    BOOST_TEST_CONTEXT(c.payload) {
      BOOST_REQUIRE(!claims.ok());
      BOOST_CHECK(claims.status().code() == mg::Status::Code::kInvalidArgument);
      BOOST_CHECK_MESSAGE(claims.status().message().find(c.says) != std::string::npos, claims.status().message());
    }
  }
}

BOOST_AUTO_TEST_CASE(signature_layer_annotations) {
  mg::SignatureMaterial m;
  m.signature = std::string("\x30\x45\x02", 3);
  BOOST_CHECK_EQUAL(mg::CosignSignatureAnnotations(m), (mg::Json{{"dev.cosignproject.cosign/signature", "MEUC"}}));

  // What a keyless signer adds rides along under cosign's names.
  m.certificate_pem = "-----BEGIN CERTIFICATE-----\nleaf\n-----END CERTIFICATE-----\n";
  m.chain_pem = "chain";
  m.rekor_bundle_json = R"({"SignedEntryTimestamp":"x"})";
  mg::Json a = mg::CosignSignatureAnnotations(m);
  BOOST_CHECK_EQUAL(a.size(), 4u);
  BOOST_CHECK_EQUAL(a["dev.sigstore.cosign/certificate"], m.certificate_pem);
  BOOST_CHECK_EQUAL(a["dev.sigstore.cosign/chain"], "chain");
  BOOST_CHECK_EQUAL(a["dev.sigstore.cosign/bundle"], m.rekor_bundle_json);
}

BOOST_AUTO_TEST_CASE(constants_match_cosign) {
  BOOST_CHECK_EQUAL(mg::kSimpleSigningMediaType, "application/vnd.dev.cosign.simplesigning.v1+json");
  BOOST_CHECK_EQUAL(mg::kCosignSignatureAnnotation, "dev.cosignproject.cosign/signature");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
