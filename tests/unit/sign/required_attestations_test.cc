#include "sign/required_attestations.h"

#include <boost/test/unit_test.hpp>

#include "oci/media_types.h"
#include "sign/intoto.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::AttestationVerification;
using mg::ImageVerification;
using mg::RequiredAttestations;
using mg::SubjectVerification;

namespace {

const std::string kIndex = "sha256:" + std::string(64, 'c');
const std::string kAmd = "sha256:" + std::string(64, 'a');
const std::string kArm = "sha256:" + std::string(64, 'b');

AttestationVerification Att(std::string_view type, bool ok, std::string problem = "") {
  AttestationVerification a;
  a.predicate_type = std::string(type);
  a.ok = ok;
  a.problem = std::move(problem);
  return a;
}

SubjectVerification Subject(std::string platform, std::string digest, std::vector<AttestationVerification> atts) {
  SubjectVerification s;
  s.platform = std::move(platform);
  s.digest = std::move(digest);
  s.signature_layers = 1;
  s.valid_signatures = 1;
  s.attestations = std::move(atts);
  return s;
}

// An index with two platforms, all signed, each with a verified SBOM and provenance.
ImageVerification Complete() {
  ImageVerification v;
  v.image = "127.0.0.1:5000/team/app";
  v.digest = kIndex;
  v.media_type = mg::kMediaTypeOciIndex;
  for (auto [platform, digest] : {std::pair{"", kIndex}, {"linux/amd64", kAmd}, {"linux/arm64", kArm}}) {
    v.subjects.push_back(Subject(platform, digest, {Att(mg::kSpdxPredicateType, true),
                                                    Att(mg::kSlsaProvenanceV1PredicateType, true)}));
  }
  return v;
}

RequiredAttestations Parse(const std::string& list) {
  auto r = mg::ParseRequiredAttestations(list);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(required_attestations_test)

BOOST_AUTO_TEST_CASE(parses_the_list) {
  RequiredAttestations r = Parse("sbom,provenance");
  BOOST_TEST((r.sbom && r.provenance && !r.signature));
  BOOST_TEST(r.ToString() == "sbom,provenance");
  BOOST_TEST(Parse(" provenance , signature,sbom,sbom ").ToString() == "signature,sbom,provenance");
  auto bad = mg::ParseRequiredAttestations("sbom,provenence");
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST((bad.status().code() == mg::Status::Code::kInvalidArgument));
  BOOST_TEST(bad.status().message().find("unknown attestation kind 'provenence'; did you mean 'provenance'?") != std::string::npos,
             bad.status().message());
  BOOST_TEST(!mg::ParseRequiredAttestations("").ok());
  BOOST_TEST(!mg::ParseRequiredAttestations(" , ").ok());
  BOOST_TEST(!mg::ParseRequiredAttestations("SBOM").ok());  // the kinds are lower case
}

BOOST_AUTO_TEST_CASE(complete_image_meets_every_requirement) {
  BOOST_TEST(mg::CheckRequiredAttestations(Complete(), Parse("signature,sbom,provenance")).empty());
  BOOST_TEST(mg::CheckRequiredAttestations(Complete(), RequiredAttestations{}).empty());
}

BOOST_AUTO_TEST_CASE(missing_attestation_names_kind_and_subject) {
  ImageVerification v = Complete();
  v.subjects[2].attestations.erase(v.subjects[2].attestations.begin());  // arm64 has no SBOM
  v.subjects[0].attestations.pop_back();                                 // the index has no provenance
  auto unmet = mg::CheckRequiredAttestations(v, Parse("sbom,provenance"));
  BOOST_REQUIRE_EQUAL(unmet.size(), 2u);
  BOOST_TEST(unmet[0] == "index " + kIndex + ": required provenance attestation (https://slsa.dev/provenance/v1) is missing");
  BOOST_TEST(unmet[1] == "linux/arm64 " + kArm + ": required sbom attestation (https://spdx.dev/Document) is missing");
  // Only what is required is checked.
  BOOST_TEST(mg::CheckRequiredAttestations(v, Parse("signature")).empty());
}

BOOST_AUTO_TEST_CASE(attestation_that_does_not_verify_does_not_count) {
  ImageVerification v = Complete();
  v.subjects[1].attestations[0] = Att(mg::kSpdxPredicateType, false, "its DSSE signature does not verify with the key");
  auto unmet = mg::CheckRequiredAttestations(v, Parse("sbom"));
  BOOST_REQUIRE_EQUAL(unmet.size(), 1u);
  BOOST_TEST(unmet[0] == "linux/amd64 " + kAmd +
                             ": required sbom attestation does not verify: its DSSE signature does not verify with the key");
  // One verifying attestation of the kind is enough, next to a failing one.
  v.subjects[1].attestations.push_back(Att(mg::kSpdxPredicateType, true));
  BOOST_TEST(mg::CheckRequiredAttestations(v, Parse("sbom")).empty());
  // Another type does not stand in for it; an older SLSA predicate does count as provenance.
  v = Complete();
  v.subjects[1].attestations = {Att("https://cyclonedx.org/bom", true), Att("https://slsa.dev/provenance/v0.2", true)};
  unmet = mg::CheckRequiredAttestations(v, Parse("sbom,provenance"));
  BOOST_REQUIRE_EQUAL(unmet.size(), 1u);
  BOOST_TEST(unmet[0].find("linux/amd64 " + kAmd + ": required sbom") == 0, unmet[0]);
}

BOOST_AUTO_TEST_CASE(required_signature) {
  ImageVerification v = Complete();
  v.subjects[2].signature_problem = "not signed: x:sha256-bbbb.sig does not exist";
  v.subjects[2].valid_signatures = 0;
  auto unmet = mg::CheckRequiredAttestations(v, Parse("signature"));
  BOOST_REQUIRE_EQUAL(unmet.size(), 1u);
  BOOST_TEST(unmet[0] == "linux/arm64 " + kArm + ": required signature does not verify: not signed: x:sha256-bbbb.sig does not exist");
}

BOOST_AUTO_TEST_CASE(single_image_and_nothing_verified) {
  ImageVerification v;
  v.image = "r/app";
  v.digest = kAmd;
  v.media_type = mg::kMediaTypeOciManifest;
  v.subjects.push_back(Subject("", kAmd, {}));
  auto unmet = mg::CheckRequiredAttestations(v, Parse("sbom"));
  BOOST_REQUIRE_EQUAL(unmet.size(), 1u);
  BOOST_TEST(unmet[0].find("image " + kAmd + ": required sbom") == 0, unmet[0]);
  v.subjects.clear();
  BOOST_TEST(mg::CheckRequiredAttestations(v, Parse("sbom")).size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
