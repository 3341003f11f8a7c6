// The provenance task over the in-memory FakeRegistry: the SLSA v1 predicate from the merge result
// (source at its commit, recipe, build args, builder, engine and plugin, base images from the
// manifests' annotations, build times from the run journals), attached to the index and every
// platform; from the index annotations, with what is unknown said, when the merge was unneeded;
// idempotence and re-checked cache hits; the journal lookup on its own.
#include "tasks/provenance_task.h"

#include <boost/test/unit_test.hpp>

#include "cache/journal.h"
#include "sign/slsa_provenance.h"
#include "tasks/attest_recheck.h"
#include "unit/tasks/attest_fixture.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::Json;
using mg::testing::AttestFixture;
using mg::testing::kAttestCommit;
using mg::testing::kAttestRepo;

struct Fixture : AttestFixture {
  Fixture() : AttestFixture(mg::TaskType::kProvenance, "provenance") {}
  mg::TaskOutcome Run(Json inputs, const Json* cached = nullptr, const Json* recorded = nullptr,
                      bool cached_remote = false) {
    return mg::RunProvenanceTask(Context(std::move(inputs), cached, recorded, cached_remote), client, settings);
  }
  // The provenance of a run that merged, on the state directory `state`: required to succeed.
  mg::TaskOutcome FirstRun(const mg::testing::TempDir& state) {
    settings.state_dir = state.path();
    mg::TaskOutcome first = Run(Merge());
    BOOST_REQUIRE_MESSAGE(first.status.ok(), first.status.ToString());
    return first;
  }
  // `digest`'s .att manifest emptied: its attestations lost, so that a re-check fails.
  void LoseAttestations(const std::string& digest) {
    reg.PutManifest(kAttestRepo, mg::CosignTag(digest, ".att"), mg::kMediaTypeOciManifest,
                    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]})");
  }
  // What an earlier run recorded when the merge is unneeded now (TaskContext::recorded).
  Json RecordedMerge() const {
    return {{"merge:hello@1.0.0", {{"result", MergeResult()}, {"identity", Identity()}}}};
  }
  // The build results behind MergeResult(), as an earlier run recorded them.
  Json RecordedBuilds() const {
    Json out = Json::object();
    const Json merge = MergeResult();
    for (const Json& m : merge["manifests"]) {
      Json result = m["build"];
      result["digest"] = m["digest"];
      result["platform"] = m["platform"];
      result["source"] = merge["source"];
      Json identity = Identity();
      identity["builder"] = "buildah";
      out["build:hello@1.0.0/" + m["platform"].get<std::string>()] = {{"result", result}, {"identity", identity}};
    }
    return out;
  }
  Json Identity() const { return task.Identity(); }
  // The journal of the run that built both platforms.
  void RecordBuildTimes(const std::string& state_dir);
  Json Merge() const { return {{"merge:hello@1.0.0", MergeResult()}}; }
  Json Predicate(const std::string& digest) {
    auto st = Statements(digest, mg::kSlsaProvenanceV1PredicateType);
    BOOST_REQUIRE(st.size() == 1u);
    BOOST_REQUIRE(st[0].subjects.size() == 1u);
    BOOST_TEST("sha256:" + st[0].subjects[0].digest.at("sha256") == digest);
    return st[0].predicate;
  }
};

// Writes a run journal with build events {id, started, finished}.
void WriteJournal(const std::string& state_dir, const std::string& run_id,
                  const std::vector<std::tuple<std::string, std::string, int64_t, int64_t>>& builds) {
  auto j = mg::RunJournal::Create(state_dir, run_id);
  BOOST_REQUIRE(j.ok());
  for (const auto& [id, status, started, finished] : builds) {
    mg::TaskEvent ev;
    ev.id = id;
    ev.type = "build";
    ev.status = status;
    ev.reason = "test";
    ev.started_at = started;
    ev.finished_at = finished;
    BOOST_REQUIRE(j->AppendTask(ev, true).ok());
  }
}

void Fixture::RecordBuildTimes(const std::string& state_dir) {
  settings.state_dir = state_dir;
  WriteJournal(state_dir, "20240506T070000Z-1",
               {{"build:hello@1.0.0/linux/amd64", "ran", 1714979289123, 1714979300000},
                {"build:hello@1.0.0/linux/arm64", "ran", 1714979289500, 1714979349000}});
}

// The predicate a run whose merge ran writes for the fixture's image (with the same journal).
Json CleanPredicate() {
  Fixture clean;
  mg::testing::TempDir state;
  clean.RecordBuildTimes(state.path());
  mg::TaskOutcome out = clean.Run(clean.Merge());
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_REQUIRE(!mg::FindReconstructed(out.result["predicate"]).has_value());
  return out.result["predicate"];
}

size_t ProvenanceLayers(Fixture& f, const std::string& digest) {
  return f.Statements(digest, mg::kSlsaProvenanceV1PredicateType).size();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(provenance_task_test)

BOOST_AUTO_TEST_CASE(base_image_uris) {
  BOOST_TEST(mg::BaseImageUri("docker.io/library/debian:12", "linux/arm64") ==
             "pkg:docker/docker.io/library/debian@12?platform=linux%2Farm64");
  BOOST_TEST(mg::BaseImageUri("127.0.0.1:5000/ns/base", "") == "pkg:docker/127.0.0.1:5000/ns/base@latest");
  BOOST_TEST(mg::BaseImageUri("127.0.0.1:5000/ns/base:1.0@sha256:" + std::string(64, 'a'), "linux/amd64") ==
             "pkg:docker/127.0.0.1:5000/ns/base@1.0?platform=linux%2Famd64");
}

BOOST_AUTO_TEST_CASE(build_times_come_from_the_newest_run_that_built_each_platform) {
  mg::testing::TempDir state;
  const std::string p = "build:hello@1.0.0";
  // Run 1 built both; run 2 rebuilt arm64 (amd64 cached); run 3 built another version only.
  WriteJournal(state.path(), "20240101T000000Z-1", {{p + "/linux/amd64", "ran", 1000, 5000}, {p + "/linux/arm64", "ran", 1200, 6000}});
  WriteJournal(state.path(), "20240102T000000Z-2", {{p + "/linux/amd64", "cached", 9000, 9001},
                                                    {p + "/linux/arm64", "ran", 20000, 26000}});
  WriteJournal(state.path(), "20240103T000000Z-3", {{"build:hello@2.0.0/linux/amd64", "ran", 30000, 31000},
                                                    {p + "/linux/arm64", "failed", 32000, 33000}});
  auto t = mg::FindBuildTimes(state.path(), p, {"linux/amd64", "linux/arm64/v8"});
  BOOST_REQUIRE(t.has_value());
  BOOST_TEST(t->started_on == 1000);
  BOOST_TEST(t->finished_on == 26000);
  BOOST_TEST(t->run_id == "20240102T000000Z-2");

  // A platform never built in any journal: unknown, not half-known.
  BOOST_TEST(!mg::FindBuildTimes(state.path(), p, {"linux/amd64", "linux/riscv64"}).has_value());
  // Only the newest journals are searched.
  BOOST_TEST(!mg::FindBuildTimes(state.path(), p, {"linux/amd64"}, 2).has_value());
  BOOST_TEST(mg::FindBuildTimes(state.path(), p, {"linux/amd64"}, 3).has_value());
  BOOST_TEST(!mg::FindBuildTimes(state.path() + "/nowhere", p, {"linux/amd64"}).has_value());
}

// The times a merge result carries (each build result's "ran", copied by the merge): from any
// runner, no journal needed; all platforms or nothing; wrong types are absent, never thrown.
BOOST_AUTO_TEST_CASE(build_times_travel_in_the_merge_result) {
  auto entry = [](mg::Json ran) { return mg::Json{{"platform", "linux/amd64"}, {"build", {{"ran", std::move(ran)}}}}; };
  mg::Json merge = {{"manifests", {entry({{"run_id", "r1"}, {"started_on", 1000}, {"finished_on", 5000}}),
                                   entry({{"run_id", "r2"}, {"started_on", 800}, {"finished_on", 7000}})}}};
  auto t = mg::BuildTimesFromMerge(merge, 2);
  BOOST_REQUIRE(t.has_value());
  BOOST_TEST(t->started_on == 800);
  BOOST_TEST(t->finished_on == 7000);
  BOOST_TEST(t->run_id == "r2");
  // Not every platform of the target.
  BOOST_TEST(!mg::BuildTimesFromMerge(merge, 3).has_value());
  // One platform without times (recorded before results carried them).
  mg::Json partial = merge;
  partial["manifests"][1]["build"].erase("ran");
  BOOST_TEST(!mg::BuildTimesFromMerge(partial, 2).has_value());
  // Wrong types and impossible intervals.
  for (mg::Json bad : {mg::Json{{"run_id", "r"}, {"started_on", "1000"}, {"finished_on", 5000}},
                       mg::Json{{"run_id", "r"}, {"started_on", 1000.5}, {"finished_on", 5000}},
                       mg::Json{{"run_id", 7}, {"started_on", 1000}, {"finished_on", 5000}},
                       mg::Json{{"run_id", "r"}, {"started_on", 6000}, {"finished_on", 5000}},
                       mg::Json{{"run_id", "r"}, {"started_on", 0}, {"finished_on", 5000}}, mg::Json::array()}) {
    mg::Json m = merge;
    m["manifests"][0]["build"]["ran"] = bad;
    BOOST_TEST(!mg::BuildTimesFromMerge(m, 2).has_value(), bad.dump());
  }
  BOOST_TEST(!mg::BuildTimesFromMerge(mg::Json{{"manifests", "x"}}, 1).has_value());
  BOOST_TEST(!mg::BuildTimesFromMerge(mg::Json::array(), 1).has_value());
}

BOOST_AUTO_TEST_CASE(the_predicate_from_the_merge_result) {
  Fixture f;
  // The amd64 image names its base image (as buildah annotates it); arm64 does not.
  const std::string base_digest = "sha256:" + std::string(64, 'b');
  f.amd64 = f.PutImage("amd64", f.amd64_created,
                       {{"org.opencontainers.image.base.name", "docker.io/library/debian:12"},
                        {"org.opencontainers.image.base.digest", base_digest}});
  mg::testing::TempDir state;
  f.settings.state_dir = state.path();
  WriteJournal(state.path(), "20240506T070000Z-1",
               {{"build:hello@1.0.0/linux/amd64", "ran", 1714979289123, 1714979300000},
                {"build:hello@1.0.0/linux/arm64", "ran", 1714979289500, 1714979349000}});
  mg::TaskOutcome out = f.Run(f.Merge());
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_TEST(out.result["index"] == f.index);
  BOOST_TEST(out.result["added"] == 3);
  BOOST_TEST(out.result["source"] == Json({{"url", "https://git.example.org/hello.git"}, {"commit", kAttestCommit}}));
  BOOST_TEST(out.result["unknown"] == Json({"base images"}));  // arm64's
  BOOST_REQUIRE(out.result["subjects"].size() == 3u);

  const Json pred = f.Predicate(f.index);
  BOOST_TEST(mg::PredicateSha256(pred) == out.result["subjects"][0]["predicate_sha256"].get<std::string>());
  // The same predicate on every platform manifest.
  BOOST_TEST(f.Predicate(f.amd64) == pred);
  BOOST_TEST(f.Predicate(f.arm64) == pred);

  const Json& def = pred["buildDefinition"];
  BOOST_TEST(def["buildType"] == std::string(mg::kMirrorgraphBuildType));
  const Json& ext = def["externalParameters"];
  BOOST_TEST(ext["app"] == "hello");
  BOOST_TEST(ext["version"] == "1.0.0");
  BOOST_TEST(ext["tag"] == "v1.0.0");
  BOOST_TEST(ext["repository"] == "reg.example/mirror/hello");
  BOOST_TEST(ext["platforms"] == Json({"linux/amd64", "linux/arm64"}));
  BOOST_TEST(ext["source"] == Json({{"type", "git"}, {"url", "https://git.example.org/hello.git"}, {"ref", "v1.0.0"}}));
  BOOST_TEST(ext["recipe"]["build_args"]["VERSION"] == "1.0.0");
  BOOST_TEST(ext["recipe"]["edits"][0]["kind"] == "replace");
  BOOST_TEST(!ext["recipe"].contains("source"));
  const Json& internal = def["internalParameters"];
  BOOST_TEST(internal["builder"] == Json({{"name", "buildah"}, {"version", "1.28.2"}}));
  BOOST_TEST(internal["engine"] == Json({{"name", "mirrorgraph"}, {"version", MIRRORGRAPH_VERSION}}));
  BOOST_TEST(internal["plugin"] == Json({{"name", "generic"}, {"version", "1.1.0"}}));
  BOOST_TEST(internal["edits_applied"] == Json({"Dockerfile: replace a -> b (line 3)"}));
  BOOST_TEST(internal["unknown"] == Json({"base images"}));

  // Resolved: the source at its commit, the amd64 base image by digest, the build-arg URL without one.
  const Json deps = def["resolvedDependencies"];
  BOOST_REQUIRE(deps.size() == 3u);
  BOOST_TEST(deps[0] == Json({{"uri", "git+https://git.example.org/hello.git@refs/tags/v1.0.0"}, {"digest", {{"gitCommit", kAttestCommit}}}}));
  BOOST_TEST(deps[1] == Json({{"uri", "https://nodejs.example/node-v20.tar.gz"}, {"name", "build-arg:NODE_URL"}}));
  BOOST_TEST(deps[2] == Json({{"uri", "pkg:docker/docker.io/library/debian@12?platform=linux%2Famd64"},
                              {"digest", {{"sha256", std::string(64, 'b')}}}}));

  const Json& run = pred["runDetails"];
  BOOST_TEST(run["builder"]["id"] == std::string(mg::kDefaultBuilderId));
  BOOST_TEST(run["builder"]["version"] == Json({{"mirrorgraph", MIRRORGRAPH_VERSION}}));
  BOOST_TEST(run["metadata"] == Json({{"invocationId", "20240506T070000Z-1"},
                                      {"startedOn", "2024-05-06T07:08:09.123Z"},
                                      {"finishedOn", "2024-05-06T07:09:09.000Z"}}));

  // Again: the same predicate, nothing written.
  const int puts = f.reg.count("PUT", "/manifests/");
  mg::TaskOutcome again = f.Run(f.Merge());
  BOOST_REQUIRE(again.status.ok());
  BOOST_TEST(again.result["added"] == 0);
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == puts);
}

BOOST_AUTO_TEST_CASE(a_configured_builder_id_and_no_journal) {
  Fixture f;
  // Both images FROM scratch: buildah's base annotations are there and empty (no base image).
  const Json scratch = {{"org.opencontainers.image.base.name", ""}, {"org.opencontainers.image.base.digest", ""}};
  f.amd64 = f.PutImage("amd64", f.amd64_created, scratch);
  f.arm64 = f.PutImage("arm64", f.arm64_created, scratch);
  f.settings.builder_id = "https://ci.example.org/runners/mirror@v1";
  mg::TaskOutcome out = f.Run(f.Merge());
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  const Json pred = f.Predicate(f.arm64);
  BOOST_TEST(pred["runDetails"]["builder"]["id"] == "https://ci.example.org/runners/mirror@v1");
  // No journal says when the builds ran: no times, and the predicate says they are unknown.
  BOOST_TEST(pred["runDetails"]["metadata"] == Json({{"invocationId", f.settings.run_id}}));
  BOOST_TEST(pred["buildDefinition"]["internalParameters"]["unknown"] == Json({"finishedOn", "startedOn"}));
  BOOST_TEST(pred["buildDefinition"]["resolvedDependencies"].size() == 2u);  // the source, the build-arg URL
}

BOOST_AUTO_TEST_CASE(base_images_from_annotations_the_merge_recorded_need_no_request) {
  Fixture f;
  Json merge = f.MergeResult();
  merge["manifests"][0]["annotations"] = {{"org.opencontainers.image.base.name", "docker.io/library/debian:12"},
                                          {"org.opencontainers.image.base.digest", "sha256:" + std::string(64, 'd')}};
  merge["manifests"][1]["annotations"] = {{"org.opencontainers.image.base.name", ""},
                                          {"org.opencontainers.image.base.digest", ""}};
  mg::TaskOutcome out = f.Run({{"merge:hello@1.0.0", merge}});
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_TEST(f.reg.count("GET", "/manifests/" + f.amd64) == 0);
  BOOST_TEST(f.reg.count("GET", "/manifests/" + f.arm64) == 0);
  const Json deps = f.Predicate(f.index)["buildDefinition"]["resolvedDependencies"];
  BOOST_TEST(deps.back() == Json({{"uri", "pkg:docker/docker.io/library/debian@12?platform=linux%2Famd64"},
                                  {"digest", {{"sha256", std::string(64, 'd')}}}}));
  BOOST_TEST(out.result["unknown"] == Json({"finishedOn", "startedOn"}));  // the base images are known
}

BOOST_AUTO_TEST_CASE(base_images_from_the_manifests_the_merge_task_recorded_need_no_request) {
  Fixture f;
  f.amd64 = f.PutImage("amd64", f.amd64_created,
                       {{"org.opencontainers.image.base.name", "docker.io/library/debian:12"},
                        {"org.opencontainers.image.base.digest", "sha256:" + std::string(64, 'd')}});
  f.arm64 = f.PutImage("arm64", f.arm64_created,
                       {{"org.opencontainers.image.base.name", ""}, {"org.opencontainers.image.base.digest", ""}});
  const Json merge = f.RealMergeResult();
  BOOST_REQUIRE(merge["manifests"][0].contains("manifest"));
  const int after_merge = f.PlatformReads();
  mg::TaskOutcome out = f.Run({{"merge:hello@1.0.0", merge}});
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_TEST(f.PlatformReads() == after_merge);  // no platform manifest read again
  const std::string index = merge["digest"];
  const Json deps = f.Predicate(index)["buildDefinition"]["resolvedDependencies"];
  BOOST_TEST(deps.back() == Json({{"uri", "pkg:docker/docker.io/library/debian@12?platform=linux%2Famd64"},
                                  {"digest", {{"sha256", std::string(64, 'd')}}}}));
  BOOST_TEST(mg::CanonicalJson(out.result["unknown"]).find("base images") == std::string::npos);

  // A merge result cached by an older version (nothing recorded): the manifests are read, and the
  // predicate is the same (nothing new attached).
  mg::TaskOutcome old = f.Run({{"merge:hello@1.0.0", f.WithoutRecordedManifests(merge)}});
  BOOST_REQUIRE_MESSAGE(old.status.ok(), old.status.ToString());
  BOOST_TEST(f.reg.count("GET", "/manifests/" + f.amd64) >= 2);  // the merge's and this one
  BOOST_TEST(f.PlatformReads() == after_merge + 2);              // both manifests, no config
  BOOST_TEST(old.result["added"] == 0);
  BOOST_TEST(old.result["subjects"][0]["predicate_sha256"] == out.result["subjects"][0]["predicate_sha256"]);
}

BOOST_AUTO_TEST_CASE(recipes_that_differ_by_platform_are_listed_per_platform) {
  Fixture f;
  Json merge = f.MergeResult();
  merge["manifests"][1]["build"]["recipe"]["build_args"]["VERSION"] = "1.0.0-arm";
  merge["manifests"][1]["build"]["builder"]["version"] = "1.29.0";
  mg::TaskOutcome out = f.Run({{"merge:hello@1.0.0", merge}});
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  const Json def = f.Predicate(f.index)["buildDefinition"];
  BOOST_TEST(!def["externalParameters"].contains("recipe"));
  BOOST_TEST(def["externalParameters"]["recipe_per_platform"]["linux/arm64"]["build_args"]["VERSION"] == "1.0.0-arm");
  BOOST_TEST(def["externalParameters"]["recipe_per_platform"]["linux/amd64"]["build_args"]["VERSION"] == "1.0.0");
  BOOST_TEST(def["internalParameters"]["builder_per_platform"]["linux/arm64"]["version"] == "1.29.0");
  BOOST_TEST(def["internalParameters"]["edits_applied"].is_array());  // equal: collapsed
}

BOOST_AUTO_TEST_CASE(without_a_merge_result_the_index_annotations_are_used_and_the_rest_is_unknown) {
  Fixture f;
  mg::TaskOutcome out = f.Run(Json::object());
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_TEST(out.result["added"] == 3);
  BOOST_TEST(out.result["source"] == Json({{"url", "https://git.example.org/hello.git"}, {"commit", kAttestCommit}}));
  const Json pred = f.Predicate(f.amd64);
  const Json& def = pred["buildDefinition"];
  BOOST_TEST(def["externalParameters"]["source"] == Json({{"url", "https://git.example.org/hello.git"}, {"ref", "v1.0.0"}}));
  BOOST_TEST(def["externalParameters"]["platforms"] == Json({"linux/amd64", "linux/arm64"}));
  BOOST_TEST(!def["externalParameters"].contains("recipe"));
  BOOST_TEST(def["resolvedDependencies"] ==
             Json::array({{{"uri", "git+https://git.example.org/hello.git@refs/tags/v1.0.0"}, {"digest", {{"gitCommit", kAttestCommit}}}}}));
  const Json& internal = def["internalParameters"];
  BOOST_TEST(!internal.contains("builder"));
  BOOST_TEST(!internal.contains("engine"));
  BOOST_TEST(internal["unknown"] == Json({"base images", "builder", "edits applied", "engine", "finishedOn", "plugin",
                                          "recipe", "startedOn"}));
  BOOST_TEST(internal["reconstructed_from"]["index_annotations"]["org.opencontainers.image.revision"] == kAttestCommit);
  BOOST_TEST(pred["runDetails"]["metadata"] == Json({{"invocationId", f.settings.run_id}}));
  BOOST_TEST(!pred["runDetails"]["builder"].contains("version"));
}

BOOST_AUTO_TEST_CASE(an_index_without_annotations_claims_no_source) {
  Fixture f;
  Json idx = mg::ParseJson(f.reg.ManifestBytes(kAttestRepo, f.index));
  idx.erase("annotations");
  const std::string bare = f.reg.PutManifest(kAttestRepo, "1.0.0", mg::kMediaTypeOciIndex, idx.dump());
  mg::TaskOutcome out = f.Run(Json::object());
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_TEST(out.result["index"] == bare);
  BOOST_TEST(!out.result.contains("source"));
  const Json def = f.Predicate(bare)["buildDefinition"];
  BOOST_TEST(!def.contains("resolvedDependencies"));
  BOOST_TEST(!def["externalParameters"].contains("source"));
  const Json unknown = def["internalParameters"]["unknown"];
  BOOST_TEST((std::find(unknown.begin(), unknown.end(), Json("source")) != unknown.end()), unknown.dump());
}

BOOST_AUTO_TEST_CASE(a_cached_result_is_reused_while_the_provenance_is_there) {
  Fixture f;
  mg::TaskOutcome first = f.Run(f.Merge());
  BOOST_REQUIRE(first.status.ok());
  const int puts = f.reg.count("PUT", "/manifests/");
  mg::TaskOutcome rechecked = f.Run(Json::object(), &first.result);
  BOOST_REQUIRE_MESSAGE(rechecked.status.ok(), rechecked.status.ToString());
  BOOST_TEST(rechecked.reused);
  BOOST_TEST(rechecked.note.find("re-checked the provenance of 3 manifest(s)") != std::string::npos, rechecked.note);
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == puts);

  f.reg.PutManifest(kAttestRepo, mg::CosignTag(f.index, ".att"), mg::kMediaTypeOciManifest,
                    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]})");
  mg::TaskOutcome redone = f.Run(f.Merge(), &first.result);
  BOOST_REQUIRE_MESSAGE(redone.status.ok(), redone.status.ToString());
  BOOST_TEST(!redone.reused);
  BOOST_TEST(redone.result["added"] == 1);
  BOOST_TEST(f.Logged("the provenance of " + f.index + " (index) is gone from the registry"));
  BOOST_TEST(f.AttLayers(f.index) == 1u);
}

BOOST_AUTO_TEST_CASE(a_lost_provenance_is_restored_from_the_cached_predicate_when_the_merge_was_unneeded) {
  Fixture f;
  mg::testing::TempDir state;
  f.settings.state_dir = state.path();
  WriteJournal(state.path(), "20240506T070000Z-1",
               {{"build:hello@1.0.0/linux/amd64", "ran", 1714979289123, 1714979300000},
                {"build:hello@1.0.0/linux/arm64", "ran", 1714979289500, 1714979349000}});
  mg::TaskOutcome first = f.Run(f.Merge());
  BOOST_REQUIRE(first.status.ok());
  const Json built = f.Predicate(f.index);
  BOOST_TEST(first.result["predicate"] == built);
  f.LoseAttestations(f.arm64);
  // A later run: the image is complete (no merge result); the cached predicate, not a reconstruction.
  mg::TaskOutcome redone = f.Run(Json::object(), &first.result);
  BOOST_REQUIRE_MESSAGE(redone.status.ok(), redone.status.ToString());
  BOOST_TEST(!redone.reused);
  BOOST_TEST(redone.result["added"] == 1);
  BOOST_TEST(f.Predicate(f.arm64) == built);
  BOOST_TEST(redone.result["predicate"] == built);
  BOOST_TEST(f.Logged("re-attaching the provenance recorded when " + f.index + " was built"));

  // A new builder id: not reused; the same facts under the new id, on every manifest.
  f.settings.builder_id = "https://ci.example.org/runner@v2";
  mg::TaskOutcome renamed = f.Run(Json::object(), &redone.result);
  BOOST_REQUIRE_MESSAGE(renamed.status.ok(), renamed.status.ToString());
  BOOST_TEST(!renamed.reused);
  BOOST_TEST(renamed.result["added"] == 3);
  BOOST_TEST(f.Logged("the builder id changed to https://ci.example.org/runner@v2"));
  Json want = built;
  want["runDetails"]["builder"]["id"] = "https://ci.example.org/runner@v2";
  BOOST_TEST(renamed.result["predicate"] == want);
  BOOST_TEST(f.AttLayers(f.amd64) == 2u);
}

// A provenance result from the remote cache tier whose re-check fails is never signed as it is:
// whoever can push to the cache repository chooses its predicate.
BOOST_AUTO_TEST_CASE(a_predicate_from_the_remote_cache_is_never_re_signed) {
  Fixture f;
  mg::testing::TempDir state;
  const mg::TaskOutcome first = f.FirstRun(state);
  const Json built = f.Predicate(f.index);
  // The forger's entry: this index and subjects, a predicate of its choosing.
  Json forged = first.result;
  forged["predicate"]["buildDefinition"]["externalParameters"]["source"] = "https://evil.example/forged.git";
  forged["predicate"]["buildDefinition"]["resolvedDependencies"] = Json::array();
  f.LoseAttestations(f.arm64);
  // The image is complete (no merge result), the re-check fails (arm64's provenance is gone).
  mg::TaskOutcome redone = f.Run(Json::object(), &forged, nullptr, /*cached_remote=*/true);
  BOOST_REQUIRE_MESSAGE(redone.status.ok(), redone.status.ToString());
  BOOST_TEST(!redone.reused);
  BOOST_TEST(f.Logged("not re-signing the predicate of the remote cache's provenance result: rebuilt from what this "
                      "machine knows"));
  BOOST_TEST(!f.Logged("re-attaching the provenance recorded when " + f.index + " was built"));
  // The provenance of ours still attached to the index (verified under the key) is what is signed.
  BOOST_TEST(redone.result["predicate"] == built);
  BOOST_TEST(f.Predicate(f.arm64) == built);
  BOOST_TEST(f.Predicate(f.arm64) != forged["predicate"]);

  // The same entry from this machine's own runs is reused as before (the previous test's path).
  Fixture g;
  Json local = g.FirstRun(state).result;
  local["predicate"]["buildDefinition"]["externalParameters"]["source"] = "https://example.org/recorded.git";
  g.LoseAttestations(g.arm64);
  mg::TaskOutcome kept = g.Run(Json::object(), &local);
  BOOST_REQUIRE_MESSAGE(kept.status.ok(), kept.status.ToString());
  BOOST_TEST(g.Predicate(g.arm64) == local["predicate"]);
}

// A cached provenance result of the wrong shape reads as absent, never throws.
BOOST_AUTO_TEST_CASE(a_cached_result_of_the_wrong_shape_is_not_reused) {
  Fixture f;
  mg::testing::TempDir state;
  const mg::TaskOutcome first = f.FirstRun(state);
  const Json built = f.Predicate(f.index);
  for (const Json& odd : {Json{{"runDetails", "x"}}, Json{{"runDetails", {{"builder", 7}}}}, Json("a string")}) {
    // arm64's provenance lost, so that the re-check fails and the cached predicate is considered.
    f.LoseAttestations(f.arm64);
    Json cached = first.result;
    cached["predicate"] = odd;
    cached["basis"] = 7;
    cached["source"] = "not an object";
    mg::TaskOutcome redone = f.Run(Json::object(), &cached);
    BOOST_REQUIRE_MESSAGE(redone.status.ok(), redone.status.ToString());
    BOOST_TEST(!redone.reused);
    BOOST_TEST(redone.result["predicate"] == built, odd.dump());
    BOOST_TEST(f.Predicate(f.arm64) == built, odd.dump());
  }
}

// Issue 9, finding 3: killed after the merge, the rerun finds the image complete (the merge is
// unneeded) — but the cache still holds the merge result and the journal the build times.
BOOST_AUTO_TEST_CASE(an_unneeded_merge_uses_the_recorded_merge_result_and_the_journal) {
  const Json clean = CleanPredicate();
  Fixture f;
  mg::testing::TempDir state;
  f.RecordBuildTimes(state.path());
  f.settings.run_id = "20240507T000000Z-2";  // the rerun
  const Json recorded = f.RecordedMerge();
  mg::TaskOutcome out = f.Run(Json::object(), nullptr, &recorded);
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_TEST(out.result.value("basis", "") == "recorded merge");
  BOOST_TEST(!out.result.contains("reconstructed"));
  BOOST_TEST(out.result["unknown"] == Json({"base images"}));  // the fake images name no base; nothing else
  // Exactly what the clean run attested: same facts, the building run's id and times.
  BOOST_TEST(out.result["predicate"] == clean);
  BOOST_TEST(f.Predicate(f.index) == clean);
  BOOST_TEST(f.Predicate(f.arm64) == clean);
  BOOST_TEST(!mg::FindReconstructed(f.Predicate(f.amd64)).has_value());
}

BOOST_AUTO_TEST_CASE(recorded_build_results_serve_when_no_merge_result_was_recorded) {
  const Json clean = CleanPredicate();
  Fixture f;
  mg::testing::TempDir state;
  f.RecordBuildTimes(state.path());
  const Json recorded = f.RecordedBuilds();
  mg::TaskOutcome out = f.Run(Json::object(), nullptr, &recorded);
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_TEST(out.result.value("basis", "") == "recorded builds");
  BOOST_TEST(out.result["predicate"] == clean);
}

BOOST_AUTO_TEST_CASE(with_nothing_recorded_the_predicate_is_reconstructed_and_marked) {
  Fixture f;
  mg::testing::TempDir state;
  f.settings.state_dir = state.path();
  const Json none = Json::object();
  mg::TaskOutcome out = f.Run(Json::object(), nullptr, &none);
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_TEST(out.result.value("basis", "") == "index annotations");
  const auto marker = mg::FindReconstructed(f.Predicate(f.index));
  BOOST_REQUIRE(marker.has_value());
  BOOST_TEST(marker->why.find("no run recorded in the state directory " + state.path()) != std::string::npos, marker->why);
  BOOST_TEST(marker->unknown == std::vector<std::string>({"base images", "builder", "edits applied", "engine",
                                                           "finishedOn", "plugin", "recipe", "startedOn"}));
  BOOST_TEST(out.result.value("reconstructed", "") == marker->why);
  BOOST_TEST(out.note.find("(reconstructed)") != std::string::npos, out.note);

  // A recorded merge of another index is no fact about this one: still reconstructed, and why.
  Json other = f.RecordedMerge();
  other["merge:hello@1.0.0"]["result"]["digest"] = "sha256:" + std::string(64, 'e');
  Fixture g;
  mg::TaskOutcome again = g.Run(Json::object(), nullptr, &other);
  BOOST_REQUIRE_MESSAGE(again.status.ok(), again.status.ToString());
  BOOST_TEST(again.result.value("reconstructed", "").find("made sha256:eeee") != std::string::npos, again.result.dump());
  // A recorded merge with other platform manifests is none either.
  Json fewer = f.RecordedMerge();
  fewer["merge:hello@1.0.0"]["result"]["manifests"].erase(1);
  Fixture h;
  mg::TaskOutcome third = h.Run(Json::object(), nullptr, &fewer);
  BOOST_REQUIRE_MESSAGE(third.status.ok(), third.status.ToString());
  BOOST_TEST(third.result.contains("reconstructed"));
}

BOOST_AUTO_TEST_CASE(a_cached_reconstructed_provenance_is_replaced_once_the_facts_are_known) {
  const Json clean = CleanPredicate();
  Fixture f;
  mg::testing::TempDir state;
  f.RecordBuildTimes(state.path());
  BOOST_REQUIRE(mg::RunSbomTask(f.Context(Json::object(), nullptr), f.client, f.settings).status.ok());
  const Json none = Json::object();
  mg::TaskOutcome weak = f.Run(Json::object(), nullptr, &none);
  BOOST_REQUIRE_MESSAGE(weak.status.ok(), weak.status.ToString());
  BOOST_REQUIRE(weak.result.contains("reconstructed"));

  // Still nothing recorded: the reconstructed one is re-checked and kept (no churn).
  mg::TaskOutcome kept = f.Run(Json::object(), &weak.result, &none);
  BOOST_REQUIRE_MESSAGE(kept.status.ok(), kept.status.ToString());
  BOOST_TEST(kept.reused);
  BOOST_TEST(kept.note.find("reconstructed") != std::string::npos, kept.note);

  // The facts appear (the state directory that built it): the cache hit is not reused; the full
  // predicate takes the reconstructed one's place on every manifest; the SBOM stays.
  const Json recorded = f.RecordedMerge();
  mg::TaskOutcome better = f.Run(Json::object(), &weak.result, &recorded);
  BOOST_REQUIRE_MESSAGE(better.status.ok(), better.status.ToString());
  BOOST_TEST(!better.reused);
  BOOST_TEST(better.result["predicate"] == clean);
  BOOST_TEST(!better.result.contains("reconstructed"));
  BOOST_TEST(better.result.value("replaced", "") == weak.result.value("reconstructed", "?"));
  BOOST_TEST(f.Logged("attaching the provenance again: it was reconstructed from the index annotations, and the "
                      "recorded merge of " + f.index + " is known now"));
  for (const std::string& d : {f.index, f.amd64, f.arm64}) {
    BOOST_TEST(ProvenanceLayers(f, d) == 1u, d);
    BOOST_TEST(f.Predicate(d) == clean, d);
    BOOST_TEST(f.Statements(d, mg::kSpdxPredicateType).size() == 1u, d);
  }

  // What explain says, before and after.
  const Json merge = f.MergeResult();
  std::vector<std::string> lines = mg::ExplainProvenanceResult(weak.result, nullptr);
  BOOST_REQUIRE(lines.size() == 3u);
  BOOST_TEST(lines[0] == "provenance: RECONSTRUCTED from the index annotations of " + f.index + ": " +
                             weak.result.value("reconstructed", ""));
  BOOST_TEST(lines[1] == "it does not say: base images, builder, edits applied, engine, finishedOn, plugin, recipe, startedOn");
  BOOST_TEST(lines[2].find("a run with the state directory that built") == 0u, lines[2]);
  lines = mg::ExplainProvenanceResult(weak.result, &merge);
  BOOST_TEST(lines.back() == "the merge result of " + f.index + " is recorded now: the next run replaces it with the full provenance");
  lines = mg::ExplainProvenanceResult(better.result, &merge);
  BOOST_REQUIRE(lines.size() == 3u);
  BOOST_TEST(lines[0] == "provenance: from the recorded merge of " + f.index);
  BOOST_TEST(lines[1] == "unknown: base images");
  BOOST_TEST(lines[2] == "it replaced a reconstructed provenance (" + weak.result.value("reconstructed", "") + ")");

  // And then it is reused as any full one.
  mg::TaskOutcome settled = f.Run(Json::object(), &better.result, &recorded);
  BOOST_REQUIRE_MESSAGE(settled.status.ok(), settled.status.ToString());
  BOOST_TEST(settled.reused);
}

BOOST_AUTO_TEST_CASE(a_reconstructed_layer_left_in_the_registry_is_removed_by_the_full_one) {
  const Json clean = CleanPredicate();
  Fixture f;
  mg::testing::TempDir state;
  f.RecordBuildTimes(state.path());
  // A full provenance is attached (say, by a run whose cache entry was lost) and a reconstructed
  // one next to it (an older mirrorgraph's rerun).
  BOOST_REQUIRE(f.Run(f.Merge()).status.ok());
  Fixture other;  // the same images elsewhere: its reconstructed predicate
  const Json none = Json::object();
  mg::TaskOutcome weak = other.Run(Json::object(), nullptr, &none);
  BOOST_REQUIRE_MESSAGE(weak.status.ok(), weak.status.ToString());
  BOOST_REQUIRE(weak.result.contains("reconstructed"));
  auto signer = mg::AttestSigner(f.settings);
  BOOST_REQUIRE(signer.ok());
  for (const std::string& d : {f.index, f.amd64, f.arm64}) {
    auto attached = mg::AttachAttestation(f.client, kAttestRepo, d, std::string(mg::kSlsaProvenanceV1PredicateType),
                                          weak.result["predicate"], **signer);
    BOOST_REQUIRE(attached.ok() && *attached);
  }
  BOOST_REQUIRE(ProvenanceLayers(f, f.arm64) == 2u);

  // A run that knows the facts, with no cache entry: the full one is there already; the
  // reconstructed one goes.
  const Json recorded = f.RecordedMerge();
  mg::TaskOutcome out = f.Run(Json::object(), nullptr, &recorded);
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_TEST(out.result.value("replaced", "") == "a reconstructed provenance found in the registry");
  for (const std::string& d : {f.index, f.amd64, f.arm64}) {
    BOOST_TEST(ProvenanceLayers(f, d) == 1u, d);
    BOOST_TEST(f.Predicate(d) == clean, d);
  }
  // Nothing left to replace: nothing written.
  const int puts = f.reg.count("PUT", "/manifests/");
  mg::TaskOutcome again = f.Run(Json::object(), nullptr, &recorded);
  BOOST_REQUIRE(again.status.ok());
  BOOST_TEST(again.result["added"] == 0);
  BOOST_TEST(!again.result.contains("replaced"));
  BOOST_TEST(f.reg.count("PUT", "/manifests/") == puts);
}

// A new state directory (a fresh CI runner) knows nothing, but the registry holds our provenance.
BOOST_AUTO_TEST_CASE(an_attached_provenance_is_kept_when_nothing_is_recorded) {
  const Json clean = CleanPredicate();
  Fixture f;
  mg::testing::TempDir state;
  f.RecordBuildTimes(state.path());
  BOOST_REQUIRE(f.Run(f.Merge()).status.ok());
  const Json none = Json::object();
  f.settings.run_id = "20240509T000000Z-4";
  mg::TaskOutcome out = f.Run(Json::object(), nullptr, &none);
  BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
  BOOST_TEST(out.result.value("basis", "") == "attached provenance");
  BOOST_TEST(out.result["added"] == 0);
  BOOST_TEST(!out.result.contains("reconstructed"));
  BOOST_TEST(out.result["unknown"] == Json({"base images"}));
  for (const std::string& d : {f.index, f.amd64, f.arm64}) BOOST_TEST(ProvenanceLayers(f, d) == 1u, d);
  BOOST_TEST(f.Predicate(f.index) == clean);
}

// Nothing recorded anywhere, run after run: one reconstructed provenance, not one more per run.
BOOST_AUTO_TEST_CASE(a_reconstructed_provenance_is_not_piled_up_run_after_run) {
  Fixture f;
  const Json none = Json::object();
  mg::TaskOutcome first = f.Run(Json::object(), nullptr, &none);
  BOOST_REQUIRE_MESSAGE(first.status.ok(), first.status.ToString());
  BOOST_REQUIRE(first.result.contains("reconstructed"));
  f.settings.run_id = "20240510T000000Z-5";
  mg::TaskOutcome second = f.Run(Json::object(), nullptr, &none);
  BOOST_REQUIRE_MESSAGE(second.status.ok(), second.status.ToString());
  BOOST_TEST(second.result["added"] == 0);
  BOOST_TEST(second.result["predicate"] == first.result["predicate"]);
  BOOST_TEST(second.result.value("reconstructed", "") == first.result.value("reconstructed", "?"));
  for (const std::string& d : {f.index, f.amd64, f.arm64}) BOOST_TEST(ProvenanceLayers(f, d) == 1u, d);
}

BOOST_AUTO_TEST_CASE(sbom_and_provenance_share_the_att_manifest) {
  Fixture f;
  BOOST_REQUIRE(f.Run(f.Merge()).status.ok());
  BOOST_REQUIRE(mg::RunSbomTask(f.Context(f.Merge(), nullptr), f.client, f.settings).status.ok());
  for (const std::string& d : {f.index, f.amd64, f.arm64}) {
    BOOST_TEST(f.AttLayers(d) == 2u);
    BOOST_TEST(f.Statements(d, mg::kSpdxPredicateType).size() == 1u);
    BOOST_TEST(f.Statements(d, mg::kSlsaProvenanceV1PredicateType).size() == 1u);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
