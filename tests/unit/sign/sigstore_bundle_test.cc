// The Sigstore bundle v0.3 of an attestation layer: stored without the DSSE payload (issue 13),
// completed from the layer's envelope; the older whole form still accepted.
#include "sign/sigstore_bundle.h"

#include <boost/test/unit_test.hpp>

#include "http/base64.h"
#include "sign/dsse.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

mg::TlogEntry Entry() {
  mg::TlogEntry e;
  e.kind = "dsse";
  e.version = "0.0.1";
  e.body = R"({"kind":"dsse"})";
  e.integrated_time = 1700000100;
  e.log_index = 7;
  e.log_id_hex = "ab01";
  e.signed_entry_timestamp = "set";
  return e;
}

mg::DsseEnvelope Envelope(const std::string& payload = R"({"_type":"https://in-toto.io/Statement/v1","n":1})") {
  return {std::string(mg::kInTotoPayloadType), payload, {{"", std::string("\x30\x45sig-bytes", 11)}}};
}

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(sigstore_bundle_test)

BOOST_AUTO_TEST_CASE(detached_bundle_round_trips_to_the_whole_one) {
  const mg::DsseEnvelope env = Envelope();
  const std::string whole = mg::SigstoreDsseBundle(Entry(), "leaf-der", env);
  const std::string detached = mg::DetachedSigstoreDsseBundle(Entry(), "leaf-der", env);
  BOOST_TEST(Has(whole, mg::Base64Encode(env.payload)));
  BOOST_TEST(!Has(detached, mg::Base64Encode(env.payload)));
  BOOST_TEST(!mg::ParseJson(detached)["dsseEnvelope"].contains("payload"));
  BOOST_TEST(detached.size() < whole.size());

  mg::Result<std::string> completed = mg::CompleteSigstoreDsseBundle(detached, env);
  BOOST_REQUIRE_MESSAGE(completed.ok(), completed.status().ToString());
  BOOST_TEST(*completed == whole);
}

BOOST_AUTO_TEST_CASE(whole_bundle_of_older_versions_is_accepted_as_it_is) {
  const mg::DsseEnvelope env = Envelope();
  const std::string whole = mg::SigstoreDsseBundle(Entry(), "leaf-der", env);
  mg::Result<std::string> completed = mg::CompleteSigstoreDsseBundle(whole, env);
  BOOST_REQUIRE_MESSAGE(completed.ok(), completed.status().ToString());
  BOOST_TEST(*completed == whole);
}

BOOST_AUTO_TEST_CASE(a_bundle_about_another_envelope_is_refused) {
  const mg::DsseEnvelope env = Envelope();
  // Another payload: only the whole form can tell (the detached one takes the layer's).
  const std::string other_whole = mg::SigstoreDsseBundle(Entry(), "leaf-der", Envelope("{}"));
  mg::Result<std::string> r = mg::CompleteSigstoreDsseBundle(other_whole, env);
  BOOST_TEST(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kInvalidArgument));
  BOOST_TEST(Has(r.status().message(), "payload"), r.status().ToString());

  mg::DsseEnvelope other_sig = env;
  other_sig.signatures[0].sig = "another signature";
  r = mg::CompleteSigstoreDsseBundle(mg::DetachedSigstoreDsseBundle(Entry(), "leaf-der", other_sig), env);
  BOOST_TEST(!r.ok());
  BOOST_TEST(Has(r.status().message(), "signature 0"), r.status().ToString());

  mg::DsseEnvelope two_sigs = env;
  two_sigs.signatures.push_back({"", "second"});
  r = mg::CompleteSigstoreDsseBundle(mg::DetachedSigstoreDsseBundle(Entry(), "leaf-der", two_sigs), env);
  BOOST_TEST(!r.ok());

  mg::DsseEnvelope other_type = env;
  other_type.payload_type = "text/plain";
  r = mg::CompleteSigstoreDsseBundle(mg::DetachedSigstoreDsseBundle(Entry(), "leaf-der", other_type), env);
  BOOST_TEST(!r.ok());
  BOOST_TEST(Has(r.status().message(), "payloadType"), r.status().ToString());
}

BOOST_AUTO_TEST_CASE(malformed_bundles_are_errors_never_exceptions) {
  const mg::DsseEnvelope env = Envelope();
  const std::string sig = mg::Base64Encode(env.signatures[0].sig);
  for (const std::string& bad :
       {std::string("not json"), std::string("[]"), std::string("{}"), std::string(R"({"dsseEnvelope": 5})"),
        std::string(R"({"dsseEnvelope": {"payloadType": 5, "signatures": []}})"),
        std::string(R"({"dsseEnvelope": {"payloadType": "application/vnd.in-toto+json", "signatures": 5}})"),
        std::string(R"({"dsseEnvelope": {"payloadType": "application/vnd.in-toto+json", "signatures": [5]}})"),
        R"({"dsseEnvelope": {"payloadType": "application/vnd.in-toto+json", "signatures": [{"sig": ")" + sig +
            R"("}], "payload": 5}})",
        R"({"dsseEnvelope": {"payloadType": "application/vnd.in-toto+json", "signatures": [{"sig": ")" + sig +
            R"("}], "payload": "!!not base64"}})"}) {
    mg::Result<std::string> r = mg::CompleteSigstoreDsseBundle(bad, env);
    BOOST_TEST(!r.ok(), bad);
  }
  // The minimal detached form is completed.
  mg::Result<std::string> r = mg::CompleteSigstoreDsseBundle(
      R"({"dsseEnvelope": {"payloadType": "application/vnd.in-toto+json", "signatures": [{"sig": ")" + sig + R"("}]}})",
      env);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(mg::ParseJson(*r)["dsseEnvelope"]["payload"] == mg::Base64Encode(env.payload));
}

BOOST_AUTO_TEST_CASE(a_message_bundle_is_returned_as_it_is) {
  const std::string message = mg::SigstoreMessageBundle(Entry(), "leaf-der", std::string(32, 'd'), "sig");
  mg::Result<std::string> r = mg::CompleteSigstoreDsseBundle(message, Envelope());
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(*r == message);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
