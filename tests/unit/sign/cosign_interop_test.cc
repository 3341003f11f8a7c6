// Interoperability with the real cosign 2.x CLI, both ways, offline (no transparency log):
// cosign's keys load here and what we sign cosign verifies; what cosign signs with our keys we
// verify; DSSE attestations and simple-signing payloads match. Skipped, with the reason, when
// ../shared/tools/cosign-path cannot provide cosign.
#include <boost/test/unit_test.hpp>
#include <iostream>

#include "http/base64.h"
#include "sign/dsse.h"
#include "sign/intoto.h"
#include "sign/keys.h"
#include "sign/signer.h"
#include "sign/simple_signing.h"
#include "sign/slsa_provenance.h"
#include "unit/sign/sign_test_util.h"
#include "unit/util/temp_dir.h"
#include "util/sha256.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

namespace utf = boost::unit_test;
using mg::testing::ReadText;
using mg::testing::Run;
using mg::testing::TempDir;
using mg::testing::WriteText;

struct Cosign {
  std::string path;
  std::string why_not;
  Cosign() { path = mg::testing::CosignPath(&why_not); }
};

const Cosign& GetCosign() {
  static const Cosign cosign;
  return cosign;
}

boost::test_tools::assertion_result CosignAvailable(utf::test_unit_id) {
  boost::test_tools::assertion_result r(!GetCosign().path.empty());
  if (!r) {
    r.message() << "cosign unavailable (" << GetCosign().why_not << ")";
    std::cout << "cosign_interop_test skipped: cosign unavailable (" << GetCosign().why_not << ")" << std::endl;
  }
  return r;
}

// A working directory with HOME pointing into it, so cosign writes nothing elsewhere.
struct Workdir {
  TempDir dir;
  std::map<std::string, std::string> Env(const std::string& password) const {
    return {{"HOME", dir.path()}, {"COSIGN_PASSWORD", password}};
  }
  mg::SubprocessResult Cosign(std::vector<std::string> args, const std::string& password = "") const {
    args.insert(args.begin(), GetCosign().path);
    return Run(std::move(args), Env(password), dir.path());
  }
};

std::string Describe(const mg::SubprocessResult& r) {
  return "exit " + std::to_string(r.exit_code) + ": " + mg::TailLines(r.stderr_text + r.stdout_text, 5);
}

// A SLSA v1 provenance predicate of the shape the provenance task will write.
mg::Json ExamplePredicate() {
  mg::SlsaProvenanceInput in;
  in.external_parameters = {{"app", "hello"}, {"version", "1.2.0"}, {"platforms", {"linux/amd64"}}};
  in.internal_parameters = {{"builder", {{"backend", "buildah"}}}};
  in.resolved_dependencies.push_back(
      mg::GitCommitDependency("https://git.example.org/hello.git", "refs/tags/v1.2.0",
                              "0123456789abcdef0123456789abcdef01234567")
          .value());
  in.invocation_id = "run-1";
  in.started_on_millis = 1714979289123;
  in.finished_on_millis = 1714979349000;
  return mg::BuildSlsaProvenance(in).value();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cosign_interop_test, *utf::precondition(CosignAvailable))

BOOST_AUTO_TEST_CASE(cosign_generated_key_loads_and_cosign_verifies_our_signature) {
  Workdir w;
  mg::SubprocessResult gen = w.Cosign({"generate-key-pair"}, "cosign-pw");
  BOOST_REQUIRE_MESSAGE(gen.exit_code == 0, Describe(gen));

  mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyFile(w.dir / "cosign.key", mg::KeyPassphrase::Literal("cosign-pw"));
  BOOST_REQUIRE_MESSAGE(key.ok(), key.status().ToString());
  mg::Result<mg::PublicKey> pub = mg::LoadPublicKeyFile(w.dir / "cosign.pub");
  BOOST_REQUIRE_MESSAGE(pub.ok(), pub.status().ToString());
  BOOST_CHECK(key->public_key() == *pub);
  BOOST_CHECK_EQUAL(pub->Pem(), ReadText(w.dir / "cosign.pub"));  // byte-identical cosign.pub

  mg::Result<mg::PrivateKey> wrong = mg::LoadPrivateKeyFile(w.dir / "cosign.key", mg::KeyPassphrase::Literal("nope"));
  BOOST_REQUIRE(!wrong.ok());
  BOOST_CHECK_EQUAL(wrong.status().message(), "wrong passphrase for " + (w.dir / "cosign.key"));

  mg::KeySigner signer(std::move(key).value());
  const std::string blob = "a blob to sign\n";
  WriteText(w.dir / "blob", blob, 0644);
  const std::string sig = signer.Sign(blob).value();
  WriteText(w.dir / "blob.sig", mg::Base64Encode(sig), 0644);
  mg::SubprocessResult ok = w.Cosign({"verify-blob", "--key", "cosign.pub", "--signature", "blob.sig",
                                      "--insecure-ignore-tlog=true", "blob"});
  BOOST_CHECK_MESSAGE(ok.exit_code == 0, Describe(ok));

  std::string flipped = sig;
  flipped[sig.size() / 2] ^= 0x01;
  WriteText(w.dir / "bad.sig", mg::Base64Encode(flipped), 0644);
  mg::SubprocessResult bad = w.Cosign({"verify-blob", "--key", "cosign.pub", "--signature", "bad.sig",
                                       "--insecure-ignore-tlog=true", "blob"});
  BOOST_CHECK_MESSAGE(bad.exit_code != 0, "cosign accepted a flipped signature: " + Describe(bad));

  WriteText(w.dir / "blob2", blob + "x", 0644);
  mg::SubprocessResult other = w.Cosign({"verify-blob", "--key", "cosign.pub", "--signature", "blob.sig",
                                         "--insecure-ignore-tlog=true", "blob2"});
  BOOST_CHECK_MESSAGE(other.exit_code != 0, "cosign accepted a signature of another blob: " + Describe(other));
}

BOOST_AUTO_TEST_CASE(cosign_1x_label_of_a_cosign_key_loads) {
  Workdir w;
  mg::SubprocessResult gen = w.Cosign({"generate-key-pair"}, "pw");
  BOOST_REQUIRE_MESSAGE(gen.exit_code == 0, Describe(gen));
  std::string pem = ReadText(w.dir / "cosign.key");
  for (size_t at; (at = pem.find("SIGSTORE")) != std::string::npos;) pem.replace(at, 8, "COSIGN");
  mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyPem(pem, "pw", "old.key");
  BOOST_REQUIRE_MESSAGE(key.ok(), key.status().ToString());
  BOOST_CHECK(key->public_key() == mg::LoadPublicKeyFile(w.dir / "cosign.pub").value());
}

BOOST_AUTO_TEST_CASE(cosign_signs_with_our_generated_key_and_we_verify) {
  Workdir w;
  mg::Status st = mg::GenerateKeyPair(w.dir / "cosign.key", w.dir / "cosign.pub", "our-pw");
  BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
  const std::string blob = "signed by cosign";
  WriteText(w.dir / "blob", blob, 0644);
  mg::SubprocessResult sign = w.Cosign({"sign-blob", "--key", "cosign.key", "--tlog-upload=false",
                                        "--output-signature", "blob.sig", "-y", "blob"},
                                       "our-pw");
  BOOST_REQUIRE_MESSAGE(sign.exit_code == 0, Describe(sign));

  std::optional<std::string> sig = mg::Base64Decode(ReadText(w.dir / "blob.sig"));
  BOOST_REQUIRE(sig.has_value());
  mg::Result<mg::PublicKey> pub = mg::LoadPublicKeyFile(w.dir / "cosign.pub");
  BOOST_REQUIRE_MESSAGE(pub.ok(), pub.status().ToString());
  BOOST_CHECK(mg::VerifySignature(*pub, blob, *sig).value());
  BOOST_CHECK(!mg::VerifySignature(*pub, blob + ".", *sig).value());
  std::string flipped = *sig;
  flipped[5] ^= 0x01;
  BOOST_CHECK(!mg::VerifySignature(*pub, blob, flipped).value());

  // cosign refuses our key with a wrong passphrase, as we do.
  mg::SubprocessResult wrong = w.Cosign({"sign-blob", "--key", "cosign.key", "--tlog-upload=false", "-y", "blob"},
                                        "not-our-pw");
  BOOST_CHECK_MESSAGE(wrong.exit_code != 0, Describe(wrong));
}

BOOST_AUTO_TEST_CASE(cosign_verifies_our_dsse_slsa_attestation) {
  Workdir w;
  BOOST_REQUIRE(mg::GenerateKeyPair(w.dir / "cosign.key", w.dir / "cosign.pub", "pw").ok());
  const std::string blob = "an artifact";
  WriteText(w.dir / "blob", blob, 0644);

  mg::InTotoStatement statement;
  statement.subjects.push_back(mg::InTotoSubject{"blob", {{"sha256", mg::Sha256Hex(blob)}}});
  statement.predicate_type = std::string(mg::kSlsaProvenanceV1PredicateType);
  statement.predicate = ExamplePredicate();
  const std::string payload = mg::SerializeStatement(statement).value();

  for (const std::string key_id : {"", "sha256:some-hint"}) {
    BOOST_TEST_CONTEXT("keyid '" << key_id << "'") {
      mg::KeySigner signer(
          mg::LoadPrivateKeyFile(w.dir / "cosign.key", mg::KeyPassphrase::Literal("pw")).value(), key_id);
      mg::DsseEnvelope envelope = mg::DsseSign(mg::kInTotoPayloadType, payload, signer).value();
      WriteText(w.dir / "att.json", mg::SerializeDsseEnvelope(envelope), 0644);
      mg::SubprocessResult ok = w.Cosign({"verify-blob-attestation", "--key", "cosign.pub", "--signature", "att.json",
                                          "--type", "slsaprovenance1", "--insecure-ignore-tlog=true", "blob"});
      BOOST_CHECK_MESSAGE(ok.exit_code == 0, Describe(ok));

      // cosign checks the subject digest against the blob.
      WriteText(w.dir / "other", blob + "!", 0644);
      mg::SubprocessResult other = w.Cosign({"verify-blob-attestation", "--key", "cosign.pub", "--signature",
                                             "att.json", "--type", "slsaprovenance1", "--insecure-ignore-tlog=true",
                                             "other"});
      BOOST_CHECK_MESSAGE(other.exit_code != 0, "cosign accepted another blob: " + Describe(other));

      envelope.signatures[0].sig[8] ^= 0x01;
      WriteText(w.dir / "bad.json", mg::SerializeDsseEnvelope(envelope), 0644);
      mg::SubprocessResult bad = w.Cosign({"verify-blob-attestation", "--key", "cosign.pub", "--signature", "bad.json",
                                           "--type", "slsaprovenance1", "--insecure-ignore-tlog=true", "blob"});
      BOOST_CHECK_MESSAGE(bad.exit_code != 0, "cosign accepted a flipped DSSE signature: " + Describe(bad));
    }
  }
}

BOOST_AUTO_TEST_CASE(we_verify_cosigns_attestation_of_our_predicate) {
  Workdir w;
  BOOST_REQUIRE(mg::GenerateKeyPair(w.dir / "cosign.key", w.dir / "cosign.pub", "pw").ok());
  const std::string blob = "another artifact";
  WriteText(w.dir / "blob", blob, 0644);
  const mg::Json predicate = ExamplePredicate();
  WriteText(w.dir / "predicate.json", predicate.dump(), 0644);
  // cosign parses the predicate as SLSA v1 for --type slsaprovenance1: a shape check of ours.
  mg::SubprocessResult attest = w.Cosign({"attest-blob", "--key", "cosign.key", "--tlog-upload=false", "--predicate",
                                          "predicate.json", "--type", "slsaprovenance1", "--output-signature",
                                          "att.json", "-y", "blob"},
                                         "pw");
  BOOST_REQUIRE_MESSAGE(attest.exit_code == 0, Describe(attest));

  mg::Result<mg::DsseEnvelope> envelope = mg::ParseDsseEnvelope(ReadText(w.dir / "att.json"));
  BOOST_REQUIRE_MESSAGE(envelope.ok(), envelope.status().ToString());
  BOOST_CHECK_EQUAL(envelope->payload_type, mg::kInTotoPayloadType);
  mg::PublicKey pub = mg::LoadPublicKeyFile(w.dir / "cosign.pub").value();
  BOOST_CHECK(mg::DsseVerify(*envelope, pub).value());

  mg::Result<mg::InTotoStatement> statement = mg::ParseStatement(envelope->payload);
  BOOST_REQUIRE_MESSAGE(statement.ok(), statement.status().ToString());
  BOOST_CHECK_EQUAL(statement->predicate_type, mg::kSlsaProvenanceV1PredicateType);
  BOOST_CHECK_EQUAL(statement->subjects.at(0).digest.at("sha256"), mg::Sha256Hex(blob));
  BOOST_CHECK_EQUAL(statement->predicate["buildDefinition"]["buildType"], mg::kMirrorgraphBuildType);
  BOOST_CHECK_EQUAL(statement->predicate["runDetails"]["metadata"]["startedOn"], "2024-05-06T07:08:09.123Z");

  mg::DsseEnvelope tampered = *envelope;
  tampered.payload += " ";
  BOOST_CHECK(!mg::DsseVerify(tampered, pub).value());
}

BOOST_AUTO_TEST_CASE(simple_signing_payload_matches_cosign_generate) {
  Workdir w;
  const std::string digest = "sha256:" + mg::Sha256Hex("manifest");
  for (const bool annotated : {false, true}) {
    std::vector<std::string> args = {"generate"};
    if (annotated) args.insert(args.end(), {"-a", "mirrorgraph.version=1.2.0", "-a", "app=hello"});
    args.push_back("127.0.0.1:5999/mirror/hello@" + digest);
    mg::SubprocessResult gen = w.Cosign(args);
    BOOST_REQUIRE_MESSAGE(gen.exit_code == 0, Describe(gen));
    mg::Json optional = annotated ? mg::Json{{"mirrorgraph.version", "1.2.0"}, {"app", "hello"}} : mg::Json();
    BOOST_CHECK_EQUAL(std::string(mg::Trim(gen.stdout_text)),
                      mg::SimpleSigningPayload("127.0.0.1:5999/mirror/hello", digest, optional));
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
