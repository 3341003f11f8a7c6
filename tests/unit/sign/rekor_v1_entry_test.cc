// ParseRekorV1Entry on answers shaped like Rekor v1's (and tests/servers/sigstore_mock.js's):
// {"<uuid>": {body, integratedTime, logID, logIndex, verification: {...}}}.
#include <boost/test/unit_test.hpp>

#include "http/base64.h"
#include "sign/transparency_log.h"
#include "util/json.h"

namespace mg::MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)
namespace {

const std::string kBody = R"({"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}})";

std::string Answer(const std::string& uuid) {
  return R"({")" + uuid + R"(":{"body":")" + Base64Encode(kBody) +
         R"(","integratedTime":1700000000,"logID":"c0ffee","logIndex":42,)"
         R"("verification":{"signedEntryTimestamp":"U0VU","inclusionProof":{"logIndex":0,"treeSize":1,)"
         R"("rootHash":"00","hashes":[],"checkpoint":"cp"}}}})";
}

BOOST_AUTO_TEST_SUITE(rekor_v1_entry_test)

// The answer is a temporary here, as in the client (ParseRekorV1Entry(ParseJson(body))): the
// uuid and fields must be read while it lives (a structured binding to items().begin() did not).
BOOST_AUTO_TEST_CASE(an_entry_parsed_from_a_temporary_answer) {
  const std::string uuid(64, 'a');
  Result<TlogEntry> e = ParseRekorV1Entry(ParseJson(Answer(uuid)));
  BOOST_REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  BOOST_TEST(e->uuid == uuid);
  BOOST_TEST(e->body == kBody);
  BOOST_TEST(e->kind == "hashedrekord");
  BOOST_TEST(e->version == "0.0.1");
  BOOST_TEST(e->integrated_time == 1700000000);
  BOOST_TEST(e->log_index == 42);
  BOOST_TEST(e->log_id_hex == "c0ffee");
  BOOST_TEST(e->signed_entry_timestamp == "SET");
  BOOST_TEST(StringField(e->inclusion_proof, "checkpoint") == "cp");
}

BOOST_AUTO_TEST_CASE(answers_that_are_not_one_entry_are_corruption) {
  BOOST_TEST(!ParseRekorV1Entry(ParseJson("{}")).ok());
  Result<TlogEntry> garbage = ParseRekorV1Entry(ParseJson(R"({"not":"an entry"})"));
  BOOST_REQUIRE(!garbage.ok());
  BOOST_TEST(garbage.status().ToString().find("is not an entry") != std::string::npos, garbage.status().ToString());
  BOOST_TEST(!ParseRekorV1Entry(ParseJson(R"({"a":{},"b":{}})")).ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace mg::MG_TEST_FILE_NS
