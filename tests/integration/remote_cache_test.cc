// The remote cache tier ([cache] remote, docs/cache.md) against a real docker-registry, through
// `mirrorgraph run` and `plan`: a second machine (a fresh state directory) reuses what the first
// one built; damaged and forged entries are misses with a warning and are written again; an
// unreachable remote is a warning; two writers of one key are harmless.
#include <boost/test/unit_test.hpp>

#include <mutex>
#include <set>
#include <thread>

#include "cli_fixture.h"
#include "metrics_fixture.h"
#include "exec/remote_entry.h"
#include "exec/task_key.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/media_types.h"
#include "oci/push.h"
#include "oci/registry_client.h"
#include "oci/tag.h"
#include "remote/cache_artifact.h"
#include "remote/oci_remote_cache.h"
#include "util/sha256.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::TaskStatusOf;
using mg::testing::TaskReasonOf;
using mg::testing::TestRegistry;

namespace {

const std::map<std::string, std::string> kFiles = {
    {"Dockerfile", "FROM scratch\nARG VERSION=unknown\nCOPY hello.txt /hello.txt\n"},
    {"hello.txt", "hello @TAG@\n"}};
const char kNoAttestations[] = "\n[attestations]\nsign = false\nsbom = false\nprovenance = false\n";
const std::vector<std::string> kBuilds = {"build:hello@1.0.0/linux/amd64", "build:hello@1.0.0/linux/arm64"};

// One namespace in the shared registry per test case: the image in <ns>/hello, the cache in
// <ns>/cache.
struct Setup {
  TestRegistry& reg = mg::testing::SharedPlainRegistry();
  std::string ns;
  CliWorkspace upstream_ws;  // holds the upstream every workspace's config points at
  std::string url;
  mg::CurlTransport transport;
  mg::HttpClient http{transport};
  mg::RegistryClient client{http, reg.host(), true, std::nullopt};
  mg::OciRemoteCache cache{client, ns + "/cache"};

  explicit Setup(std::string name) : ns(std::move(name)) {
    auto u = upstream_ws.MakeUpstream("hello", {"v1.0.0"}, kFiles);
    BOOST_REQUIRE_MESSAGE(u.ok(), u.status().ToString());
    url = *u;
  }

  // A workspace (a fresh state directory) whose config uses the remote `remote`.
  std::unique_ptr<CliWorkspace> Workspace(const std::string& remote = "") {
    auto ws = std::make_unique<CliWorkspace>();
    ws->WriteConfig({.registry_host = reg.host(), .ns = ns, .max_versions = 1,
                     .apps = {{.name = "hello", .url = url}},
                     .extra = std::string(kNoAttestations) + "\n[cache]\nremote = " +
                              mg::testing::TomlString(remote.empty() ? Remote() : remote) + "\n"});
    return ws;
  }
  std::string Remote() const { return "oci://" + reg.host() + "/" + ns + "/cache"; }

  // Points the version tag at one platform's manifest: the probe then finds the image incomplete,
  // so a fresh state directory needs every build and the merge again.
  void BreakVersionTag() {
    auto index = client.GetManifest(ns + "/hello", "1.0.0");
    BOOST_REQUIRE_MESSAGE(index.ok(), index.status().ToString());
    const std::string one = mg::StringField(mg::ArrayField(index->json, "manifests")[0], "digest");
    auto tagged = mg::TagManifest(client, ns + "/hello", one, "1.0.0");
    BOOST_REQUIRE_MESSAGE(tagged.ok(), tagged.status().ToString());
  }
};

Json RunJson(CliWorkspace& ws, const std::vector<std::string>& args, const std::string& report, int want = 0,
             std::string* err = nullptr) {
  std::vector<std::string> a = args;
  a.push_back("--json");
  a.push_back(report);
  auto r = ws.Run(a);
  BOOST_TEST_REQUIRE(r.exit_code == want, r.Describe());
  if (err != nullptr) *err = r.err;
  return ws.ReadJson(report);
}

std::map<std::string, int> Statuses(const Json& report) {
  std::map<std::string, int> out;
  for (const Json& t : report["tasks"]) out[t["status"].get<std::string>()]++;
  return out;
}

std::string KeyOf(const Json& report, const std::string& id) {
  const Json* t = mg::testing::FindTask(report, id);
  return t != nullptr ? mg::StringField(*t, "key") : "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(remote_cache_test)

BOOST_AUTO_TEST_CASE(a_second_state_directory_reuses_what_the_first_built) {
  Setup s("remotecache-reuse");
  auto a = s.Workspace();
  Json ra = RunJson(*a, {"run", "--metrics", "a.prom"}, "a.json");
  for (const std::string& id : kBuilds) BOOST_TEST(TaskStatusOf(ra, id) == "ran", id);
  // Its metrics (docs/metrics.md): the builds' blobs and manifests went up, the app published.
  const std::string atext = mg::testing::ReadFile(a->dir() / "a.prom");
  auto am = mg::testing::ParseMetricsText(atext);
  BOOST_TEST(am["mirrorgraph_pushed_bytes_total{role=\"registry\"}"] > 1000, atext);
  BOOST_TEST(am["mirrorgraph_tasks_total{status=\"ran\",type=\"build\"}"] == 2, atext);
  BOOST_TEST(am["mirrorgraph_app_last_publish_timestamp_seconds{app=\"hello\"}"] > 1.7e9, atext);
  BOOST_TEST(am.count("mirrorgraph_cache_hits_total{tier=\"remote\"}") == 0u, atext);
  BOOST_TEST(TaskStatusOf(ra, "merge:hello@1.0.0") == "ran");
  BOOST_TEST(ra["remote_cache"]["misses"] == 3);
  BOOST_TEST(ra["remote_cache"]["writes"] == 3);  // written before the process exited
  BOOST_TEST(ra["remote_cache"]["write_failures"] == 0);
  for (const std::string& id : kBuilds) {
    mg::RemoteLookup l = s.cache.Get(KeyOf(ra, id), id, nullptr);
    BOOST_TEST((l.kind == mg::RemoteLookup::Kind::kHit), id + ": " + l.warning);
  }
  // The artifact as docs/cache.md describes it.
  auto m = s.client.GetManifest(s.ns + "/cache", mg::CacheTag(KeyOf(ra, kBuilds[0])));
  BOOST_REQUIRE_MESSAGE(m.ok(), m.status().ToString());
  BOOST_TEST(m->media_type == mg::kMediaTypeOciManifest);
  BOOST_TEST(mg::StringField(m->json, "artifactType") == mg::kCacheArtifactType);
  BOOST_TEST(mg::StringField(mg::ObjectField(m->json, "annotations"), "dev.mirrorgraph.cache.task") == kBuilds[0]);

  // A plan from a fresh state directory trusts the remote: nothing would run.
  s.BreakVersionTag();
  auto p = s.Workspace();
  Json rp = RunJson(*p, {"plan"}, "p.json");
  std::map<std::string, int> ps = Statuses(rp);
  BOOST_TEST(ps["would-run"] == 0, rp.dump());
  BOOST_TEST(ps["cached"] == 3);
  for (const std::string& id : kBuilds) BOOST_TEST(mg::testing::FindTask(rp, id)->value("cache_tier", "") == "remote");
  BOOST_TEST(!std::filesystem::exists(p->state_dir() / "cache.log"));

  // Machine B: a fresh state directory, the same remote. The probe finds the image incomplete
  // (the tag was moved), so every build and the merge is needed: each is a remote hit, re-checked
  // against the registry. Only the observations run, and the merge, whose re-check re-tags the
  // version (the moved tag is this test's doing); no build runs.
  auto b = s.Workspace();
  std::string err;
  Json rb = RunJson(*b, {"run", "--metrics", "b.prom"}, "b.json", 0, &err);
  std::map<std::string, int> st = Statuses(rb);
  BOOST_TEST(st["cached"] == 2, rb.dump());
  BOOST_TEST(st["ran"] == 3, rb.dump());  // discover, probe, and the merge's re-tag
  BOOST_TEST(TaskStatusOf(rb, "discover:hello") == "ran");
  BOOST_TEST(TaskStatusOf(rb, "probe:hello@1.0.0") == "ran");
  for (const std::string& id : kBuilds) {
    BOOST_TEST(TaskStatusOf(rb, id) == "cached", id);
    BOOST_TEST(mg::testing::FindTask(rb, id)->value("cache_tier", "") == "remote", id);
    BOOST_TEST(TaskReasonOf(rb, id).find("remote cache hit (key " + KeyOf(rb, id).substr(0, 12)) == 0, TaskReasonOf(rb, id));
  }
  BOOST_TEST(TaskReasonOf(rb, "merge:hello@1.0.0").find("remote cache hit redone: re-tagged") == 0,
             TaskReasonOf(rb, "merge:hello@1.0.0"));
  BOOST_TEST(rb["remote_cache"]["hits"] == 3);
  BOOST_TEST(rb["remote_cache"]["reused"] == 2);
  BOOST_TEST(rb["remote_cache"]["rejected"] == 0);
  BOOST_TEST(err.find("from the remote cache") != std::string::npos, err);
  const std::string btext = mg::testing::ReadFile(b->dir() / "b.prom");
  BOOST_TEST(mg::testing::ParseMetricsText(btext)["mirrorgraph_cache_hits_total{tier=\"remote\"}"] == 2, btext);
  // The hits were copied into B's first tier: its next run (the image complete again) finds the
  // builds unneeded, and with the tag moved once more, local hits.
  s.BreakVersionTag();
  Json rb2 = RunJson(*b, {"run", "--metrics", "b.prom"}, "b2.json");
  for (const std::string& id : kBuilds) BOOST_TEST(mg::testing::FindTask(rb2, id)->value("cache_tier", "") == "local", id);
  // The counters add up over B's two runs: the earlier remote hits stay, the local ones join.
  const std::string b2text = mg::testing::ReadFile(b->dir() / "b.prom");
  auto b2m = mg::testing::ParseMetricsText(b2text);
  BOOST_TEST(b2m["mirrorgraph_cache_hits_total{tier=\"remote\"}"] == 2, b2text);
  BOOST_TEST(b2m["mirrorgraph_cache_hits_total{tier=\"local\"}"] >= 2, b2text);
  BOOST_TEST(b2m["mirrorgraph_runs_total{result=\"success\"}"] == 2, b2text);
  BOOST_TEST(rb2["remote_cache"]["lookups"] == 0);
}

BOOST_AUTO_TEST_CASE(damaged_and_forged_entries_are_misses_that_run_and_are_written_again) {
  Setup s("remotecache-forged");
  auto a = s.Workspace();
  Json ra = RunJson(*a, {"run"}, "a.json");
  const std::string amd64 = KeyOf(ra, kBuilds[0]), arm64 = KeyOf(ra, kBuilds[1]);
  const std::string repo = s.ns + "/cache";
  // amd64: its tag overwritten with an artifact whose layer is garbage.
  {
    const std::string garbage = "{not json";
    const std::string d = mg::Sha256Digest(garbage);
    BOOST_REQUIRE(mg::PushBlob(s.client, repo, d, garbage).ok());
    auto good = s.client.GetManifest(repo, mg::CacheTag(amd64));
    BOOST_REQUIRE(good.ok());
    Json m = good->json;
    m["layers"][0]["digest"] = d;
    m["layers"][0]["size"] = garbage.size();
    BOOST_REQUIRE(mg::PutManifest(s.client, repo, mg::CacheTag(amd64), m.dump(), mg::kMediaTypeOciManifest).ok());
  }
  // arm64: its tag now holds amd64's genuine artifact (a valid entry of another key): forged.
  {
    auto merge = s.client.GetManifest(repo, mg::CacheTag(KeyOf(ra, "merge:hello@1.0.0")));
    BOOST_REQUIRE(merge.ok());
    BOOST_REQUIRE(mg::PutManifest(s.client, repo, mg::CacheTag(arm64), merge->bytes, mg::kMediaTypeOciManifest).ok());
  }
  s.BreakVersionTag();
  auto b = s.Workspace();
  std::string err;
  Json rb = RunJson(*b, {"run"}, "b.json", 0, &err);
  for (const std::string& id : kBuilds) BOOST_TEST(TaskStatusOf(rb, id) == "ran", id);
  BOOST_TEST(rb["remote_cache"]["rejected"] == 2);
  std::map<std::string, std::string> why;
  for (const Json& w : rb["remote_cache"]["warnings"]["rejected"]) why[mg::StringField(w, "id")] = mg::StringField(w, "reason");
  BOOST_TEST(why[kBuilds[0]].find(mg::CacheTag(amd64)) != std::string::npos, why[kBuilds[0]]);
  BOOST_TEST(why[kBuilds[0]].find("damaged") != std::string::npos, why[kBuilds[0]]);
  BOOST_TEST(why[kBuilds[1]].find(mg::CacheTag(arm64)) != std::string::npos, why[kBuilds[1]]);
  BOOST_TEST(why[kBuilds[1]].find("key mismatch") != std::string::npos, why[kBuilds[1]]);
  BOOST_TEST(err.find("warning: remote cache: rejected the entry of " + kBuilds[1]) != std::string::npos, err);
  // Rewritten: both tags hold usable entries again.
  for (const std::string& id : kBuilds) {
    mg::RemoteLookup l = s.cache.Get(KeyOf(rb, id), id, nullptr);
    BOOST_TEST((l.kind == mg::RemoteLookup::Kind::kHit), id + ": " + l.warning);
  }
}

// A forged entry that passes the key check (someone with push rights to the cache repository
// wrote the merge's key with another result): the merge's re-check finds that the named manifest
// does not list this version's builds and merges again, instead of tagging the version with it.
BOOST_AUTO_TEST_CASE(a_forged_merge_result_with_a_valid_key_is_redone_not_tagged) {
  Setup s("remotecache-forged-merge");
  auto a = s.Workspace();
  Json ra = RunJson(*a, {"run"}, "a.json");
  const std::string merge_key = KeyOf(ra, "merge:hello@1.0.0");
  mg::RemoteLookup genuine = s.cache.Get(merge_key, "merge:hello@1.0.0", nullptr);
  BOOST_REQUIRE((genuine.kind == mg::RemoteLookup::Kind::kHit));
  Json entry = mg::ParseJson(genuine.entry_text);
  auto index = s.client.GetManifest(s.ns + "/hello", "1.0.0");
  BOOST_REQUIRE(index.ok());
  const std::string genuine_index = index->digest;
  const std::string amd64 = mg::StringField(mg::ArrayField(index->json, "manifests")[0], "digest");
  entry["result"]["digest"] = amd64;  // a manifest that exists in the repository: not this index
  BOOST_REQUIRE(s.cache.Put(merge_key, "merge:hello@1.0.0", mg::CanonicalJson(entry)).ok());
  BOOST_REQUIRE((s.cache.Get(merge_key, "merge:hello@1.0.0", nullptr).kind == mg::RemoteLookup::Kind::kHit));

  s.BreakVersionTag();
  auto b = s.Workspace();
  Json rb = RunJson(*b, {"run"}, "b.json");
  for (const std::string& id : kBuilds) BOOST_TEST(TaskStatusOf(rb, id) == "cached", id);
  BOOST_TEST(TaskStatusOf(rb, "merge:hello@1.0.0") == "ran");
  BOOST_TEST(TaskReasonOf(rb, "merge:hello@1.0.0").find("remote cache hit redone") == 0,
             TaskReasonOf(rb, "merge:hello@1.0.0"));
  auto after = s.client.GetManifest(s.ns + "/hello", "1.0.0");
  BOOST_REQUIRE(after.ok());
  BOOST_TEST(after->digest == genuine_index);  // merged again from the builds: the same index
  BOOST_TEST(after->digest != amd64);
}

BOOST_AUTO_TEST_CASE(an_unreachable_remote_is_a_warning_and_the_run_succeeds) {
  Setup s("remotecache-down");
  // A port nothing listens on: bound, then closed.
  int port = 0;
  {
    auto closed = TestRegistry::Start();
    BOOST_REQUIRE(closed.ok());
    port = (*closed)->port();
  }
  auto ws = s.Workspace("oci://127.0.0.1:" + std::to_string(port) + "/x/cache");
  std::string err;
  Json r = RunJson(*ws, {"run"}, "r.json", 0, &err);
  for (const std::string& id : kBuilds) BOOST_TEST(TaskStatusOf(r, id) == "ran", id);
  BOOST_TEST(TaskStatusOf(r, "merge:hello@1.0.0") == "ran");
  BOOST_TEST(r["remote_cache"]["errors"] == 3);
  BOOST_TEST(r["remote_cache"]["write_failures"] == 3);
  BOOST_TEST(err.find("warning: remote cache: could not look up") != std::string::npos, err);
  BOOST_TEST(err.find("warning: remote cache: could not write the entry of") != std::string::npos, err);
  BOOST_TEST(err.find("127.0.0.1:" + std::to_string(port)) != std::string::npos, err);
}

BOOST_AUTO_TEST_CASE(two_writers_of_one_key_are_harmless) {
  Setup s("remotecache-race");
  Json entry{{"v", 1}, {"type", "build"}, {"params", {{"n", 1}}}, {"identity", {{"engine", "race"}}},
             {"inputs", Json::object()}, {"result", {{"digest", "sha256:" + std::string(64, 'b')}}}};
  Json material = entry;
  material.erase("result");
  const std::string key = mg::TaskKey(material);
  const std::string id = "build:race@1/linux/amd64";
  // Two clients (two machines), 15 rounds each, every write a valid entry with its own timings.
  mg::CurlTransport t2;
  mg::HttpClient h2{t2};
  mg::RegistryClient c2{h2, s.reg.host(), true, std::nullopt};
  mg::OciRemoteCache other{c2, s.ns + "/cache"};
  std::atomic<int> failures{0};
  std::set<std::string> written;
  std::mutex mu;
  auto writer = [&](mg::OciRemoteCache& cache, int who) {
    for (int round = 0; round < 15; ++round) {
      Json e = entry;
      e["finished_at"] = who * 1000 + round;
      e["duration_ms"] = round;
      const std::string text = mg::CanonicalJson(e);
      {
        std::lock_guard<std::mutex> l(mu);
        written.insert(text);
      }
      if (!cache.Put(key, id, text).ok()) failures++;
    }
  };
  std::thread w1(writer, std::ref(s.cache), 1), w2(writer, std::ref(other), 2);
  w1.join();
  w2.join();
  BOOST_TEST(failures == 0);
  mg::RemoteLookup l = s.cache.Get(key, id, nullptr);
  BOOST_REQUIRE_MESSAGE((l.kind == mg::RemoteLookup::Kind::kHit), l.warning);
  BOOST_TEST(written.count(l.entry_text) == 1u);  // one of the writes, whole
  BOOST_TEST(mg::ParseJson(l.entry_text)["result"] == entry["result"]);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
