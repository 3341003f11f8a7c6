// The offline Rekor checks: RFC 6962 inclusion proofs for every leaf of trees of 1 to 17 leaves
// (and each tampering: a hash, the index, the size, the root, a short or long path), checkpoints
// (signature, size, root, key), the SET's canonical form and cosign bundle parsing.
#include "sign/rekor_verify.h"

#include <boost/test/unit_test.hpp>

#include "http/base64.h"
#include "unit/sign/keyless_test_ca.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::testing::AuditPath;
using mg::testing::Hex;
using mg::testing::TreeHash;

std::vector<std::string> Leaves(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back("leaf " + std::to_string(i));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rekor_verify_test)

BOOST_AUTO_TEST_CASE(inclusion_proofs_of_every_leaf) {
  for (size_t n = 1; n <= 17; ++n) {
    const std::vector<std::string> leaves = Leaves(n);
    const std::string root = TreeHash(leaves, 0, n);
    for (size_t m = 0; m < n; ++m) {
      const std::vector<std::string> path = AuditPath(leaves, m, 0, n);
      const int64_t i = static_cast<int64_t>(m), size = static_cast<int64_t>(n);
      BOOST_TEST(mg::VerifyInclusionProof(leaves[m], i, size, path, root) == "", n << "/" << m);
      BOOST_TEST(mg::VerifyInclusionProof("other", i, size, path, root) != "");
      // (A path may fit a larger tree too: the checkpoint binds the size to the root.)
      BOOST_TEST(mg::VerifyInclusionProof(leaves[m], i, i, path, root) != "");
      BOOST_TEST(mg::VerifyInclusionProof(leaves[m], i, size + 17, path, root) != "");
      BOOST_TEST(mg::VerifyInclusionProof(leaves[m], i, size, path, mg::testing::RawSha256("x")) != "");
      if (n > 1) BOOST_TEST(mg::VerifyInclusionProof(leaves[m], (i + 1) % size, size, path, root) != "");
      if (!path.empty()) {
        std::vector<std::string> tampered = path;
        tampered.back()[0] ^= 1;
        BOOST_TEST(mg::VerifyInclusionProof(leaves[m], i, size, tampered, root) != "");
        std::vector<std::string> shorter(path.begin(), path.end() - 1);
        BOOST_TEST(mg::VerifyInclusionProof(leaves[m], i, size, shorter, root) != "");
      }
      std::vector<std::string> longer = path;
      longer.push_back(root);
      BOOST_TEST(mg::VerifyInclusionProof(leaves[m], i, size, longer, root) != "");
    }
  }
  BOOST_TEST(mg::VerifyInclusionProof("x", 0, 0, {}, "") != "");
  BOOST_TEST(mg::VerifyInclusionProof("x", -1, 3, {}, "") != "");
  BOOST_TEST(mg::VerifyInclusionProof("x", 0, 2, {"short"}, "") != "");
}

BOOST_AUTO_TEST_CASE(checkpoints) {
  mg::testing::TestLog log, other;
  mg::TrustedLog trusted{"", log.LogId(), log.signer.public_key(), {}};
  const std::string root = mg::testing::RawSha256("root");
  const std::string cp = log.Checkpoint(42, root);
  BOOST_TEST(mg::VerifyCheckpoint(cp, trusted, 42, root) == "");
  BOOST_TEST(mg::VerifyCheckpoint(cp, trusted, 43, root).find("tree size") != std::string::npos);
  BOOST_TEST(mg::VerifyCheckpoint(cp, trusted, 42, mg::testing::RawSha256("x")).find("root hash") != std::string::npos);
  BOOST_TEST(mg::VerifyCheckpoint(other.Checkpoint(42, root), trusted, 42, root).find("does not verify") != std::string::npos);
  std::string edited = cp;
  edited.replace(edited.find("1234567890"), 10, "0987654321");  // the origin line is signed too
  BOOST_TEST(mg::VerifyCheckpoint(edited, trusted, 42, root).find("does not verify") != std::string::npos);
  for (const std::string& bad : {std::string(""), std::string("no blank line"), std::string("a\n\n"),
                                 std::string("o\n42\n" + mg::Base64Encode(root) + "\n\n\xE2\x80\x94 x !!!\n")}) {
    BOOST_TEST(mg::VerifyCheckpoint(bad, trusted, 42, root) != "", bad);
  }
}

BOOST_AUTO_TEST_CASE(set_and_bundle_parsing) {
  mg::testing::TestLog log;
  auto root = mg::TrustedRoot::FromPem(mg::testing::TestCa().Pem(), "ca.pem", log.signer.PublicKeyPem().value(), "rekor.pub");
  BOOST_REQUIRE(root.ok());
  const std::string body = R"({"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}})";
  const mg::Json bundle = {{"SignedEntryTimestamp", mg::Base64Encode(log.Set(body, 1700000000, 7))},
                           {"Payload",
                            {{"body", mg::Base64Encode(body)},
                             {"integratedTime", 1700000000},
                             {"logIndex", 7},
                             {"logID", Hex(log.LogId())}}}};
  auto parsed = mg::ParseCosignBundle(bundle.dump());
  BOOST_REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  BOOST_TEST(parsed->body == body);
  BOOST_TEST(parsed->log_index == 7);
  BOOST_TEST(mg::VerifySignedEntryTimestamp(*parsed, *root) == "");
  mg::RekorBundle changed = *parsed;
  changed.integrated_time += 1;  // the time is signed
  BOOST_TEST(mg::VerifySignedEntryTimestamp(changed, *root).find("SET") != std::string::npos);
  changed = *parsed;
  changed.log_index += 1;
  BOOST_TEST(mg::VerifySignedEntryTimestamp(changed, *root) != "");
  changed = *parsed;
  changed.log_id_hex = "zz";
  BOOST_TEST(mg::VerifySignedEntryTimestamp(changed, *root) != "");
  for (const std::string& bad : {std::string("null"), std::string(R"({"Payload":[]})"),
                                 std::string(R"({"Payload":{"body":"e30=","integratedTime":1.5,"logIndex":1,"logID":"ab"}})")}) {
    BOOST_TEST(!mg::ParseCosignBundle(bad).ok(), bad);
  }
}

BOOST_AUTO_TEST_CASE(bodies_of_the_wrong_kind_or_shape) {
  const mg::DsseEnvelope envelope{"application/vnd.in-toto+json", "{}", {{"", "sig"}}};
  for (const std::string& body : {std::string("not json"), std::string("[]"), std::string(R"({"kind":"intoto","apiVersion":"0.0.2"})"),
                                  std::string(R"({"kind":"hashedrekord","apiVersion":"0.0.1","spec":5})"),
                                  std::string(R"({"kind":"dsse","apiVersion":"0.0.1","spec":{"signatures":"x"}})")}) {
    BOOST_TEST(mg::CheckHashedRekordBody(body, "payload", "sig", "der") != "", body);
    BOOST_TEST(mg::CheckDsseBody(body, envelope, "sig", "der") != "", body);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
