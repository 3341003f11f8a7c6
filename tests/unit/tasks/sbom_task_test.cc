// The sbom task over the in-memory FakeRegistry: every platform image scanned through the registry
// into an SPDX document attached to its manifest, one covering both attached to the index; the
// creation time from the image config (a rerun builds equal statements and writes nothing); the
// index from the merge result or the version tag; re-checked cache hits; errors that name the layer.
#include "tasks/sbom_task.h"

#include <boost/test/unit_test.hpp>
#include <set>

#include "tasks/attest_recheck.h"
#include "unit/tasks/attest_fixture.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::Json;
using mg::testing::AttestFixture;
using mg::testing::kAttestRepo;

struct Fixture : AttestFixture {
  Fixture() : AttestFixture(mg::TaskType::kSbom, "sbom") {}
  mg::TaskOutcome Run(Json inputs, const Json* cached = nullptr) {
    return mg::RunSbomTask(Context(std::move(inputs), cached), client, settings);
  }
  Json Merge() const { return {{"merge:hello@1.0.0", MergeResult()}}; }
};

// name@version -> purl of the document's packages that have a purl.
std::map<std::string, std::string> Purls(const Json& doc) {
  std::map<std::string, std::string> out;
  for (const Json& p : doc["packages"]) {
    for (const Json& ref : p.value("externalRefs", Json::array())) {
      if (ref.value("referenceType", "") == "purl" && ref.value("referenceLocator", "").rfind("pkg:oci/", 0) != 0) {
        out[p.value("name", "") + "@" + p.value("versionInfo", "")] = ref.value("referenceLocator", "");
      }
    }
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sbom_task_test)

BOOST_AUTO_TEST_CASE(spdx_creation_times_from_rfc3339) {
  BOOST_TEST(*mg::SpdxCreatedFrom("2024-05-06T07:08:09Z") == "2024-05-06T07:08:09Z");
  BOOST_TEST(*mg::SpdxCreatedFrom("2024-05-06T09:08:09.123456789+02:00") == "2024-05-06T07:08:09Z");
  BOOST_TEST(*mg::SpdxCreatedFrom("2024-01-01T01:30:00-03:00") == "2024-01-01T04:30:00Z");
  BOOST_TEST(*mg::SpdxCreatedFrom("2024-01-01T00:30:00+01:00") == "2023-12-31T23:30:00Z");  // across a year
  BOOST_TEST(*mg::SpdxCreatedFrom("2024-03-01T00:00:00+00:30") == "2024-02-29T23:30:00Z");  // leap day
  BOOST_TEST(*mg::SpdxCreatedFrom("1970-01-01T00:00:00Z") == "1970-01-01T00:00:00Z");
  BOOST_TEST(*mg::SpdxCreatedFrom("0001-01-01T00:00:00Z") == "0001-01-01T00:00:00Z");  // Go's zero time
  BOOST_TEST(*mg::SpdxCreatedFrom("2024-05-06 07:08:09Z") == "2024-05-06T07:08:09Z");  // RFC 3339 allows the space
  for (const char* bad : {"", "2024-05-06", "2024-05-06T07:08:09", "2024-13-06T07:08:09Z",
                          "2024-05-06T07:08:09.Z", "2024-05-06T07:08:09+0200", "2024-05-06T07:08:09Zjunk"}) {
    BOOST_TEST(!mg::SpdxCreatedFrom(bad).has_value(), bad);
  }
}

BOOST_AUTO_TEST_CASE(no_key_fails_before_any_request) {
  Fixture f;
  f.settings.key.clear();
  mg::TaskOutcome out = f.Run(f.Merge());
  BOOST_TEST((out.status.code() == mg::Status::Code::kFailedPrecondition));
  BOOST_TEST(out.status.message().find("[attestations] key") != std::string::npos);
  BOOST_TEST(f.reg.transport.request_count() == 0u);
}

BOOST_AUTO_TEST_CASE(attaches_one_document_per_platform_and_one_for_the_index) {
  Fixture f;
  mg::TaskOutcome out = f.Run(f.Merge());
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_TEST(out.result["index"] == f.index);
  BOOST_TEST(out.result["added"] == 3);
  const Json& docs = out.result["documents"];
  BOOST_REQUIRE(docs.size() == 3u);
  // 2 deb + 2 npm libraries + the app's package.json per image.
  BOOST_TEST(docs[0] == Json({{"subject", f.index}, {"platform", ""}, {"packages", 10},
                              {"predicate_sha256", docs[0]["predicate_sha256"]}}));
  BOOST_TEST(docs[1]["subject"] == f.amd64);
  BOOST_TEST(docs[1]["platform"] == "linux/amd64");
  BOOST_TEST(docs[1]["packages"] == 5);
  BOOST_TEST(docs[2]["subject"] == f.arm64);
  BOOST_TEST(docs[2]["packages"] == 5);
  const auto pub = mg::LoadPublicKeyFile(f.dir / "cosign.pub").value();
  BOOST_TEST(out.result["public_key_sha256"] == pub.Fingerprint());

  // The amd64 statement: about its digest, an SPDX 2.3 document of exactly what the image holds.
  auto st = f.Statements(f.amd64, mg::kSpdxPredicateType);
  BOOST_REQUIRE(st.size() == 1u);
  BOOST_TEST(st[0].subjects.size() == 1u);
  BOOST_TEST(st[0].subjects[0].name == std::string(mg::testing::FakeRegistry::kHost) + "/" + kAttestRepo);
  BOOST_TEST("sha256:" + st[0].subjects[0].digest.at("sha256") == f.amd64);
  const Json& doc = st[0].predicate;
  BOOST_TEST(doc["spdxVersion"] == "SPDX-2.3");
  BOOST_TEST(doc["creationInfo"]["created"] == "2024-05-06T07:08:09Z");  // the config's, in UTC
  BOOST_TEST(doc["documentDescribes"].size() == 1u);
  BOOST_TEST(mg::PredicateSha256(doc) == docs[1]["predicate_sha256"].get<std::string>());
  const std::map<std::string, std::string> want = {
      {"libfoo1@1.2-3", "pkg:deb/debian/libfoo1@1.2-3?arch=amd64&distro=debian-12"},
      {"bar-utils@2:0.9+dfsg-1", "pkg:deb/debian/bar-utils@2:0.9%2Bdfsg-1?arch=amd64&distro=debian-12"},
      {"left-pad@1.3.0", "pkg:npm/left-pad@1.3.0"},
      {"@scope/util@0.1.0", "pkg:npm/%40scope/util@0.1.0"},
      {"hello@1.0.0", "pkg:npm/hello@1.0.0"}};
  BOOST_TEST(Purls(doc) == want);

  // The index's document covers both images, created at the later of the two.
  auto idx = f.Statements(f.index, mg::kSpdxPredicateType);
  BOOST_REQUIRE(idx.size() == 1u);
  BOOST_TEST(idx[0].predicate["creationInfo"]["created"] == "2024-05-06T07:10:00Z");
  std::set<std::string> images;
  for (const Json& p : idx[0].predicate["packages"]) {
    if (p.value("primaryPackagePurpose", "") == "CONTAINER") images.insert(p.value("versionInfo", ""));
  }
  BOOST_TEST(images.count(f.amd64) == 1u);
  BOOST_TEST(images.count(f.arm64) == 1u);
  BOOST_TEST(Purls(idx[0].predicate).count("libfoo1@1.2-3") == 1u);

  // Again: equal statements, nothing written.
  const int puts = f.reg.count("PUT", "/manifests/");
  mg::TaskOutcome again = f.Run(f.Merge());
  BOOST_REQUIRE_MESSAGE(again.status.ok(), again.status.ToString());
  BOOST_TEST(again.result["added"] == 0);
  BOOST_TEST(again.result["documents"] == out.result["documents"]);
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == puts);
  for (const std::string& d : {f.index, f.amd64, f.arm64}) BOOST_TEST(f.AttLayers(d) == 1u);
}

BOOST_AUTO_TEST_CASE(the_manifests_and_created_times_the_merge_recorded_are_not_read_again) {
  Fixture f;
  const Json merge = f.RealMergeResult();
  for (const Json& m : merge["manifests"]) {
    BOOST_TEST(m["manifest"].is_string());
    BOOST_TEST(m["config_created"] == (m["digest"] == f.amd64 ? f.amd64_created : f.arm64_created));
  }
  const int after_merge = f.PlatformReads();
  mg::TaskOutcome out = f.Run({{"merge:hello@1.0.0", merge}});
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_TEST(f.PlatformReads() == after_merge);  // neither manifest nor config read again
  BOOST_TEST(out.result["added"] == 3);
  BOOST_TEST(out.result["documents"][1]["packages"] == 5);  // the layers were scanned all the same
  const auto amd = f.Statements(f.amd64, mg::kSpdxPredicateType);
  BOOST_REQUIRE(amd.size() == 1u);
  BOOST_TEST(amd[0].predicate["creationInfo"]["created"] == "2024-05-06T07:08:09Z");  // the recorded "created"

  // A merge result cached by an older version: the manifests and configs are read; the same
  // documents (already attached: nothing new).
  mg::TaskOutcome old = f.Run({{"merge:hello@1.0.0", f.WithoutRecordedManifests(merge)}});
  BOOST_REQUIRE_MESSAGE(old.status.ok(), old.status.ToString());
  BOOST_TEST(f.PlatformReads() == after_merge + 4);
  BOOST_TEST(old.result["added"] == 0);
  BOOST_TEST(old.result["documents"] == out.result["documents"]);

  // A recorded manifest that is not the digest's (damaged, or another image's): not used, read.
  Json wrong = merge;
  wrong["manifests"][0]["manifest"] = wrong["manifests"][1]["manifest"];
  const int before = f.PlatformReads();
  mg::TaskOutcome checked = f.Run({{"merge:hello@1.0.0", wrong}});
  BOOST_REQUIRE_MESSAGE(checked.status.ok(), checked.status.ToString());
  BOOST_TEST(f.PlatformReads() == before + 2);  // that platform's manifest and config
  BOOST_TEST(checked.result["documents"] == out.result["documents"]);
}

BOOST_AUTO_TEST_CASE(without_a_merge_result_the_version_tag_is_resolved) {
  Fixture f;
  mg::TaskOutcome out = f.Run(Json::object());
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_TEST(out.result["documents"].size() == 3u);
  BOOST_TEST(out.result["added"] == 3);
}

BOOST_AUTO_TEST_CASE(a_tag_naming_one_image_gets_one_document) {
  Fixture f;
  f.reg.PutManifest(kAttestRepo, "2.0.0", mg::kMediaTypeOciManifest, f.reg.ManifestBytes(kAttestRepo, f.amd64));
  f.task.SetParams({{"image", "hello"}, {"repository", kAttestRepo}, {"tag", "v2.0.0"}, {"version", "2.0.0"}});
  mg::TaskOutcome out = f.Run(Json::object());
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_TEST(out.result["index"] == f.amd64);
  BOOST_REQUIRE(out.result["documents"].size() == 1u);
  BOOST_TEST(out.result["documents"][0]["subject"] == f.amd64);
  BOOST_TEST(out.result["documents"][0]["packages"] == 5);
  BOOST_TEST(f.Statements(f.amd64, mg::kSpdxPredicateType).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_config_without_created_gives_the_epoch_and_says_so) {
  Fixture f;
  const std::string plain = f.PutImage("amd64", "", Json::object());
  f.reg.PutManifest(kAttestRepo, "3.0.0", mg::kMediaTypeOciManifest, f.reg.ManifestBytes(kAttestRepo, plain));
  f.task.SetParams({{"image", "hello"}, {"repository", kAttestRepo}, {"tag", "v3.0.0"}, {"version", "3.0.0"}});
  mg::TaskOutcome out = f.Run(Json::object());
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  auto st = f.Statements(plain, mg::kSpdxPredicateType);
  BOOST_REQUIRE(st.size() == 1u);
  BOOST_TEST(st[0].predicate["creationInfo"]["created"] == mg::kSpdxFallbackCreated);
  BOOST_TEST(f.Logged("has no usable \"created\""));
}

BOOST_AUTO_TEST_CASE(a_corrupt_layer_fails_naming_the_image_and_writes_nothing) {
  Fixture f;
  const std::string junk = "this is not a tar archive, not even close";
  Json m = {{"schemaVersion", 2},
            {"mediaType", mg::kMediaTypeOciManifest},
            {"config", {{"mediaType", mg::kMediaTypeOciConfig}, {"digest", f.reg.PutBlob(kAttestRepo, "{}")}, {"size", 2}}},
            {"layers", {{{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                         {"digest", f.reg.PutBlob(kAttestRepo, junk)}, {"size", junk.size()}}}}};
  const std::string bad = f.reg.PutManifest(kAttestRepo, "4.0.0", mg::kMediaTypeOciManifest, m.dump());
  f.task.SetParams({{"image", "hello"}, {"repository", kAttestRepo}, {"tag", "v4.0.0"}, {"version", "4.0.0"}});
  mg::TaskOutcome out = f.Run(Json::object());
  BOOST_TEST((out.status.code() == mg::Status::Code::kCorruption), out.status.ToString());
  BOOST_TEST(out.status.message().find("scanning reg.example/mirror/hello@" + bad) != std::string::npos,
             out.status.message());
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == 0);
}

BOOST_AUTO_TEST_CASE(a_cached_result_is_reused_while_the_documents_are_there) {
  Fixture f;
  mg::TaskOutcome first = f.Run(f.Merge());
  BOOST_REQUIRE(first.status.ok());
  const int blobs = f.reg.count("GET", "/blobs/");
  const int puts = f.reg.count("PUT", "/manifests/");
  mg::TaskOutcome rechecked = f.Run(Json::object(), &first.result);
  BOOST_REQUIRE_MESSAGE(rechecked.status.ok(), rechecked.status.ToString());
  BOOST_TEST(rechecked.reused);
  BOOST_TEST(rechecked.note.find("re-checked 3 SBOM(s)") != std::string::npos, rechecked.note);
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == puts);
  // Only the .att payloads were read again: no image layer was scanned.
  BOOST_TEST(f.reg.count("GET", "/blobs/") - blobs == 3);

  // The arm64 document lost: scanned and attached again, exactly that one added.
  f.reg.PutManifest(kAttestRepo, mg::CosignTag(f.arm64, ".att"), mg::kMediaTypeOciManifest,
                    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]})");
  mg::TaskOutcome redone = f.Run(Json::object(), &first.result);
  BOOST_REQUIRE_MESSAGE(redone.status.ok(), redone.status.ToString());
  BOOST_TEST(!redone.reused);
  BOOST_TEST(redone.result["added"] == 1);
  BOOST_TEST(f.AttLayers(f.arm64) == 1u);
  BOOST_TEST(f.Logged("the SPDX SBOM of " + f.arm64 + " (linux/arm64) is gone from the registry"));
}

BOOST_AUTO_TEST_CASE(a_cached_result_for_another_index_or_key_is_not_reused) {
  Fixture f;
  mg::TaskOutcome first = f.Run(Json::object());
  BOOST_REQUIRE(first.status.ok());
  Json moved = first.result;
  moved["index"] = "sha256:" + std::string(64, '0');
  mg::TaskOutcome out = f.Run(Json::object(), &moved);
  BOOST_REQUIRE(out.status.ok());
  BOOST_TEST(!out.reused);
  BOOST_TEST(out.result["added"] == 0);
  BOOST_TEST(f.Logged("the version now names the index " + f.index));

  Json other_doc = first.result;
  other_doc["documents"][1]["predicate_sha256"] = "sha256:" + std::string(64, '1');
  mg::TaskOutcome changed = f.Run(Json::object(), &other_doc);
  BOOST_REQUIRE(changed.status.ok());
  BOOST_TEST(!changed.reused);

  mg::testing::TempDir other;
  BOOST_REQUIRE(mg::GenerateKeyPair(other / "k.key", other / "k.pub", "pw").ok());
  f.settings.key = other / "k.key";
  mg::TaskOutcome rekeyed = f.Run(Json::object(), &first.result);
  BOOST_REQUIRE_MESSAGE(rekeyed.status.ok(), rekeyed.status.ToString());
  BOOST_TEST(!rekeyed.reused);
  BOOST_TEST(rekeyed.result["added"] == 3);
  BOOST_TEST(f.AttLayers(f.index) == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
