// One canary string in every secret channel mirrorgraph has (issue 9, finding 2): a git source URL
// with credentials (refused when the config is loaded), GITHUB_TOKEN and GITLAB_TOKEN (sent to
// two fake forges that require them), the registry password (an htpasswd registry, through
// registry.auth_file) and the signing key's passphrase (COSIGN_PASSWORD). Then zero hits of the
// canary, of its base64 (at every alignment, which covers the Basic header) anywhere mirrorgraph
// writes or pushes: stdout and stderr of every command, the --json report, every file in the
// workspace (state directory, cache, journal, task logs, HOME) but the docker config the test
// wrote, every file of the registry on disk (gzip blobs decompressed), and everything reachable
// from the registry's catalog over HTTP (manifests, configs and their labels, layers, the .sig
// and .att artifacts).
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <map>
#include <random>
#include <set>

#include "cli_fixture.h"
#include "forge_fixture.h"
#include "http/base64.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/media_types.h"
#include "sign/keys.h"
#include "util/subprocess.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::FakeForge;
using mg::testing::TaskStatusOf;
using mg::testing::TestRegistry;

namespace {

// "MgCanary" and 16 random hex digits: letters and digits only, so URL and JSON encodings keep it.
std::string MakeCanary() {
  std::random_device rd;
  std::mt19937_64 gen((uint64_t{rd()} << 32) ^ rd());
  static const char kHex[] = "0123456789abcdef";
  std::string s = "MgCanary";
  uint64_t v = gen();
  for (int i = 0; i < 16; ++i, v >>= 4) s += kHex[v & 15];
  return s;
}

// The strings whose presence means `secret` leaked: itself, and the part of its base64 that does not
// depend on what precedes it, for each of the three byte alignments (so "user:secret" in a Basic
// header, a docker config's "auth", or any longer base64 text is caught).
std::vector<std::string> Needles(const std::string& secret) {
  std::vector<std::string> out = {secret};
  for (size_t offset = 0; offset < 3; ++offset) {
    const std::string encoded = mg::Base64Encode(std::string(offset, 'A') + secret);
    std::string core;
    for (size_t group = 0; 4 * group + 4 <= encoded.size(); ++group) {
      // Group `group` encodes bytes 3g..3g+2; keep it when all three are the secret's.
      if (3 * group >= offset && 3 * group + 2 < offset + secret.size()) core += encoded.substr(4 * group, 4);
    }
    out.push_back(core);
  }
  return out;
}

// Everything looked at, each with where it came from.
struct Haystack {
  std::vector<std::pair<std::string, std::string>> items;  // (where, bytes)
  void Add(std::string where, std::string bytes) { items.emplace_back(std::move(where), std::move(bytes)); }
  void AddFile(const fs::path& f) {
    std::string bytes = mg::testing::ReadFile(f);
    if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f && static_cast<unsigned char>(bytes[1]) == 0x8b) {
      Add(f.string() + " (gunzipped)", Gunzip(f));
    }
    Add(f.string(), std::move(bytes));
  }
  static std::string Gunzip(const fs::path& f) {
    const fs::path out = f.string() + ".canary-gunzip";
    mg::SubprocessOptions o;
    o.argv = {"sh", "-c", "gzip -dc < \"$0\" > \"$1\"", f.string(), out.string()};
    o.timeout = std::chrono::seconds(120);
    auto r = mg::RunSubprocess(o);
    BOOST_TEST((r.ok() && r->exit_code == 0), "gunzip " << f);
    std::string text = mg::testing::ReadFile(out);
    std::error_code ec;
    fs::remove(out, ec);
    return text;
  }
};

// The registry's content over HTTP with Basic credentials: the catalog, every tag of every
// repository, every manifest reachable from them and every blob they reference.
class RegistryWalk {
 public:
  RegistryWalk(const TestRegistry& reg, Haystack* hay)
      : reg_(reg), hay_(hay), auth_("Basic " + mg::Base64Encode(reg.options().user + ":" + reg.options().password)) {}

  // Returns the manifests fetched, by "repo@digest".
  std::map<std::string, Json> Walk() {
    Json catalog = GetJson("/v2/_catalog?n=1000");
    BOOST_REQUIRE_MESSAGE(catalog.is_object() && catalog.contains("repositories"), catalog.dump());
    for (const Json& repo : catalog["repositories"]) {
      const std::string name = repo.get<std::string>();
      Json tags = GetJson("/v2/" + name + "/tags/list?n=1000");
      if (!tags.contains("tags") || !tags["tags"].is_array()) continue;
      for (const Json& tag : tags["tags"]) Manifest(name, tag.get<std::string>());
    }
    return manifests_;
  }

 private:
  mg::Result<mg::HttpResponse> Get(const std::string& path, const std::string& accept = "") {
    mg::HttpRequest req;
    req.url = reg_.url() + path;
    req.headers.push_back({"Authorization", auth_});
    if (!accept.empty()) req.headers.push_back({"Accept", accept});
    req.max_body_bytes = size_t{256} << 20;
    req.timeout = std::chrono::seconds(120);
    return http_.Send(req);
  }
  Json GetJson(const std::string& path) {
    auto r = Get(path);
    BOOST_REQUIRE_MESSAGE(r.ok() && r->status == 200, "GET " << path << ": " << (r.ok() ? r->body : r.status().ToString()));
    hay_->Add("GET " + path, r->body);
    return mg::ParseJson(r->body);
  }
  void Manifest(const std::string& repo, const std::string& reference) {
    const std::string accept = std::string(mg::kMediaTypeOciIndex) + ", " + mg::kMediaTypeOciManifest + ", " +
                               mg::kMediaTypeDockerManifestList + ", " + mg::kMediaTypeDockerManifest;
    auto r = Get("/v2/" + repo + "/manifests/" + reference, accept);
    BOOST_REQUIRE_MESSAGE(r.ok() && r->status == 200, "manifest " << repo << ":" << reference);
    const std::string digest = r->Header("docker-content-digest").value_or(reference);
    if (manifests_.count(repo + "@" + digest)) return;
    hay_->Add("manifest " + repo + "@" + digest, r->body);
    Json m = mg::ParseJson(r->body);
    manifests_[repo + "@" + digest] = m;
    if (!m.is_object()) return;
    if (m.contains("manifests")) {
      for (const Json& d : m["manifests"]) Manifest(repo, d.value("digest", ""));
    }
    if (m.contains("config")) Blob(repo, m["config"].value("digest", ""));
    if (m.contains("layers")) {
      for (const Json& l : m["layers"]) Blob(repo, l.value("digest", ""));
    }
  }
  void Blob(const std::string& repo, const std::string& digest) {
    if (!blobs_.insert(repo + "@" + digest).second) return;
    auto r = Get("/v2/" + repo + "/blobs/" + digest);
    BOOST_REQUIRE_MESSAGE(r.ok() && r->status == 200, "blob " << repo << "@" << digest);
    const fs::path scratch = reg_.scratch_dir() / ("canary-blob-" + std::to_string(blobs_.size()));
    { std::ofstream(scratch, std::ios::binary) << r->body; }
    hay_->AddFile(scratch);
    std::error_code ec;
    fs::remove(scratch, ec);
  }

  const TestRegistry& reg_;
  Haystack* hay_;
  const std::string auth_;
  mg::CurlTransport transport_;
  mg::HttpClient http_{transport_};
  std::map<std::string, Json> manifests_;
  std::set<std::string> blobs_;
};

// How many texts whose `where` contains `where_part` hold one of `needles`.
size_t CountHolding(const Haystack& hay, const std::vector<std::string>& needles, const std::string& where_part) {
  size_t n = 0;
  for (const auto& [where, bytes] : hay.items) {
    if (where.find(where_part) == std::string::npos) continue;
    for (const std::string& needle : needles) {
      if (bytes.find(needle) != std::string::npos) {
        ++n;
        break;
      }
    }
  }
  return n;
}

void ExpectNoCanary(const Haystack& hay, const std::string& canary) {
  const std::vector<std::string> needles = Needles(canary);
  size_t hits = 0;
  for (const auto& [where, bytes] : hay.items) {
    for (const std::string& needle : needles) {
      if (bytes.find(needle) == std::string::npos) continue;
      ++hits;
      const size_t at = bytes.find(needle);
      BOOST_ERROR("the canary (as \"" << needle << "\") is in " << where << ": ..."
                                      << bytes.substr(at < 80 ? 0 : at - 80, 200) << "...");
    }
  }
  BOOST_TEST(hits == 0u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(secret_canary_test)

BOOST_AUTO_TEST_CASE(no_secret_reaches_output_state_or_registry) {
  const std::string canary = MakeCanary();
  BOOST_TEST_MESSAGE("canary: " << canary);
  const std::string gh_token = "ghp_" + canary + "Gh";
  const std::string gl_token = "glpat-" + canary + "Gl";
  const std::string passphrase = "pass-" + canary + "-Key";
  auto reg = TestRegistry::Start({.htpasswd = true, .user = "mguser", .password = "pw-" + canary + "-Reg"});
  BOOST_REQUIRE_MESSAGE(reg.ok(), reg.status().ToString());
  auto gh = FakeForge::Start({.token = gh_token});
  BOOST_REQUIRE_MESSAGE(gh.ok(), gh.status().ToString());
  auto gl = FakeForge::Start({.token = gl_token});
  BOOST_REQUIRE_MESSAGE(gl.ok(), gl.status().ToString());

  CliWorkspace ws;
  ws.env()["GITHUB_TOKEN"] = gh_token;
  ws.env()["GITLAB_TOKEN"] = gl_token;
  ws.env()["COSIGN_PASSWORD"] = passphrase;
  // The registry's credentials: a docker config outside the state directory (the one file the
  // test itself writes the secret into, and the one file not searched).
  const fs::path docker_config = ws.dir() / "creds" / "config.json";
  fs::create_directories(docker_config.parent_path());
  {
    std::ofstream(docker_config)
        << Json{{"auths", {{(*reg)->host(), {{"auth", mg::Base64Encode("mguser:" + (*reg)->options().password)}}}}}}.dump();
  }
  fs::permissions(docker_config, fs::perms::owner_read | fs::perms::owner_write);
  const fs::path key = ws.dir() / "keys" / "cosign.key";
  fs::create_directories(key.parent_path());
  BOOST_REQUIRE(mg::GenerateKeyPair(key.string(), (ws.dir() / "keys" / "cosign.pub").string(), passphrase).ok());

  auto upstream = ws.MakeUpstream("hello", {"v1.0.0"},
                                  {{"Dockerfile", "FROM scratch\nCOPY hello.txt /hello.txt\n"},
                                   {"hello.txt", "hello @TAG@\n"}});
  BOOST_REQUIRE_MESSAGE(upstream.ok(), upstream.status().ToString());
  const std::string one_platform = "platforms = [\"linux/amd64\"]\n";
  mg::testing::CliConfig config{.registry_host = (*reg)->host(),
                                .max_versions = 1,
                                .auth_file = docker_config.string(),
                                .apps = {{.name = "hello", .url = *upstream, .extra = one_platform}}};
  config.extra = "\n[apps.gh]\nplugin = \"generic\"\n" + one_platform +
                 "source = { type = \"github-releases\", repo = \"mattermost/mattermost\", api_base = \"" +
                 (*gh)->Base("private") + "\" }\n" +
                 "\n[apps.gl]\nplugin = \"generic\"\n" + one_platform +
                 "source = { type = \"gitlab-tags\", project = \"framasoft/framateam/mostlymatter\", api_base = \"" +
                 (*gl)->Base("private") + "\" }\n" +
                 "\n[attestations]\nkey = " + mg::testing::TomlString(key.string()) + "\n";

  Haystack hay;
  auto record = [&](const std::string& what, const mg::testing::CliResult& r) {
    hay.Add(what + " stdout", r.out);
    hay.Add(what + " stderr", r.err);
  };

  // 1. A git source URL with credentials: the whole config is refused, at the URL's position.
  mg::testing::CliConfig leaky = config;
  leaky.apps.push_back({.name = "leaky",
                        .url = "https://u" + canary + ":" + canary + "Git@127.0.0.1:9/hello.git",
                        .extra = one_platform});
  ws.WriteConfig(leaky);
  auto refused = ws.Run({"run", "--json", "refused.json"});
  record("refused run", refused);
  BOOST_TEST(refused.exit_code == 2, refused.Describe());
  BOOST_TEST(refused.err.find("apps.leaky.source.url: \"https://127.0.0.1:9/hello.git\" with credentials") !=
                 std::string::npos,
             refused.Describe());
  BOOST_TEST(refused.err.find("GIT_ASKPASS") != std::string::npos, refused.Describe());
  BOOST_TEST(!fs::exists(ws.state_dir()), "a refused config creates no state");

  // 2. Every other channel in one full run: builds, merge, SBOM, signature, provenance.
  ws.WriteConfig(config);
  auto run = ws.Run({"run", "--json", "report.json"}, std::chrono::minutes(8));
  record("run", run);
  const Json report = ws.ReadJson("report.json");
  BOOST_TEST_REQUIRE(report.is_object(), run.Describe());
  // Each channel was used: the forges answered only with their token, the registry only with the
  // password, the key opened only with the passphrase.
  BOOST_TEST(TaskStatusOf(report, "discover:gh") == "ran", run.Describe());
  BOOST_TEST(TaskStatusOf(report, "discover:gl") == "ran", run.Describe());
  for (const char* id : {"build:hello@1.0.0/linux/amd64", "merge:hello@1.0.0", "sbom:hello@1.0.0", "sign:hello@1.0.0",
                         "provenance:hello@1.0.0"}) {
    BOOST_TEST(TaskStatusOf(report, id) == "ran", id << "\n" << run.Describe());
  }
  hay.Add("report.json", mg::testing::ReadFile(ws.dir() / "report.json"));
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"status"}, {"explain", "build:hello@1.0.0/linux/amd64"}, {"plan", "--json", "plan.json"},
        {"verify", (*reg)->host() + "/mirror/hello:1.0.0", "--key", (ws.dir() / "keys" / "cosign.pub").string(),
         "--plain-http"}}) {
    auto r = ws.Run(args);
    record(args[0], r);
  }

  // 3. Everything written: the workspace (state dir, reports, HOME) but the test's docker config.
  for (const fs::path& f : mg::testing::FilesUnder(ws.dir())) {
    if (f == docker_config) continue;
    hay.AddFile(f);
  }
  // 4. Everything the registry holds, on disk and over HTTP.
  const fs::path registry_root = (*reg)->scratch_dir().parent_path();
  for (const fs::path& f : mg::testing::FilesUnder(registry_root)) hay.AddFile(f);
  std::map<std::string, Json> manifests = RegistryWalk(**reg, &hay).Walk();
  size_t sig = 0, att = 0;
  bool labelled = false;
  for (const auto& [ref, m] : manifests) {
    const std::string text = m.dump();
    if (text.find("application/vnd.dev.cosign.simplesigning.v1+json") != std::string::npos) ++sig;
    if (text.find("application/vnd.dsse.envelope.v1+json") != std::string::npos) ++att;
    if (m.is_object() && m.contains("annotations") &&
        m["annotations"].value("org.opencontainers.image.source", "") == *upstream) {
      labelled = true;
    }
  }
  BOOST_TEST(sig >= 1u, "no signature manifest found in the registry walk");
  BOOST_TEST(att >= 1u, "no attestation manifest found in the registry walk");
  BOOST_TEST(labelled, "the index's org.opencontainers.image.source annotation names the upstream");

  // Positive controls: the search does see inside layers (the file the build copied, found only
  // gunzipped) and inside base64 (the upstream URL in the provenance's DSSE payload, whose base64
  // is all a pushed .att blob holds of it).
  const fs::path registry_storage = registry_root / "storage";
  BOOST_TEST(CountHolding(hay, {"hello v1.0.0"}, " (gunzipped)") >= 1u);
  std::vector<std::string> url_base64 = Needles(*upstream);
  url_base64.erase(url_base64.begin());
  BOOST_TEST(CountHolding(hay, url_base64, registry_storage.string()) >= 1u);

  BOOST_TEST_MESSAGE("searched " << hay.items.size() << " texts for " << Needles(canary).size() << " needles");
  ExpectNoCanary(hay, canary);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
