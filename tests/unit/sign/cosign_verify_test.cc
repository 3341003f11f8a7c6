// VerifyCosignImage over the in-memory FakeRegistry: a signed and attested index passes with what
// its attestations say; each kind of failure (unsigned platform, wrong key, flipped signature,
// tampered or misdirected attestation) is reported with what and where.
#include "sign/cosign_verify.h"

#include <boost/test/unit_test.hpp>

#include "http/base64.h"
#include "oci/media_types.h"
#include "sign/cosign_storage.h"
#include "sign/dsse.h"
#include "sign/intoto.h"
#include "sign/simple_signing.h"
#include "unit/oci/fake_registry.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::Json;
using mg::testing::FakeRegistry;

constexpr char kRepo[] = "mirror/hello";
const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";

std::string ImageManifest(const std::string& marker) {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":)"
         R"("application/vnd.oci.image.config.v1+json","digest":"sha256:)" +
         std::string(64, 'c') + R"(","size":2},"layers":[],"annotations":{"m":")" + marker + R"("}})";
}

Json Provenance() {
  return {{"buildDefinition",
           {{"buildType", "https://mirrorgraph.invalid/buildtypes/container@v1"},
            {"externalParameters", Json::object()},
            {"resolvedDependencies",
             {{{"uri", "git+https://git.example.org/hello.git@refs/tags/v1.0.0"}, {"digest", {{"gitCommit", kCommit}}}}}}}},
          {"runDetails", {{"builder", {{"id", "https://mirrorgraph.invalid/builder@v1"}}}}}};
}

Json Sbom() {
  return {{"spdxVersion", "SPDX-2.3"}, {"name", "hello"}, {"packages", Json::array({{{"name", "a"}}, {{"name", "b"}}})}};
}

struct Fixture : mg::testing::FakeRegistryClient {
  mg::KeySigner signer{mg::PrivateKey::Generate().value()};
  std::string amd64, arm64, index;

  Fixture() {
    amd64 = reg.PutManifest(kRepo, "", mg::kMediaTypeOciManifest, ImageManifest("amd64"));
    arm64 = reg.PutManifest(kRepo, "", mg::kMediaTypeOciManifest, ImageManifest("arm64"));
    Json idx = {{"schemaVersion", 2},
                {"mediaType", mg::kMediaTypeOciIndex},
                {"manifests",
                 {{{"mediaType", mg::kMediaTypeOciManifest}, {"digest", amd64}, {"size", 1},
                   {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}},
                  {{"mediaType", mg::kMediaTypeOciManifest}, {"digest", arm64}, {"size", 1},
                   {"platform", {{"os", "linux"}, {"architecture", "arm64"}, {"variant", "v8"}}}}}}};
    index = reg.PutManifest(kRepo, "1.0.0", mg::kMediaTypeOciIndex, idx.dump());
  }

  void SignAndAttestAll() {
    for (const std::string& d : {index, amd64, arm64}) {
      BOOST_REQUIRE(mg::AttachSignature(client, kRepo, d, signer).ok());
      BOOST_REQUIRE(mg::AttachAttestation(client, kRepo, d, std::string(mg::kSpdxPredicateType), Sbom(), signer).ok());
      BOOST_REQUIRE(mg::AttachAttestation(client, kRepo, d, std::string(mg::kSlsaProvenanceV1PredicateType),
                                          Provenance(), signer)
                        .ok());
    }
  }

  mg::ImageVerification Verify(const std::string& reference = "1.0.0") {
    return Verify(reference, signer.public_key());
  }
  mg::ImageVerification Verify(const std::string& reference, const mg::PublicKey& key) {
    auto v = mg::VerifyCosignImage(client, kRepo, reference, key);
    BOOST_REQUIRE_MESSAGE(v.ok(), v.status().ToString());
    return std::move(v).value();
  }

  // Rewrites the manifest at `tag` through `edit`.
  void EditManifest(const std::string& tag, const std::function<void(Json&)>& edit) {
    Json m = mg::ParseJson(reg.ManifestBytes(kRepo, tag));
    BOOST_REQUIRE(m.is_object());
    edit(m);
    reg.PutManifest(kRepo, tag, mg::kMediaTypeOciManifest, m.dump());
  }
};

bool AnyContains(const std::vector<std::string>& lines, const std::string& part) {
  for (const std::string& l : lines) {
    if (l.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cosign_verify_test)

BOOST_AUTO_TEST_CASE(a_signed_and_attested_index_passes_and_says_what_it_found) {
  Fixture f;
  f.SignAndAttestAll();
  mg::ImageVerification v = f.Verify();
  BOOST_TEST(v.ok());
  BOOST_TEST(v.Failures().empty());
  BOOST_TEST(v.digest == f.index);
  BOOST_TEST(v.image == "reg.example/mirror/hello");
  BOOST_REQUIRE(v.subjects.size() == 3u);
  BOOST_TEST(v.subjects[0].platform == "");
  BOOST_TEST(v.subjects[1].platform == "linux/amd64");
  BOOST_TEST(v.subjects[2].platform == "linux/arm64/v8");
  for (const mg::SubjectVerification& s : v.subjects) {
    BOOST_TEST(s.valid_signatures == 1);
    BOOST_REQUIRE(s.attestations.size() == 2u);
    BOOST_TEST(s.attestations[0].predicate_type == std::string(mg::kSpdxPredicateType));
    BOOST_TEST(s.attestations[0].summary["packages"] == 2);
    BOOST_TEST(s.attestations[1].predicate_type == std::string(mg::kSlsaProvenanceV1PredicateType));
    BOOST_TEST(s.attestations[1].summary["sources"][0]["commit"] == kCommit);
  }
  const Json j = v.ToJson();
  BOOST_TEST(j["ok"] == true);
  BOOST_TEST(j["subjects"].size() == 3u);
  BOOST_TEST(j["key"] == f.signer.public_key().Fingerprint());
  BOOST_TEST(v.Warnings().empty());
  BOOST_TEST(j["warnings"] == Json::array());
}

// Issue 9, finding 3: a reconstructed provenance verifies, and is a warning per subject.
BOOST_AUTO_TEST_CASE(a_reconstructed_provenance_verifies_with_a_warning) {
  Fixture f;
  Json weak = Provenance();
  weak["buildDefinition"]["internalParameters"] = {
      {"reconstructed_from", {{"why", "no run recorded how it was built"}, {"index_annotations", Json::object()}}},
      {"unknown", {"builder", "startedOn"}}};
  for (const std::string& d : {f.index, f.amd64, f.arm64}) {
    BOOST_REQUIRE(mg::AttachSignature(f.client, kRepo, d, f.signer).ok());
    BOOST_REQUIRE(mg::AttachAttestation(f.client, kRepo, d, std::string(mg::kSlsaProvenanceV1PredicateType), weak,
                                        f.signer)
                      .ok());
  }
  mg::ImageVerification v = f.Verify();
  BOOST_TEST(v.ok());
  const std::vector<std::string> warnings = v.Warnings();
  BOOST_REQUIRE(warnings.size() == 3u);
  BOOST_TEST(warnings[0] == "index " + f.index + ": the provenance is reconstructed (no run recorded how it was "
                                                 "built); it does not say: builder, startedOn");
  BOOST_TEST(warnings[2].find("linux/arm64/v8 " + f.arm64 + ": the provenance is reconstructed") == 0u, warnings[2]);
  BOOST_TEST(v.subjects[1].attestations[0].summary["reconstructed"] == "no run recorded how it was built");
  BOOST_TEST(v.ToJson()["warnings"].size() == 3u);
}

BOOST_AUTO_TEST_CASE(an_unsigned_platform_fails_naming_it) {
  Fixture f;
  BOOST_REQUIRE(mg::AttachSignature(f.client, kRepo, f.index, f.signer).ok());
  BOOST_REQUIRE(mg::AttachSignature(f.client, kRepo, f.amd64, f.signer).ok());
  mg::ImageVerification v = f.Verify();
  BOOST_TEST(!v.ok());
  const auto failures = v.Failures();
  BOOST_REQUIRE(failures.size() == 1u);
  BOOST_TEST(failures[0].find("linux/arm64/v8 " + f.arm64 + ": signature: not signed") == 0u);
  BOOST_TEST(failures[0].find(mg::CosignTag(f.arm64, ".sig") + " does not exist") != std::string::npos);
  // No attestations at all is reported, not failed.
  BOOST_TEST(v.subjects[0].attestations.empty());
}

BOOST_AUTO_TEST_CASE(an_unsigned_image_fails_everywhere) {
  Fixture f;
  mg::ImageVerification v = f.Verify();
  BOOST_TEST(!v.ok());
  BOOST_TEST(v.Failures().size() == 3u);
}

BOOST_AUTO_TEST_CASE(the_wrong_key_fails_signatures_and_attestations) {
  Fixture f;
  f.SignAndAttestAll();
  mg::KeySigner other{mg::PrivateKey::Generate().value()};
  mg::ImageVerification v = f.Verify("1.0.0", other.public_key());
  BOOST_TEST(!v.ok());
  const auto failures = v.Failures();
  BOOST_TEST(failures.size() == 9u);  // 3 signatures + 6 attestations
  BOOST_TEST(AnyContains(failures, "index " + f.index + ": signature: none of the 1 signature(s)"));
  BOOST_TEST(AnyContains(failures, "DSSE signature does not verify with the key"));
  BOOST_TEST(v.subjects[0].notes.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_flipped_signature_byte_fails) {
  Fixture f;
  f.SignAndAttestAll();
  f.EditManifest(mg::CosignTag(f.amd64, ".sig"), [](Json& m) {
    auto& a = m["layers"][0]["annotations"][std::string(mg::kCosignSignatureAnnotation)];
    std::string der = *mg::Base64Decode(a.get<std::string>());
    der[10] ^= 0x20;
    a = mg::Base64Encode(der);
  });
  mg::ImageVerification v = f.Verify();
  BOOST_TEST(!v.ok());
  const auto failures = v.Failures();
  BOOST_REQUIRE(failures.size() == 1u);
  BOOST_TEST(failures[0].find("linux/amd64 " + f.amd64 + ": signature") == 0u);
}

BOOST_AUTO_TEST_CASE(another_keys_signature_next_to_ours_is_a_note) {
  Fixture f;
  f.SignAndAttestAll();
  mg::KeySigner other{mg::PrivateKey::Generate().value()};
  BOOST_REQUIRE(mg::AttachSignature(f.client, kRepo, f.index, other).ok());
  mg::ImageVerification v = f.Verify();
  BOOST_TEST(v.ok());
  BOOST_TEST(v.subjects[0].signature_layers == 2);
  BOOST_TEST(v.subjects[0].valid_signatures == 1);
  BOOST_TEST(AnyContains(v.subjects[0].notes, "does not verify with the key"));
}

BOOST_AUTO_TEST_CASE(a_tampered_attestation_fails) {
  Fixture f;
  f.SignAndAttestAll();
  // Replace the SBOM layer of the index by an envelope whose payload changed under the old signature.
  auto layers = mg::ReadCosignLayers(f.client, kRepo, f.index, ".att").value();
  mg::DsseEnvelope env = mg::ParseDsseEnvelope(layers[0].payload).value();
  Json statement = mg::ParseJson(env.payload);
  statement["predicate"]["packages"].push_back({{"name", "smuggled"}});
  env.payload = statement.dump();
  const std::string tampered = mg::SerializeDsseEnvelope(env);
  const std::string digest = f.reg.PutBlob(kRepo, tampered);
  f.EditManifest(mg::CosignTag(f.index, ".att"), [&](Json& m) {
    m["layers"][0]["digest"] = digest;
    m["layers"][0]["size"] = tampered.size();
  });
  mg::ImageVerification v = f.Verify();
  BOOST_TEST(!v.ok());
  const auto failures = v.Failures();
  BOOST_REQUIRE(failures.size() == 1u);
  BOOST_TEST(failures[0].find("index " + f.index + ": attestation https://spdx.dev/Document") == 0u);
  BOOST_TEST(failures[0].find("does not verify") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_attestation_about_another_digest_fails) {
  Fixture f;
  f.SignAndAttestAll();
  // A valid attestation of the amd64 image, copied under the arm64 image's .att tag.
  f.reg.PutManifest(kRepo, mg::CosignTag(f.arm64, ".att"), mg::kMediaTypeOciManifest,
                    f.reg.ManifestBytes(kRepo, mg::CosignTag(f.amd64, ".att")));
  mg::ImageVerification v = f.Verify();
  BOOST_TEST(!v.ok());
  const auto failures = v.Failures();
  BOOST_REQUIRE(failures.size() == 2u);
  BOOST_TEST(failures[0].find("linux/arm64/v8 " + f.arm64 + ": attestation") == 0u);
  BOOST_TEST(failures[0].find("is about " + f.amd64 + ", not this manifest") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_platform_digest_is_verified_alone) {
  Fixture f;
  f.SignAndAttestAll();
  mg::ImageVerification v = f.Verify(f.arm64);
  BOOST_TEST(v.ok());
  BOOST_REQUIRE(v.subjects.size() == 1u);
  BOOST_TEST(v.subjects[0].digest == f.arm64);
}

BOOST_AUTO_TEST_CASE(a_missing_image_is_an_error_not_a_verdict) {
  Fixture f;
  auto v = mg::VerifyCosignImage(f.client, kRepo, "9.9.9", f.signer.public_key());
  BOOST_REQUIRE(!v.ok());
  BOOST_TEST((v.status().code() == mg::Status::Code::kNotFound));
  BOOST_TEST(v.status().message().find("reg.example/mirror/hello:9.9.9") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_unreachable_registry_is_an_error) {
  Fixture f;
  f.SignAndAttestAll();
  f.reg.forced_status["/manifests/sha256-"] = 503;
  auto v = mg::VerifyCosignImage(f.client, kRepo, "1.0.0", f.signer.public_key());
  BOOST_REQUIRE(!v.ok());
  BOOST_TEST((v.status().code() == mg::Status::Code::kUnavailable));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
