// cosign's registry layout over the in-memory FakeRegistry: tags, cosign's config blob (pinned to
// the bytes cosign 2.x wrote in a real registry), .sig and .att manifests, deduplication by payload
// plus verification (never by signature bytes), existing layers kept, and what is refused.
#include "sign/cosign_storage.h"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <thread>

#include "http/base64.h"
#include "oci/media_types.h"
#include "sign/dsse.h"
#include "sign/intoto.h"
#include "sign/simple_signing.h"
#include "unit/oci/fake_registry.h"
#include "util/sha256.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::Json;
using mg::testing::FakeRegistry;

constexpr char kRepo[] = "mirror/hello";

struct Fixture : mg::testing::FakeRegistryClient {
  mg::KeySigner signer{mg::PrivateKey::Generate().value()};
  std::string subject;

  Fixture() {
    // The subject: a small image manifest (its content does not matter to the storage layer).
    subject = reg.PutManifest(kRepo, "1.0", mg::kMediaTypeOciManifest,
                              R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                              R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:)" +
                                  std::string(64, 'a') + R"(","size":2},"layers":[]})");
  }

  Json ManifestAt(const std::string& suffix) const {
    return mg::ParseJson(reg.ManifestBytes(kRepo, mg::CosignTag(subject, suffix)));
  }
  int ManifestPuts() const { return reg.count("PUT", "/manifests/"); }
};

mg::Json Predicate(const std::string& marker) {
  return {{"buildDefinition", {{"buildType", "https://mirrorgraph.invalid/buildtypes/container@v1"},
                               {"externalParameters", {{"marker", marker}}}}},
          {"runDetails", {{"builder", {{"id", "https://mirrorgraph.invalid/builder@v1"}}}}}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cosign_storage_test)

BOOST_AUTO_TEST_CASE(tags_name_the_digest_and_the_suffix) {
  const std::string d = "sha256:" + std::string(64, 'f');
  BOOST_TEST(mg::CosignTag(d, ".sig") == "sha256-" + std::string(64, 'f') + ".sig");
  BOOST_TEST(mg::CosignTag(d, "att") == "sha256-" + std::string(64, 'f') + ".att");
  BOOST_TEST(mg::CosignTag(d, mg::kCosignAttestationSuffix) == mg::CosignTag(d, ".att"));
}

BOOST_AUTO_TEST_CASE(config_blob_is_byte_for_byte_what_cosign_writes) {
  // Observed in a docker-registry after `cosign sign` and `cosign attest` (cosign 2.x): the .sig
  // config for its one simple-signing layer and the .att config for its one DSSE layer.
  const std::string sig = mg::CosignConfigBlob(
      {"sha256:3810fd65813f3b1e8200e5c3e736f49864810b661c35a956857b2eb1886e88c6"});
  BOOST_TEST(sig.size() == 233u);
  BOOST_TEST(mg::Sha256Digest(sig) == "sha256:54b6e76d518d712fbe7f3ab3488979c3bc81155841a07af207861925edaf7d05");
  const std::string att = mg::CosignConfigBlob(
      {"sha256:3f80167910f02120cc5295e2fefbf6d69b8d737d0380af794c829cdd4373ea21"});
  BOOST_TEST(mg::Sha256Digest(att) == "sha256:60f643fced1d87beab60fee7ef6bb3c294603652b76fd46a26956d5f7e719bcc");
  const Json two = mg::ParseJson(mg::CosignConfigBlob({"sha256:" + std::string(64, '1'), "sha256:" + std::string(64, '2')}));
  BOOST_REQUIRE(two.is_object());
  BOOST_TEST(two["history"].size() == 2u);
  BOOST_TEST(two["rootfs"]["diff_ids"][1] == "sha256:" + std::string(64, '2'));
}

BOOST_AUTO_TEST_CASE(absent_tag_reads_as_no_layers) {
  Fixture f;
  auto layers = mg::ReadCosignLayers(f.client, kRepo, f.subject, ".sig");
  BOOST_REQUIRE_MESSAGE(layers.ok(), layers.status().ToString());
  BOOST_TEST(layers->empty());
  auto has = mg::HasCosignSignature(f.client, kRepo, f.subject, f.signer);
  BOOST_REQUIRE(has.ok());
  BOOST_TEST(!*has);
}

BOOST_AUTO_TEST_CASE(signature_is_stored_the_cosign_way) {
  Fixture f;
  auto added = mg::AttachSignature(f.client, kRepo, f.subject, f.signer);
  BOOST_REQUIRE_MESSAGE(added.ok(), added.status().ToString());
  BOOST_TEST(*added);

  const std::string tag = mg::CosignTag(f.subject, ".sig");
  BOOST_TEST(f.reg.ManifestType(kRepo, tag) == mg::kMediaTypeOciManifest);
  const Json m = f.ManifestAt(".sig");
  BOOST_REQUIRE(m.is_object());
  BOOST_TEST(m["schemaVersion"] == 2);
  BOOST_TEST(m["mediaType"] == mg::kMediaTypeOciManifest);
  BOOST_TEST(m["config"]["mediaType"] == mg::kMediaTypeOciConfig);
  BOOST_REQUIRE(m["layers"].size() == 1u);
  const Json& layer = m["layers"][0];
  BOOST_TEST(layer["mediaType"] == std::string(mg::kSimpleSigningMediaType));
  const std::string layer_digest = layer["digest"];
  const std::string config = f.reg.Blob(kRepo, m["config"]["digest"]);
  BOOST_TEST(config == mg::CosignConfigBlob({layer_digest}));
  BOOST_TEST(m["config"]["size"] == config.size());

  // The payload is cosign's simple signing for reg.example/mirror/hello and the subject.
  const std::string payload = f.reg.Blob(kRepo, layer_digest);
  BOOST_TEST(layer["size"] == payload.size());
  auto claims = mg::ParseSimpleSigningPayload(payload);
  BOOST_REQUIRE_MESSAGE(claims.ok(), claims.status().ToString());
  BOOST_TEST(claims->docker_reference == "reg.example/mirror/hello");
  BOOST_TEST(claims->manifest_digest == f.subject);
  auto der = mg::Base64Decode(layer["annotations"][std::string(mg::kCosignSignatureAnnotation)].get<std::string>());
  BOOST_REQUIRE(der.has_value());
  BOOST_TEST(mg::VerifySignature(f.signer.public_key(), payload, *der).value());

  auto layers = mg::ReadCosignLayers(f.client, kRepo, f.subject, ".sig");
  BOOST_REQUIRE_MESSAGE(layers.ok(), layers.status().ToString());
  BOOST_REQUIRE(layers->size() == 1u);
  BOOST_TEST((*layers)[0].payload == payload);
  BOOST_TEST((*layers)[0].digest == layer_digest);
  BOOST_TEST((*layers)[0].media_type == std::string(mg::kSimpleSigningMediaType));
  BOOST_TEST(mg::HasCosignSignature(f.client, kRepo, f.subject, f.signer).value());
}

BOOST_AUTO_TEST_CASE(resigning_adds_nothing_and_writes_nothing) {
  Fixture f;
  BOOST_REQUIRE(mg::AttachSignature(f.client, kRepo, f.subject, f.signer).value());
  const int puts = f.ManifestPuts();
  const std::string before = f.reg.ManifestBytes(kRepo, mg::CosignTag(f.subject, ".sig"));
  auto again = mg::AttachSignature(f.client, kRepo, f.subject, f.signer);
  BOOST_REQUIRE_MESSAGE(again.ok(), again.status().ToString());
  BOOST_TEST(!*again);
  BOOST_TEST(f.ManifestPuts() == puts);
  BOOST_TEST(f.reg.ManifestBytes(kRepo, mg::CosignTag(f.subject, ".sig")) == before);
}

BOOST_AUTO_TEST_CASE(another_key_appends_and_keeps_the_existing_layer) {
  Fixture f;
  BOOST_REQUIRE(mg::AttachSignature(f.client, kRepo, f.subject, f.signer).value());
  const Json first = f.ManifestAt(".sig")["layers"][0];
  mg::KeySigner other{mg::PrivateKey::Generate().value()};
  BOOST_TEST(mg::AttachSignature(f.client, kRepo, f.subject, other).value());
  const Json m = f.ManifestAt(".sig");
  BOOST_REQUIRE(m["layers"].size() == 2u);
  BOOST_TEST(m["layers"][0] == first);
  BOOST_TEST(f.reg.Blob(kRepo, m["config"]["digest"]) ==
             mg::CosignConfigBlob({m["layers"][0]["digest"], m["layers"][1]["digest"]}));
  // Both keys now find their signature; neither adds another.
  BOOST_TEST(!mg::AttachSignature(f.client, kRepo, f.subject, f.signer).value());
  BOOST_TEST(!mg::AttachSignature(f.client, kRepo, f.subject, other).value());
  BOOST_TEST(f.ManifestAt(".sig")["layers"].size() == 2u);
}

BOOST_AUTO_TEST_CASE(foreign_layers_and_annotations_are_kept_verbatim) {
  Fixture f;
  // A .sig manifest written by someone else: an unknown layer type with a bundle annotation, and
  // manifest annotations.
  const std::string blob = "something else";
  const std::string blob_digest = f.reg.PutBlob(kRepo, blob);
  const Json foreign = {{"mediaType", "application/vnd.example.other+json"},
                        {"digest", blob_digest},
                        {"size", blob.size()},
                        {"annotations", {{"dev.sigstore.cosign/bundle", "{\"x\":1}"}, {"k", "v"}}}};
  const Json m0 = {{"schemaVersion", 2},
                   {"mediaType", mg::kMediaTypeOciManifest},
                   {"config", {{"mediaType", mg::kMediaTypeOciConfig}, {"digest", "sha256:" + std::string(64, 'b')}, {"size", 2}}},
                   {"layers", {foreign}},
                   {"annotations", {{"org.example", "kept"}}}};
  f.reg.PutManifest(kRepo, mg::CosignTag(f.subject, ".sig"), mg::kMediaTypeOciManifest, m0.dump());
  BOOST_TEST(mg::AttachSignature(f.client, kRepo, f.subject, f.signer).value());
  const Json m = f.ManifestAt(".sig");
  BOOST_REQUIRE(m["layers"].size() == 2u);
  BOOST_TEST(m["layers"][0] == foreign);
  BOOST_TEST(m["annotations"]["org.example"] == "kept");
  auto layers = mg::ReadCosignLayers(f.client, kRepo, f.subject, ".sig");
  BOOST_REQUIRE(layers.ok());
  BOOST_TEST((*layers)[0].payload == blob);
  BOOST_TEST((*layers)[0].annotations.at("k") == "v");
}

BOOST_AUTO_TEST_CASE(an_equal_payload_with_a_bad_signature_does_not_count) {
  Fixture f;
  BOOST_REQUIRE(mg::AttachSignature(f.client, kRepo, f.subject, f.signer).value());
  // Flip one byte of the stored signature.
  Json m = f.ManifestAt(".sig");
  std::string der = *mg::Base64Decode(m["layers"][0]["annotations"][std::string(mg::kCosignSignatureAnnotation)].get<std::string>());
  der[der.size() / 2] ^= 0x01;
  m["layers"][0]["annotations"][std::string(mg::kCosignSignatureAnnotation)] = mg::Base64Encode(der);
  f.reg.PutManifest(kRepo, mg::CosignTag(f.subject, ".sig"), mg::kMediaTypeOciManifest, m.dump());
  BOOST_TEST(!mg::HasCosignSignature(f.client, kRepo, f.subject, f.signer).value());
  BOOST_TEST(mg::AttachSignature(f.client, kRepo, f.subject, f.signer).value());
  BOOST_TEST(f.ManifestAt(".sig")["layers"].size() == 2u);
  BOOST_TEST(mg::HasCosignSignature(f.client, kRepo, f.subject, f.signer).value());
}

BOOST_AUTO_TEST_CASE(attestation_is_a_dsse_layer_with_its_predicate_type) {
  Fixture f;
  const std::string pt(mg::kSlsaProvenanceV1PredicateType);
  auto added = mg::AttachAttestation(f.client, kRepo, f.subject, pt, Predicate("a"), f.signer);
  BOOST_REQUIRE_MESSAGE(added.ok(), added.status().ToString());
  BOOST_TEST(*added);
  BOOST_TEST(f.reg.ManifestBytes(kRepo, mg::CosignTag(f.subject, ".sig")).empty());  // no signature written
  const Json m = f.ManifestAt(".att");
  BOOST_REQUIRE(m["layers"].size() == 1u);
  const Json& layer = m["layers"][0];
  BOOST_TEST(layer["mediaType"] == std::string(mg::kDsseEnvelopeMediaType));
  BOOST_TEST(layer["annotations"]["predicateType"] == pt);
  BOOST_TEST(layer["annotations"][std::string(mg::kCosignSignatureAnnotation)] == "");
  BOOST_TEST(f.reg.Blob(kRepo, m["config"]["digest"]) == mg::CosignConfigBlob({layer["digest"]}));

  auto envelope = mg::ParseDsseEnvelope(f.reg.Blob(kRepo, layer["digest"]));
  BOOST_REQUIRE_MESSAGE(envelope.ok(), envelope.status().ToString());
  BOOST_TEST(envelope->payload_type == std::string(mg::kInTotoPayloadType));
  BOOST_TEST(mg::DsseVerify(*envelope, f.signer.public_key()).value());
  auto statement = mg::ParseStatement(envelope->payload);
  BOOST_REQUIRE_MESSAGE(statement.ok(), statement.status().ToString());
  BOOST_TEST(statement->predicate_type == pt);
  BOOST_TEST(statement->predicate == Predicate("a"));
  BOOST_REQUIRE(statement->subjects.size() == 1u);
  BOOST_TEST(statement->subjects[0].name == "reg.example/mirror/hello");
  BOOST_TEST(statement->subjects[0].digest.at("sha256") == f.subject.substr(7));
}

BOOST_AUTO_TEST_CASE(an_attestation_of_canonical_text_is_the_same_statement) {
  Fixture f;
  const std::string spdx(mg::kSpdxPredicateType);
  const Json doc = {{"spdxVersion", "SPDX-2.3"}, {"name", "hello"}, {"packages", Json::array({{{"name", "a"}}})}};
  BOOST_TEST(mg::AttachCanonicalAttestation(f.client, kRepo, f.subject, spdx, mg::CanonicalJson(doc), f.signer).value());
  // Equal statements either way: nothing added.
  const int puts = f.ManifestPuts();
  BOOST_TEST(!mg::AttachAttestation(f.client, kRepo, f.subject, spdx, doc, f.signer).value());
  BOOST_TEST(!mg::AttachCanonicalAttestation(f.client, kRepo, f.subject, spdx, mg::CanonicalJson(doc), f.signer).value());
  BOOST_TEST(f.ManifestPuts() == puts);
  const Json m = f.ManifestAt(".att");
  BOOST_REQUIRE(m["layers"].size() == 1u);
  auto envelope = mg::ParseDsseEnvelope(f.reg.Blob(kRepo, m["layers"][0]["digest"]));
  BOOST_REQUIRE(envelope.ok());
  BOOST_TEST(mg::DsseVerify(*envelope, f.signer.public_key()).value());
  auto statement = mg::ParseStatement(envelope->payload);
  BOOST_REQUIRE(statement.ok());
  BOOST_TEST(statement->predicate == doc);
  BOOST_TEST(statement->subjects[0].digest.at("sha256") == f.subject.substr(7));
  auto bad = mg::AttachCanonicalAttestation(f.client, kRepo, f.subject, spdx, "[1]", f.signer);
  BOOST_TEST((bad.status().code() == mg::Status::Code::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(attestations_accumulate_without_duplicates) {
  Fixture f;
  const std::string slsa(mg::kSlsaProvenanceV1PredicateType), spdx(mg::kSpdxPredicateType);
  BOOST_TEST(mg::AttachAttestation(f.client, kRepo, f.subject, slsa, Predicate("a"), f.signer).value());
  BOOST_TEST(mg::AttachAttestation(f.client, kRepo, f.subject, spdx, Json{{"spdxVersion", "SPDX-2.3"}}, f.signer).value());
  const int puts = f.ManifestPuts();
  BOOST_TEST(!mg::AttachAttestation(f.client, kRepo, f.subject, slsa, Predicate("a"), f.signer).value());
  BOOST_TEST(!mg::AttachAttestation(f.client, kRepo, f.subject, spdx, Json{{"spdxVersion", "SPDX-2.3"}}, f.signer).value());
  BOOST_TEST(f.ManifestPuts() == puts);
  // Another predicate of the same type is another attestation.
  BOOST_TEST(mg::AttachAttestation(f.client, kRepo, f.subject, slsa, Predicate("b"), f.signer).value());
  auto layers = mg::ReadCosignLayers(f.client, kRepo, f.subject, ".att");
  BOOST_REQUIRE_MESSAGE(layers.ok(), layers.status().ToString());
  BOOST_REQUIRE(layers->size() == 3u);
  BOOST_TEST((*layers)[0].annotations.at("predicateType") == slsa);
  BOOST_TEST((*layers)[1].annotations.at("predicateType") == spdx);
  BOOST_TEST((*layers)[2].annotations.at("predicateType") == slsa);
  // The same statement under another key is added too.
  mg::KeySigner other{mg::PrivateKey::Generate().value()};
  BOOST_TEST(mg::AttachAttestation(f.client, kRepo, f.subject, slsa, Predicate("a"), other).value());
  BOOST_TEST(f.ManifestAt(".att")["layers"].size() == 4u);
}

BOOST_AUTO_TEST_CASE(concurrent_attestations_on_one_digest_are_both_kept) {
  Fixture f;
  // Serialise the fake (it is not thread-safe) but make every read of the .att manifest slow, so
  // that two unsynchronised read-modify-writes would both read the empty manifest.
  auto inner = f.reg.transport.handler;
  auto mu = std::make_shared<std::mutex>();
  const std::string att = mg::CosignTag(f.subject, ".att");
  f.reg.transport.handler = [inner, mu, att](const mg::HttpRequest& r) {
    if (r.method == "GET" && r.url.find(att) != std::string::npos) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::lock_guard<std::mutex> lock(*mu);
    return inner(r);
  };
  mg::Status s1, s2;
  std::thread t1([&] {
    auto r = mg::AttachAttestation(f.client, kRepo, f.subject, std::string(mg::kSlsaProvenanceV1PredicateType),
                                   Predicate("a"), f.signer);
    s1 = r.status();
  });
  std::thread t2([&] {
    auto r = mg::AttachAttestation(f.client, kRepo, f.subject, std::string(mg::kSpdxPredicateType),
                                   Json{{"spdxVersion", "SPDX-2.3"}}, f.signer);
    s2 = r.status();
  });
  t1.join();
  t2.join();
  BOOST_REQUIRE_MESSAGE(s1.ok(), s1.ToString());
  BOOST_REQUIRE_MESSAGE(s2.ok(), s2.ToString());
  BOOST_TEST(f.ManifestAt(".att")["layers"].size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_tampered_payload_blob_is_corruption) {
  Fixture f;
  BOOST_REQUIRE(mg::AttachSignature(f.client, kRepo, f.subject, f.signer).value());
  auto inner = f.reg.transport.handler;
  f.reg.transport.handler = [inner](const mg::HttpRequest& r) {
    auto resp = inner(r);
    if (r.method == "GET" && r.url.find("/blobs/") != std::string::npos && resp.ok()) resp->body += " ";
    return resp;
  };
  auto layers = mg::ReadCosignLayers(f.client, kRepo, f.subject, ".sig");
  BOOST_REQUIRE(!layers.ok());
  BOOST_TEST((layers.status().code() == mg::Status::Code::kCorruption));
  BOOST_TEST(layers.status().message().find(mg::CosignTag(f.subject, ".sig")) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_tag_holding_an_index_is_refused) {
  Fixture f;
  f.reg.PutManifest(kRepo, mg::CosignTag(f.subject, ".sig"), mg::kMediaTypeOciIndex,
                    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})");
  auto added = mg::AttachSignature(f.client, kRepo, f.subject, f.signer);
  BOOST_REQUIRE(!added.ok());
  BOOST_TEST((added.status().code() == mg::Status::Code::kCorruption));
  BOOST_TEST(added.status().message().find("not a cosign signature manifest") != std::string::npos);
  BOOST_TEST(f.ManifestPuts() == 0);
}

BOOST_AUTO_TEST_CASE(malformed_layers_are_corruption) {
  Fixture f;
  f.reg.PutManifest(kRepo, mg::CosignTag(f.subject, ".att"), mg::kMediaTypeOciManifest,
                    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                    R"("config":{},"layers":[{"mediaType":"application/vnd.dsse.envelope.v1+json","annotations":{"predicateType":1}}]})");
  auto layers = mg::ReadCosignLayers(f.client, kRepo, f.subject, ".att");
  BOOST_REQUIRE(!layers.ok());
  BOOST_TEST((layers.status().code() == mg::Status::Code::kCorruption));
  BOOST_TEST(layers.status().message().find("layer 0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(invalid_arguments_send_nothing) {
  Fixture f;
  const size_t before = f.reg.transport.request_count();
  auto bad_digest = mg::AttachSignature(f.client, kRepo, "sha256:abc", f.signer);
  BOOST_TEST((bad_digest.status().code() == mg::Status::Code::kInvalidArgument));
  auto bad_repo = mg::ReadCosignLayers(f.client, "Mirror/Hello", f.subject, ".sig");
  BOOST_TEST((bad_repo.status().code() == mg::Status::Code::kInvalidArgument));
  auto bad_predicate = mg::AttachAttestation(f.client, kRepo, f.subject, "https://x.invalid/p", Json::array(), f.signer);
  BOOST_TEST((bad_predicate.status().code() == mg::Status::Code::kInvalidArgument));
  auto no_type = mg::AttachAttestation(f.client, kRepo, f.subject, "", Json::object(), f.signer);
  BOOST_TEST((no_type.status().code() == mg::Status::Code::kInvalidArgument));
  BOOST_TEST(f.reg.transport.request_count() == before);
}

BOOST_AUTO_TEST_CASE(registry_errors_name_the_tag) {
  Fixture f;
  f.reg.forced_status["/manifests/sha256-"] = 500;
  auto added = mg::AttachSignature(f.client, kRepo, f.subject, f.signer);
  BOOST_REQUIRE(!added.ok());
  BOOST_TEST((added.status().code() == mg::Status::Code::kUnavailable));
  BOOST_TEST(added.status().message().find(mg::CosignTag(f.subject, ".sig")) != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
