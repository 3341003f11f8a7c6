// KeylessSigner against an in-process Fulcio (a test CA behind a FakeTransport) and log (the
// keyless fixture's): what it signs is accepted by KeylessVerifier (what `mirrorgraph verify`
// runs), one certificate serves a run and is renewed before it expires, a failing log or Fulcio
// returns no signature, a certificate for another key is refused, the token never appears in a
// message, and Owns accepts what the same identity signed and nothing else.
#include <boost/test/unit_test.hpp>
#include <atomic>
#include <map>
#include <vector>

#include "http/base64.h"
#include "sign/keyless_signer.h"
#include "unit/http/fake_transport.h"
#include "unit/sign/keyless_fixture.h"

namespace mg::MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)
namespace {

using testing::FakeTransport;
using testing::MakeResponse;

constexpr int64_t kNow = 1700000050;  // inside the fixture's certificate validity and before its log time
const std::string kTokenCanary = "c2lnbmF0dXJlLWNhbmFyeS1rZXlsZXNz";

std::string B64Url(const std::string& s) {
  std::string b = Base64Encode(s);
  for (char& c : b) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!b.empty() && b.back() == '=') b.pop_back();
  return b;
}

std::string Token() {
  const Json claims = {{"iss", testing::kIssuer}, {"sub", testing::kIdentity}, {"aud", "sigstore"}, {"exp", kNow + 3600}};
  return B64Url(R"({"alg":"ES256"})") + "." + B64Url(claims.dump()) + "." + kTokenCanary;
}

// A transparency log that records entries as the fixture's log signs them (SET + inclusion proof).
class FixtureLog final : public TransparencyLog {
 public:
  explicit FixtureLog(testing::Fixture& f) : f_(f) {}
  Result<TlogEntry> AddHashedRekord(std::string_view sha_hex, std::string_view der, std::string_view cert) override {
    if (fail) return Status::Unavailable("log down");
    ++added;
    return f_.Entry("hashedrekord", CanonicalJson(HashedRekordProposal(sha_hex, der, cert)), {});
  }
  Result<TlogEntry> AddDsse(std::string_view envelope_json, std::string_view cert) override {
    if (fail) return Status::Unavailable("log down");
    ++added;
    Result<DsseEnvelope> env = ParseDsseEnvelope(envelope_json);
    if (!env.ok()) return env.status();
    // The body Rekor stores for a dsse proposal: hashes of the envelope and payload, the signature.
    const Json body = {{"apiVersion", "0.0.1"},
                       {"kind", "dsse"},
                       {"spec",
                        {{"envelopeHash", {{"algorithm", "sha256"}, {"value", Sha256Hex(envelope_json)}}},
                         {"payloadHash", {{"algorithm", "sha256"}, {"value", Sha256Hex(env->payload)}}},
                         {"signatures",
                          {{{"signature", Base64Encode(env->signatures.at(0).sig)}, {"verifier", Base64Encode(cert)}}}}}}};
    return f_.Entry("dsse", CanonicalJson(body), {});
  }
  std::string Describe() const override { return "the fixture's log"; }
  std::atomic<bool> fail{false};
  std::atomic<int> added{0};

 private:
  testing::Fixture& f_;
};

struct Setup {
  testing::Fixture f;
  FakeTransport transport;
  HttpClient http{transport, HttpClientOptions{.max_attempts = 1}};
  FixtureLog* log = nullptr;  // owned by the signer
  std::atomic<int64_t> now{kNow};
  std::atomic<bool> other_key{false};
  std::shared_ptr<KeylessSigner> signer;

  Setup() {
    // Fulcio v2: a leaf for the key in the request, from the fixture's CA, then the root.
    transport.handler = [this](const HttpRequest& req) -> Result<HttpResponse> {
      if (req.url != "https://fulcio.test/api/v2/signingCert") return MakeResponse(404);
      const Json body = ParseJson(req.body);
      const std::string pem = body["publicKeyRequest"]["publicKey"]["content"].get<std::string>();
      Result<PublicKey> key = LoadPublicKeyPem(pem, "request");
      if (!key.ok()) return MakeResponse(400, {}, "bad key");
      if (body["credentials"]["oidcIdentityToken"] != Token()) return MakeResponse(401, {}, "bad token");
      const PublicKey& certified = other_key ? f.leaf_key.public_key() : *key;
      const Json chain = {{"chain", {{"certificates", Json::array({f.ca.Leaf(certified), f.ca.Pem()})}}}};
      return MakeResponse(201, {{"Content-Type", "application/json"}}, Json{{"signedCertificateEmbeddedSct", chain}}.dump());
    };
    auto source = IdentityTokenSource::Parse("env:TOKEN", [](const char* name) -> const char* {
      static const std::string token = Token();
      return std::string(name) == "TOKEN" ? token.c_str() : nullptr;
    });
    BOOST_REQUIRE(source.ok());
    auto owned = std::make_unique<FixtureLog>(f);
    log = owned.get();
    auto made = KeylessSigner::Create(http, {"https://fulcio.test", std::move(source.value()), [this] { return now.load(); }},
                                      std::move(owned));
    BOOST_REQUIRE_MESSAGE(made.ok(), made.status().ToString());
    signer = std::move(made.value());
  }

  LayerAnnotations Annotations(const SignatureMaterial& m) {
    LayerAnnotations out;
    const Json annotations = CosignSignatureAnnotations(m);  // items() of a temporary would dangle
    for (const auto& [k, v] : annotations.items()) out[k] = v.get<std::string>();
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(keyless_signer_test)

BOOST_AUTO_TEST_CASE(what_it_signs_keyless_verification_accepts) {
  Setup s;
  BOOST_TEST(s.signer->Identity() == "keyless:" + testing::kIssuer + "|" + testing::kIdentity);
  BOOST_TEST(s.signer->certificates_requested() == 0);  // nothing asked before the first signature

  Result<SignatureMaterial> m = s.signer->SignWithMaterial(s.f.payload);
  BOOST_REQUIRE_MESSAGE(m.ok(), m.status().ToString());
  BOOST_TEST(!m->certificate_pem.empty());
  BOOST_TEST(m->chain_pem == s.f.ca.Pem());
  BOOST_TEST(!m->rekor_bundle_json.empty());
  BOOST_TEST(ParseJson(m->sigstore_bundle_json).value("mediaType", "") == "application/vnd.dev.sigstore.bundle.v0.3+json");
  const LayerAnnotations ann = s.Annotations(*m);
  SignatureCheck ok = s.f.Check({m->signature, ann, {}});
  BOOST_TEST(ok.ok, ok.problem);
  // Another identity's policy refuses it.
  SignatureCheck other = s.f.Check({m->signature, ann, {}}, *s.f.Verifier("https://elsewhere.example/x"));
  BOOST_TEST(!other.ok);

  // An attestation: a dsse entry about the envelope DsseSign stores.
  SignatureMaterial dm;
  Result<DsseEnvelope> env = DsseSign(kInTotoPayloadType, s.f.statement, *s.signer, &dm);
  BOOST_REQUIRE_MESSAGE(env.ok(), env.status().ToString());
  auto checked = s.f.Verifier()->VerifyEnvelope(*env, s.Annotations(dm));
  BOOST_REQUIRE(checked.ok());
  BOOST_TEST(checked->ok, checked->problem);
  // Its Sigstore bundle is stored without the payload (the layer is the envelope) and completes
  // to the whole v0.3 bundle from it.
  const Json stored = ParseJson(dm.sigstore_bundle_json);
  BOOST_TEST(stored["dsseEnvelope"].is_object());
  BOOST_TEST(!stored["dsseEnvelope"].contains("payload"));
  Result<std::string> whole = CompleteSigstoreDsseBundle(dm.sigstore_bundle_json, *env);
  BOOST_REQUIRE_MESSAGE(whole.ok(), whole.status().ToString());
  BOOST_TEST(ParseJson(*whole)["dsseEnvelope"].value("payload", "") == Base64Encode(s.f.statement));

  // One certificate for the run; every signature logged.
  BOOST_TEST(s.signer->certificates_requested() == 1);
  BOOST_TEST(s.log->added == 2);
}

BOOST_AUTO_TEST_CASE(the_certificate_is_renewed_before_it_expires) {
  Setup s;
  BOOST_REQUIRE(s.signer->SignWithMaterial("a").ok());
  BOOST_REQUIRE(s.signer->SignWithMaterial("b").ok());
  BOOST_TEST(s.signer->certificates_requested() == 1);
  s.now = testing::TestCertOptions{}.not_after - 30;  // less than a minute left
  BOOST_REQUIRE(s.signer->SignWithMaterial("c").ok());
  BOOST_TEST(s.signer->certificates_requested() == 2);
}

BOOST_AUTO_TEST_CASE(no_signature_without_its_log_entry) {
  Setup s;
  s.log->fail = true;
  Result<SignatureMaterial> m = s.signer->SignWithMaterial("payload");
  BOOST_TEST(!m.ok());
  BOOST_TEST((m.status().code() == Status::Code::kUnavailable));
  Result<SignatureMaterial> d = s.signer->SignDsseWithMaterial(kInTotoPayloadType, "{}");
  BOOST_TEST(!d.ok());
  s.log->fail = false;
  BOOST_TEST(s.signer->SignWithMaterial("payload").ok());  // the next call signs
}

BOOST_AUTO_TEST_CASE(a_certificate_for_another_key_is_refused) {
  Setup s;
  s.other_key = true;
  Result<SignatureMaterial> m = s.signer->SignWithMaterial("payload");
  BOOST_REQUIRE(!m.ok());
  BOOST_TEST((m.status().code() == Status::Code::kCorruption));
  BOOST_TEST(m.status().message().find("another key") != std::string::npos, m.status().ToString());
  BOOST_TEST(s.log->added == 0);
}

BOOST_AUTO_TEST_CASE(fulcio_refusing_the_token_never_quotes_it) {
  Setup s;
  s.transport.handler = [](const HttpRequest&) -> Result<HttpResponse> {
    return MakeResponse(401, {}, "{\"message\": \"bad token " + Token() + "\"}");
  };
  Result<SignatureMaterial> m = s.signer->SignWithMaterial("payload");
  BOOST_REQUIRE(!m.ok());
  BOOST_TEST((m.status().code() == Status::Code::kPermissionDenied), m.status().ToString());
  BOOST_TEST(m.status().ToString().find(kTokenCanary) == std::string::npos, m.status().ToString());
  // Nor when it fails (5xx, 429) or answers without a chain: every quoted answer is redacted.
  for (int status : {503, 429, 201}) {
    s.transport.handler = [status](const HttpRequest&) -> Result<HttpResponse> {
      return MakeResponse(status, {}, "upstream said: " + Token());
    };
    Result<SignatureMaterial> again = s.signer->SignWithMaterial("payload");
    BOOST_REQUIRE(!again.ok());
    BOOST_TEST(again.status().ToString().find("upstream said") != std::string::npos, again.status().ToString());
    BOOST_TEST(again.status().ToString().find(kTokenCanary) == std::string::npos, again.status().ToString());
  }
}

// The certificate request carries the identity token in its body: it must not be re-posted to
// wherever a 307/308 points. The transport is told not to follow, and a redirect is an error
// naming where it pointed, never the token.
BOOST_AUTO_TEST_CASE(fulcio_redirects_are_not_followed) {
  Setup s;
  std::vector<HttpRequest> posts;
  s.transport.handler = [&](const HttpRequest& req) -> Result<HttpResponse> {
    posts.push_back(req);
    return MakeResponse(307, {{"Location", "https://elsewhere.example/api/v2/signingCert"}});
  };
  Result<SignatureMaterial> m = s.signer->SignWithMaterial("payload");
  BOOST_REQUIRE(!m.ok());
  BOOST_TEST((m.status().code() == Status::Code::kFailedPrecondition), m.status().ToString());
  const std::string message = m.status().ToString();
  BOOST_TEST(message.find("it answered 307 (a redirect to \"https://elsewhere.example/api/v2/signingCert\"), not "
                          "followed because the request carries the identity token; set [attestations] fulcio_url") !=
                 std::string::npos,
             message);
  BOOST_TEST(message.find(kTokenCanary) == std::string::npos, message);
  BOOST_REQUIRE(!posts.empty());
  for (const HttpRequest& req : posts) BOOST_TEST(!req.follow_redirects);
  BOOST_TEST(s.log->added == 0);
}

BOOST_AUTO_TEST_CASE(owns_what_its_identity_signed_and_nothing_else) {
  Setup s;
  Result<SignatureMaterial> m = s.signer->SignWithMaterial(s.f.payload);
  BOOST_REQUIRE(m.ok());
  LayerAnnotations ann = s.Annotations(*m);
  BOOST_TEST(s.signer->Owns({s.f.payload, m->signature, &ann}).value());
  BOOST_TEST(!s.signer->Owns({"other payload", m->signature, &ann}).value());
  BOOST_TEST(!s.signer->Owns({s.f.payload, m->signature, nullptr}).value());

  // The same identity from the same CA (an earlier run's key): ours.
  testing::Material earlier = s.f.SignMessage();
  BOOST_TEST(s.signer->Owns({s.f.payload, earlier.signature, &earlier.annotations}).value());
  // Another identity, another root, or no log entry: not ours.
  testing::MakeOptions other_identity;
  other_identity.cert.san = "https://elsewhere.example/workflow";
  testing::Material theirs = s.f.SignMessage(other_identity);
  BOOST_TEST(!s.signer->Owns({s.f.payload, theirs.signature, &theirs.annotations}).value());
  testing::MakeOptions other_root;
  other_root.ca = &s.f.other_ca;
  testing::Material foreign = s.f.SignMessage(other_root);
  BOOST_TEST(!s.signer->Owns({s.f.payload, foreign.signature, &foreign.annotations}).value());
  testing::MakeOptions unlogged;
  unlogged.with_bundle = false;
  testing::Material bare = s.f.SignMessage(unlogged);
  BOOST_TEST(!s.signer->Owns({s.f.payload, bare.signature, &bare.annotations}).value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mg::MG_TEST_FILE_NS
