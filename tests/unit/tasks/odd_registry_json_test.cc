// The merge and attestation tasks over a registry serving JSON of unexpected types (numbers where
// strings are expected, arrays where objects are, null): each ends in a failed task with a message
// (or an attestation that says what is unknown), never an exception and never std::terminate from
// one of the task's worker threads.
#include <boost/test/unit_test.hpp>

#include "tasks/merge_task.h"
#include "tasks/sbom_task.h"
#include "unit/tasks/attest_fixture.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::Json;
using mg::Status;
using mg::TaskOutcome;
using mg::testing::AttestFixture;
using mg::testing::kAttestRepo;

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Runs `fn`, failing the test (not the binary) when it throws.
template <typename Fn>
TaskOutcome NoThrow(const std::string& what, Fn fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    BOOST_ERROR(what << " threw: " << e.what());
  }
  return {Status::Internal("threw"), {}};
}

struct Fixture : AttestFixture {
  explicit Fixture(mg::TaskType type = mg::TaskType::kSbom, const std::string& name = "sbom")
      : AttestFixture(type, name) {}

  // Tags 1.0.0 with an index over amd64 (as built) and `arm64_manifest` (raw bytes).
  void OddArm64(const std::string& arm64_manifest) {
    arm64 = reg.PutManifest(kAttestRepo, "", mg::kMediaTypeOciManifest, arm64_manifest);
    PutIndex(R"({"digest":")" + amd64 + R"(","platform":{"os":"linux","architecture":"amd64"}},)" +
             R"({"digest":")" + arm64 + R"(","platform":{"os":"linux","architecture":"arm64"}})");
  }
  void PutIndex(const std::string& entries, const std::string& annotations = "{}") {
    index = reg.PutManifest(kAttestRepo, "1.0.0", mg::kMediaTypeOciIndex,
                            R"({"schemaVersion":2,"manifests":[)" + entries + R"(],"annotations":)" + annotations + "}");
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(odd_registry_json_test)

// The arm64 image is scanned on a worker thread: its odd manifest fails the task with a message.
BOOST_AUTO_TEST_CASE(sbom_of_an_odd_platform_manifest_fails_the_task) {
  struct Case {
    std::string manifest;
    std::string error;
  };
  const Case cases[] = {
      {R"({"schemaVersion":2,"config":{"digest":5},"layers":[1]})", "a layer descriptor without a digest"},
      {R"({"schemaVersion":2,"config":[],"layers":{}})", "has no \"layers\""},
      {R"({"schemaVersion":2,"config":null,"layers":[{"digest":null,"size":"1"}]})", "a layer descriptor without a digest"},
  };
  for (const Case& c : cases) {
    Fixture f;
    f.OddArm64(c.manifest);
    TaskOutcome out = NoThrow(c.manifest, [&] { return mg::RunSbomTask(f.Context(Json::object(), nullptr), f.client, f.settings); });
    BOOST_TEST(!out.status.ok(), c.manifest);
    BOOST_TEST(Contains(out.status.message(), c.error), c.manifest << ": " << out.status.ToString());
    BOOST_TEST(Contains(out.status.message(), f.arm64), out.status.message());
  }
}

// An index whose entries have odd types: every attestation task fails naming the index.
BOOST_AUTO_TEST_CASE(attestations_of_an_odd_index_fail_the_task) {
  const std::string entries[] = {R"({"digest":5,"platform":{"os":"linux","architecture":"amd64"}})",
                                 R"({"digest":["sha256:00"]})", "null", "7", R"("sha256:00")"};
  for (const std::string& entry : entries) {
    for (mg::TaskType type : {mg::TaskType::kSbom, mg::TaskType::kSign, mg::TaskType::kProvenance}) {
      const std::string name = mg::TaskTypeName(type);
      Fixture f(type, name);
      f.PutIndex(entry);
      TaskOutcome out = NoThrow(entry + " " + name, [&] {
        mg::TaskContext ctx = f.Context(Json::object(), nullptr);
        if (type == mg::TaskType::kSbom) return mg::RunSbomTask(ctx, f.client, f.settings);
        if (type == mg::TaskType::kSign) return mg::RunSignTask(ctx, f.client, f.settings);
        return mg::RunProvenanceTask(ctx, f.client, f.settings);
      });
      BOOST_TEST(!out.status.ok(), entry << " " << name);
      BOOST_TEST(Contains(out.status.message(), "an index entry has no valid digest"),
                 entry << " " << name << ": " << out.status.ToString());
    }
  }
}

// Index annotations and platform platform descriptors of the wrong types read as absent: the
// provenance is written and says what is unknown.
BOOST_AUTO_TEST_CASE(provenance_with_odd_annotations_says_unknown) {
  Fixture f(mg::TaskType::kProvenance, "provenance");
  f.arm64 = f.PutImage("arm64", f.arm64_created, {{"org.opencontainers.image.base.name", 5},
                                                   {"org.opencontainers.image.base.digest", Json::array()}});
  f.PutIndex(R"({"digest":")" + f.amd64 + R"(","platform":{"os":"linux","architecture":"amd64","variant":3}},)" +
                 R"({"digest":")" + f.arm64 + R"(","platform":{"os":"linux","architecture":"arm64"}})",
             R"({"org.opencontainers.image.source":5,"org.opencontainers.image.revision":["x"],)"
             R"("dev.mirrorgraph.upstream.tag":null,"org.opencontainers.image.version":{}})");
  TaskOutcome out = NoThrow("provenance", [&] {
    return mg::RunProvenanceTask(f.Context(Json::object(), nullptr), f.client, f.settings);
  });
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  const std::string unknown = mg::CanonicalJson(out.result["unknown"]);
  BOOST_TEST(Contains(unknown, "base images"), unknown);
  BOOST_TEST(Contains(unknown, "source"), unknown);
}

// A signature tag holding a manifest of odd types: the sign task fails naming it.
BOOST_AUTO_TEST_CASE(sign_over_an_odd_signature_manifest_fails_the_task) {
  Fixture f(mg::TaskType::kSign, "sign");
  f.reg.PutManifest(kAttestRepo, mg::CosignTag(f.arm64, ".sig"), mg::kMediaTypeOciManifest,
                    R"({"schemaVersion":2,"config":{},"layers":[{"mediaType":"x","digest":5}]})");
  TaskOutcome out = NoThrow("sign", [&] { return mg::RunSignTask(f.Context(Json::object(), nullptr), f.client, f.settings); });
  BOOST_TEST(!out.status.ok());
  BOOST_TEST(Contains(out.status.message(), "has no valid \"digest\""), out.status.ToString());
}

// Build results and platform manifests of odd types: the merge fails and tags nothing.
BOOST_AUTO_TEST_CASE(merge_over_odd_build_results_fails_and_tags_nothing) {
  Fixture f;
  mg::Task merge;
  merge.id = "merge:hello@2.0.0";
  merge.type = mg::TaskType::kMerge;
  merge.coords = {"hello", "hello", "2.0.0", ""};
  merge.SetParams({{"repository", kAttestRepo}, {"version", "2.0.0"}, {"platforms", {"linux/amd64", "linux/arm64"}}});
  const std::string odd_arm64 =
      f.reg.PutManifest(kAttestRepo, "", mg::kMediaTypeOciManifest, R"({"schemaVersion":2,"config":{"digest":7},"layers":[]})");
  struct Case {
    Json arm64_result;
    std::string error;
  };
  const Case cases[] = {
      {{{"platform", "linux/arm64"}, {"digest", 5}}, "invalid manifest digest ''"},
      {{{"platform", "linux/arm64"}, {"digest", odd_arm64}}, "has no config digest"},
      {{{"platform", 64}, {"digest", f.arm64}}, "no build result for linux/arm64"},
  };
  for (const Case& c : cases) {
    Json inputs = {{"build:hello@2.0.0/linux/amd64", {{"platform", "linux/amd64"}, {"digest", f.amd64}}},
                   {"build:hello@2.0.0/linux/arm64", c.arm64_result}};
    mg::TaskContext ctx{merge, inputs, nullptr, f.cancel, [](std::string_view) {}, nullptr};
    TaskOutcome out = NoThrow(c.arm64_result.dump(), [&] { return mg::RunMergeTask(ctx, f.client); });
    BOOST_TEST(!out.status.ok(), c.arm64_result.dump());
    BOOST_TEST(Contains(out.status.message(), c.error), c.arm64_result.dump() << ": " << out.status.ToString());
    BOOST_TEST(f.reg.ManifestBytes(kAttestRepo, "2.0.0").empty());
  }
}

// A build result's source (from the remote cache tier, say) of other types: absent, never a throw.
BOOST_AUTO_TEST_CASE(merge_annotations_read_an_odd_build_source_as_absent) {
  const Json params = {{"version", "2.0.0"}, {"tag", "v2.0.0"}};
  for (const Json& source : {Json{{"url", 1}, {"commit", nullptr}}, Json{{"url", Json::array()}, {"commit", 7}},
                             Json("https://example.org/x.git"), Json(nullptr)}) {
    Json a;
    try {
      a = mg::MergeAnnotations(params, Json{{"digest", "sha256:" + std::string(64, 'a')}, {"source", source}});
    } catch (const std::exception& e) {
      BOOST_ERROR(source.dump() << " threw: " << e.what());
      continue;
    }
    BOOST_TEST(a == (Json{{"org.opencontainers.image.version", "2.0.0"}, {"dev.mirrorgraph.upstream.tag", "v2.0.0"}}),
               source.dump());
  }
  // The fields of the right type still make their annotations (credentials redacted).
  const Json a = mg::MergeAnnotations(
      Json{{"version", "2.0.0"}},
      Json{{"source", {{"url", "https://user:secret@example.org/x.git"}, {"commit", "0123abcd"}}}});
  BOOST_TEST(a["org.opencontainers.image.source"] == "https://example.org/x.git");
  BOOST_TEST(a["org.opencontainers.image.revision"] == "0123abcd");
  BOOST_TEST(a["dev.mirrorgraph.upstream.tag"] == "2.0.0");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
