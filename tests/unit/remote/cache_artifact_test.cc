// The remote cache's artifact (remote/cache_artifact.h) and entry document (exec/remote_entry.h):
// what is written, and every way a read can be refused.
#include <boost/test/unit_test.hpp>

#include "exec/remote_entry.h"
#include "exec/task_key.h"
#include "oci/reference.h"
#include "remote/cache_artifact.h"
#include "util/sha256.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;

namespace {

// An entry as the executor writes it: key material plus result and timings.
Json Entry(const std::string& engine = "1.0.0") {
  return Json{{"v", 1},
              {"type", "build"},
              {"params", {{"app", "hello"}, {"version", "1.2.0"}, {"platform", "linux/arm64"}}},
              {"identity", {{"engine", engine}}},
              {"inputs", Json::object()},
              {"result", {{"digest", "sha256:" + std::string(64, 'a')}}},
              {"finished_at", 1700000000000},
              {"duration_ms", 1234}};
}

std::string KeyOf(const Json& entry) {
  Json m = Json::object();
  for (const char* f : {"v", "type", "params", "identity", "inputs"}) m[f] = entry[f];
  return TaskKey(m);
}

const char kId[] = "build:hello@1.2.0/linux/arm64";

}  // namespace

BOOST_AUTO_TEST_SUITE(cache_artifact_test)

BOOST_AUTO_TEST_CASE(encode_then_decode_gives_the_entry_back) {
  Json entry = Entry();
  const std::string key = KeyOf(entry);
  auto a = EncodeCacheArtifact(key, kId, CanonicalJson(entry), "1.0.0");
  BOOST_REQUIRE(a.ok());
  BOOST_TEST(a->layer_digest == Sha256Digest(a->layer));
  Json m = ParseJson(a->manifest);
  BOOST_TEST(m["artifactType"] == kCacheArtifactType);
  BOOST_TEST(m["config"]["mediaType"] == kOciEmptyMediaType);
  BOOST_TEST(m["config"]["digest"] == Sha256Digest("{}"));
  BOOST_TEST(m["annotations"]["dev.mirrorgraph.cache.key"] == key);
  BOOST_TEST(m["annotations"]["dev.mirrorgraph.cache.task"] == kId);
  BOOST_TEST(m["annotations"]["dev.mirrorgraph.engine.version"] == "1.0.0");
  BOOST_TEST(a->manifest == CanonicalJson(m));  // deterministic bytes
  auto digest = CacheEntryLayerDigest(m, "application/vnd.oci.image.manifest.v1+json");
  BOOST_REQUIRE_MESSAGE(digest.ok(), digest.status().ToString());
  BOOST_TEST(*digest == a->layer_digest);
  auto back = DecodeRemoteEntry(a->layer, key, kId);
  BOOST_REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  BOOST_TEST(*back == entry);
}

BOOST_AUTO_TEST_CASE(the_tag_is_valid_tag_grammar) {
  const std::string tag = CacheTag(std::string(64, 'f'));
  BOOST_TEST(tag == "mgc1-" + std::string(64, 'f'));
  BOOST_TEST(IsValidTag(tag));
}

BOOST_AUTO_TEST_CASE(a_key_mismatch_a_wrong_id_and_another_format_are_refused) {
  Json entry = Entry();
  const std::string key = KeyOf(entry);
  const std::string doc = EncodeRemoteEntry(key, kId, entry);
  // Asked for another key: the document says which key it is for.
  const std::string other(64, '0');
  auto r = DecodeRemoteEntry(doc, other, kId);
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.status().message().find("key mismatch") != std::string::npos, r.status().message());
  // A forged document: the stored key claims `other`, but the material hashes to `key`.
  auto forged = DecodeRemoteEntry(EncodeRemoteEntry(other, kId, entry), other, kId);
  BOOST_TEST(!forged.ok());
  BOOST_TEST(forged.status().message().find("hashes to " + key.substr(0, 12)) != std::string::npos,
             forged.status().message());
  // A changed parameter under the old key.
  Json changed = entry;
  changed["params"]["platform"] = "linux/amd64";
  BOOST_TEST(!DecodeRemoteEntry(EncodeRemoteEntry(key, kId, changed), key, kId).ok());
  // Another task id.
  auto id = DecodeRemoteEntry(doc, key, "build:hello@1.2.0/linux/amd64");
  BOOST_TEST(!id.ok());
  BOOST_TEST(id.status().message().find("task id mismatch") != std::string::npos);
  // Another format version.
  Json v2 = ParseJson(doc);
  v2["format"] = 2;
  auto fv = DecodeRemoteEntry(CanonicalJson(v2), key, kId);
  BOOST_TEST((fv.status().code() == Status::Code::kNotImplemented));
  BOOST_TEST(fv.status().message().find("other format version 2") != std::string::npos);
  // Another engine version: another key, so the old entry never matches the new key.
  BOOST_TEST(KeyOf(Entry("1.1.0")) != key);
  BOOST_TEST(!DecodeRemoteEntry(doc, KeyOf(Entry("1.1.0")), kId).ok());
}

BOOST_AUTO_TEST_CASE(odd_documents_are_refused_without_throwing) {
  Json entry = Entry();
  const std::string key = KeyOf(entry);
  for (const std::string& text :
       {std::string("not json"), std::string("[]"), std::string("null"), std::string(R"({"format":"1"})"),
        std::string(R"({"format":1,"key":5,"id":[],"entry":"x"})"),
        R"({"format":1,"key":")" + key + R"(","id":")" + kId + R"(","entry":{"v":1}})",
        R"({"format":1,"key":")" + key + R"(","id":")" + kId + R"(","entry":[1,2]})"}) {
    auto r = DecodeRemoteEntry(text, key, kId);
    BOOST_TEST(!r.ok(), text);
  }
  Json no_result = entry;
  no_result.erase("result");
  BOOST_TEST(!CheckEntryKey(no_result, key).ok());
}

BOOST_AUTO_TEST_CASE(manifests_that_are_not_our_artifact_are_refused) {
  Json entry = Entry();
  const std::string key = KeyOf(entry);
  Json m = ParseJson(EncodeCacheArtifact(key, kId, CanonicalJson(entry), "1.0.0")->manifest);
  const char* oci = "application/vnd.oci.image.manifest.v1+json";
  BOOST_TEST(!CacheEntryLayerDigest(m, "application/vnd.oci.image.index.v1+json").ok());
  Json other = m;
  other["artifactType"] = "application/vnd.example.sbom";
  BOOST_TEST(!CacheEntryLayerDigest(other, oci).ok());
  other["artifactType"] = "application/vnd.mirrorgraph.cache.v2+json";
  BOOST_TEST((CacheEntryLayerDigest(other, oci).status().code() == Status::Code::kNotImplemented));
  // A registry that dropped artifactType: accepted only with the config media type as the marker.
  Json dropped = m;
  dropped.erase("artifactType");
  BOOST_TEST(!CacheEntryLayerDigest(dropped, oci).ok());
  dropped["config"]["mediaType"] = kCacheArtifactType;
  BOOST_TEST(CacheEntryLayerDigest(dropped, oci).ok());
  Json two = m;
  two["layers"].push_back(two["layers"][0]);
  BOOST_TEST(!CacheEntryLayerDigest(two, oci).ok());
  Json bad_digest = m;
  bad_digest["layers"][0]["digest"] = "sha256:XYZ";
  BOOST_TEST(!CacheEntryLayerDigest(bad_digest, oci).ok());
  Json huge = m;
  huge["layers"][0]["size"] = int64_t{1} << 40;
  BOOST_TEST(!CacheEntryLayerDigest(huge, oci).ok());
  Json wrong_types = m;
  wrong_types["layers"] = "x";
  wrong_types["annotations"] = 7;
  BOOST_TEST(!CacheEntryLayerDigest(wrong_types, oci).ok());
  Json fmt = m;
  fmt["annotations"]["dev.mirrorgraph.cache.format"] = "2";
  BOOST_TEST((CacheEntryLayerDigest(fmt, oci).status().code() == Status::Code::kNotImplemented));
  BOOST_TEST(!EncodeCacheArtifact(key, kId, "[1]", "1.0.0").ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
