// `mirrorgraph prune` (issue 12, retention) against the real docker-registry: four versions
// mirrored for linux/amd64 + linux/arm64 by the real buildah (COPY-only Dockerfile), signed, with
// SBOM and provenance; then the window shrinks to the newest version with [prune] keep = 1. The
// dry run deletes nothing; --apply deletes exactly the doomed tag's index, platform manifests and
// what is attached to them, keeps the window, the kept version, latest and every other tag (one
// of which names a doomed index, which is therefore skipped), and the kept images still verify;
// a second --apply has nothing left to do. A registry that refuses deletes, and an app whose
// discover fails, are clear failures (exit 1) that delete nothing.
#include <boost/test/unit_test.hpp>

#include <set>

#include "cli_fixture.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/reference.h"
#include "oci/registry_admin.h"
#include "oci/registry_client.h"
#include "oci/tag.h"
#include "sign/keys.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::TestRegistry;

namespace {

constexpr char kPassphrase[] = "prune-pass";

// A registry client for `reg` (plain http, no credentials).
struct Direct {
  explicit Direct(const std::string& host) : client(http, host, true, std::nullopt) {}
  mg::CurlTransport transport;
  mg::HttpClient http{transport};
  mg::RegistryClient client;

  std::set<std::string> Tags(const std::string& repo) {
    auto tags = mg::ListTags(client, repo);
    BOOST_REQUIRE_MESSAGE(tags.ok(), tags.status().ToString());
    return {tags->begin(), tags->end()};
  }
  std::string DigestOf(const std::string& repo, const std::string& tag) {
    auto m = client.GetManifest(repo, tag);
    BOOST_REQUIRE_MESSAGE(m.ok(), tag << ": " << m.status().ToString());
    return m->digest;
  }
  std::vector<std::string> Children(const std::string& repo, const std::string& tag) {
    auto m = client.GetManifest(repo, tag);
    BOOST_REQUIRE(m.ok());
    std::vector<std::string> out;
    for (const Json& e : m->json["manifests"]) out.push_back(e["digest"].get<std::string>());
    return out;
  }
  bool Exists(const std::string& repo, const std::string& digest) {
    auto h = client.HeadManifest(repo, digest);
    BOOST_REQUIRE(h.ok());
    return h->exists;
  }
};

std::string Upstream(CliWorkspace& ws, const std::vector<std::string>& tags) {
  auto url = ws.MakeUpstream("hello", tags,
                             {{"Dockerfile", "FROM scratch\nCOPY hello.txt /hello.txt\n"}, {"hello.txt", "hello @TAG@\n"}});
  BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
  return *url;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_prune_test)

BOOST_AUTO_TEST_CASE(prune_lists_then_deletes_exactly_the_versions_beyond_the_window_and_keep) {
  TestRegistry& reg = mg::testing::SharedPlainRegistry();
  CliWorkspace ws;
  const std::string url = Upstream(ws, {"v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0"});
  const std::string key = (ws.dir() / "cosign.key").string(), pub = (ws.dir() / "cosign.pub").string();
  BOOST_REQUIRE(mg::GenerateKeyPair(key, pub, kPassphrase).ok());
  ws.env()["COSIGN_PASSWORD"] = kPassphrase;
  const std::string ns = "prune", repo = "prune/hello";
  auto configure = [&](int max_versions, const std::string& prune) {
    ws.WriteConfig({.registry_host = reg.host(),
                    .ns = ns,
                    .max_versions = max_versions,
                    .apps = {{.name = "hello", .url = url}},
                    .extra = "\n[attestations]\nkey = " + mg::testing::TomlString(key) + "\n" + prune});
  };
  configure(4, "");
  auto run = ws.Run({"run", "-j", "2"}, std::chrono::minutes(10));
  BOOST_TEST_REQUIRE(run.exit_code == 0, run.Describe());

  Direct d(reg.host());
  // A tag of someone else's naming the index of 1.0.0: prune must not take it away.
  const std::string index_100 = d.DigestOf(repo, "1.0.0");
  auto pinned = mg::TagManifest(d.client, repo, index_100, "pinned");
  BOOST_REQUIRE_MESSAGE(pinned.ok(), pinned.status().ToString());
  const std::string index_110 = d.DigestOf(repo, "1.1.0");
  const std::vector<std::string> children_110 = d.Children(repo, "1.1.0");
  BOOST_REQUIRE(children_110.size() == 2u);
  const std::set<std::string> before = d.Tags(repo);
  std::set<std::string> attached_110;  // what is attached to 1.1.0's index and platforms
  for (const std::string& subject : {index_110, children_110[0], children_110[1]}) {
    for (const char* suffix : {"sig", "att"}) {
      const std::string tag = mg::CosignTag(subject, suffix);
      BOOST_TEST_REQUIRE(before.count(tag) == 1u, "no " << tag << " after the run");
      attached_110.insert(tag);
    }
  }

  // The window shrinks to 1.3.0; keep 1 more (1.2.0); 1.1.0 goes; 1.0.0 is pinned: skipped.
  configure(1, "\n[prune]\nkeep = 1\n");
  auto dry = ws.Run({"prune", "--json", "dry.json"});
  BOOST_TEST_REQUIRE(dry.exit_code == 0, dry.Describe());
  BOOST_TEST(d.Tags(repo) == before, "a dry run deleted something");
  BOOST_TEST(dry.out.find("would delete prune/hello:1.1.0 (" + index_110) != std::string::npos, dry.Describe());
  BOOST_TEST(dry.out.find("skip   prune/hello:1.0.0: a kept tag names the same manifest") != std::string::npos,
             dry.Describe());
  BOOST_TEST(dry.err.find("would delete 1 tag(s) (9 manifests)") != std::string::npos, dry.Describe());
  const Json dj = ws.ReadJson("dry.json");
  BOOST_TEST_REQUIRE(dj.is_object());
  BOOST_TEST(dj["apply"] == false);
  const Json& r = dj["apps"][0]["repositories"][0];
  BOOST_TEST(r["window"] == Json({"1.3.0"}));
  BOOST_TEST(r["kept"] == Json({"1.2.0"}));
  BOOST_TEST(r["others"] == Json({"latest", "pinned"}));
  BOOST_TEST_REQUIRE(r["pruned"].size() == 2u, r.dump());

  auto apply = ws.Run({"prune", "--apply", "--json", "apply.json"});
  BOOST_TEST_REQUIRE(apply.exit_code == 0, apply.Describe());
  BOOST_TEST(apply.err.find("deleted 1 tag(s) (9 manifests)") != std::string::npos, apply.Describe());
  std::set<std::string> want = before;
  want.erase("1.1.0");
  for (const std::string& t : attached_110) want.erase(t);
  BOOST_TEST(d.Tags(repo) == want);
  BOOST_TEST(!d.Exists(repo, index_110));
  for (const std::string& c : children_110) BOOST_TEST(!d.Exists(repo, c));
  BOOST_TEST(d.DigestOf(repo, "pinned") == index_100);
  BOOST_TEST(d.DigestOf(repo, "1.0.0") == index_100);
  for (const std::string v : {"1.2.0", "1.3.0"}) {
    auto verify = ws.Run({"verify", reg.host() + "/" + repo + ":" + v, "--key", pub, "--plain-http"});
    BOOST_TEST(verify.exit_code == 0, v << ": " << verify.Describe());
  }
  // Every deletion of the report succeeded.
  const Json applied = ws.ReadJson("apply.json");  // named: a range over a temporary's member dangles
  BOOST_TEST_REQUIRE(applied.is_object());
  for (const Json& p : applied["apps"][0]["repositories"][0]["pruned"]) {
    for (const Json& del : p.value("deletions", Json::array())) BOOST_TEST(del.value("deleted", false), del.dump());
  }

  auto again = ws.Run({"prune", "--apply"});
  BOOST_TEST(again.exit_code == 0, again.Describe());
  BOOST_TEST(again.err.find("deleted 0 tag(s) (0 manifests)") != std::string::npos, again.Describe());
  BOOST_TEST(d.Tags(repo) == want);
}

BOOST_AUTO_TEST_CASE(a_registry_that_refuses_deletes_and_a_failed_discover_delete_nothing) {
  auto reg = TestRegistry::Start({.deletes = false});
  BOOST_REQUIRE_MESSAGE(reg.ok(), reg.status().ToString());
  CliWorkspace ws;
  const std::string url = Upstream(ws, {"v1.0.0", "v1.1.0"});
  auto configure = [&](const std::string& app_url, int max_versions) {
    ws.WriteConfig({.registry_host = (*reg)->host(),
                    .ns = "refuse",
                    .max_versions = max_versions,
                    .apps = {{.name = "hello", .url = app_url}},
                    .extra = "\n[attestations]\nsbom = false\nsign = false\nprovenance = false\n"});
  };
  configure(url, 2);
  auto run = ws.Run({"run", "-j", "2"}, std::chrono::minutes(10));
  BOOST_TEST_REQUIRE(run.exit_code == 0, run.Describe());
  Direct d((*reg)->host());
  const std::set<std::string> before = d.Tags("refuse/hello");
  BOOST_TEST(before == std::set<std::string>({"1.0.0", "1.1.0", "latest"}));

  configure(url, 1);
  auto refused = ws.Run({"prune", "--apply"});
  BOOST_TEST(refused.exit_code == 1, refused.Describe());
  BOOST_TEST(refused.out.find("refuses to delete manifests") != std::string::npos, refused.Describe());
  BOOST_TEST(refused.err.find("storage.delete.enabled: true") != std::string::npos, refused.Describe());
  BOOST_TEST(d.Tags("refuse/hello") == before);

  // The upstream is gone: the window is unknown, so nothing is pruned.
  configure("file:///nonexistent/mirrorgraph-prune-upstream", 1);
  auto unknown = ws.Run({"prune", "--apply"});
  BOOST_TEST(unknown.exit_code == 1, unknown.Describe());
  BOOST_TEST(unknown.out.find("prune hello: not pruned: its discover:hello failed") != std::string::npos,
             unknown.Describe());
  BOOST_TEST(d.Tags("refuse/hello") == before);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
