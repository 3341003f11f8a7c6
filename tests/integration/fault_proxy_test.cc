// Fault injection (issue 9): `mirrorgraph run` talks to the real docker-registry through
// tests/servers/fault_proxy.py, which answers 500, 429 (Retry-After), resets connections before
// and after forwarding, and slows answers, at a fixed seed and rate 0.2. A small app (two versions
// x linux/amd64 + linux/arm64, a COPY-only Dockerfile, signed, with SBOM and provenance) must, with
// at most one rerun, reach the end state of a fault-free run: the same tags on the same index
// digests (the builds are reproducible: one upstream, SOURCE_DATE_EPOCH timestamps), and the same
// attestations (.sig and .att with the same layer media types on the index and every platform).
// A kill -9 while the proxy holds a blob upload (slowed on purpose), then a rerun, must end there
// too. All the while a watcher polls the registry directly and records any tag that names an
// incomplete index (a wanted platform missing, a manifest or blob it references absent).
#include <signal.h>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "cli_fixture.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/registry_client.h"
#include "oci/upload_session.h"
#include "script_server.h"
#include "sign/cosign_storage.h"
#include "sign/keys.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::CliWorkspace;

namespace {

constexpr char kPassphrase[] = "fault-run-pass";
const std::set<std::string> kWantedPlatforms = {"linux/amd64", "linux/arm64"};

// tests/servers/fault_proxy.py in front of `upstream`, on a free loopback port. Stopped and reaped
// with the object; it also exits by itself when this process dies.
class FaultProxy {
 public:
  static mg::Result<std::unique_ptr<FaultProxy>> Start(const std::string& upstream, const std::string& mode,
                                                       int seed, double rate) {
    auto server = mg::testing::ScriptServer::Start(
        "fault_proxy.py",
        {"--upstream", upstream, "--mode", mode, "--seed", std::to_string(seed), "--rate", std::to_string(rate),
         "--events", "events.log", "--max-seconds", "3000"},
        "mg-proxy");
    if (!server.ok()) return server.status();
    return std::unique_ptr<FaultProxy>(new FaultProxy(std::move(server.value())));
  }

  std::string host() const { return "127.0.0.1:" + std::to_string(server_->port()); }
  std::string events() const { return mg::testing::ReadFile(server_->dir() / "events.log"); }
  // {"requests": N, "faults": {"500": n, ...}}; an error when the proxy did not answer 200 with
  // a JSON object.
  mg::Result<Json> Stats() const {
    mg::Result<std::string> body = Call("GET", "/_proxy/stats");
    if (!body.ok()) return body.status();
    Json j = Json::parse(*body, nullptr, false);
    if (!j.is_object()) return mg::Status::Corruption("fault proxy stats: not a JSON object: " + *body);
    return j;
  }
  // Switches the proxy's fault mode ("off": pass everything through); an error when it refused.
  mg::Status SetMode(const std::string& mode) const {
    mg::Result<std::string> body = Call("POST", "/_proxy/mode?m=" + mode);
    return body.ok() ? mg::Status::OK() : body.status();
  }

 private:
  explicit FaultProxy(std::unique_ptr<mg::testing::ScriptServer> server) : server_(std::move(server)) {}
  // The body of a 200 answer to a control request; anything else is an error naming the request.
  mg::Result<std::string> Call(const std::string& method, const std::string& path) const {
    auto r = server_->Call(method, path);
    if (!r.ok()) return r.status().WithContext("fault proxy " + method + " " + path);
    if (r->status != 200) {
      return mg::Status::Unavailable("fault proxy " + method + " " + path + ": HTTP " + std::to_string(r->status) +
                                     ": " + r->body);
    }
    return std::move(r->body);
  }

  std::unique_ptr<mg::testing::ScriptServer> server_;
};

// A direct client of the real registry (not through the proxy).
struct Direct {
  explicit Direct(const std::string& host) : registry(http, host, /*plain_http=*/true, std::nullopt) {}
  mg::CurlTransport transport;
  mg::HttpClient http{transport};
  mg::RegistryClient registry;

  // The repository's tags; empty when it does not exist yet.
  std::vector<std::string> Tags(const std::string& repo) {
    mg::HttpRequest req;
    req.url = registry.base_url() + "/v2/" + repo + "/tags/list";
    auto r = registry.SendAuthorized(req, repo, "pull");
    std::vector<std::string> out;
    if (!r.ok() || r->status != 200) return out;
    Json doc = Json::parse(r->body, nullptr, false);
    if (!doc.is_object() || !doc["tags"].is_array()) return out;
    for (const Json& t : doc["tags"]) {
      if (t.is_string()) out.push_back(t.get<std::string>());
    }
    return out;
  }

  // "" when `tag` names a complete index of the wanted platforms, else what is wrong.
  std::string IndexProblem(const std::string& repo, const std::string& tag) {
    auto index = registry.GetManifest(repo, tag);
    if (!index.ok()) {
      // Listed a moment ago: a tag is never deleted, so it must be readable.
      return "cannot read " + repo + ":" + tag + ": " + index.status().ToString();
    }
    if (!index->json.contains("manifests")) return repo + ":" + tag + " is not an index";
    std::set<std::string> platforms;
    for (const Json& e : index->json["manifests"]) {
      const std::string digest = e.value("digest", "");
      platforms.insert(e["platform"].value("os", "") + "/" + e["platform"].value("architecture", ""));
      auto image = registry.GetManifest(repo, digest);
      if (!image.ok()) return repo + ":" + tag + " -> " + index->digest + " names " + digest + ": " + image.status().ToString();
      std::vector<std::string> blobs = {image->json["config"].value("digest", "")};
      for (const Json& l : image->json["layers"]) blobs.push_back(l.value("digest", ""));
      for (const std::string& b : blobs) {
        auto there = mg::BlobExists(registry, repo, b);
        if (!there.ok() || !*there) return repo + ":" + tag + " -> " + digest + " lacks blob " + b;
      }
    }
    if (platforms != kWantedPlatforms) return repo + ":" + tag + " -> " + index->digest + " lacks a platform";
    return "";
  }
};

bool IsAttestationTag(const std::string& tag) {
  return tag.rfind("sha256-", 0) == 0;
}

// Polls the registry directly on its own thread, until destroyed, and records every tag seen
// naming an incomplete index.
class Watcher {
 public:
  Watcher(const std::string& host, std::string repo) : direct_(host), repo_(std::move(repo)) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Watcher() {
    stop_ = true;
    thread_.join();
  }
  std::vector<std::string> problems() const {
    std::lock_guard<std::mutex> lock(mu_);
    return problems_;
  }
  int polls() const { return polls_.load(); }
  int tags_checked() const { return checked_.load(); }

 private:
  void Loop() {
    while (!stop_) {
      for (const std::string& tag : direct_.Tags(repo_)) {
        if (IsAttestationTag(tag)) continue;
        std::string problem = direct_.IndexProblem(repo_, tag);
        ++checked_;
        if (!problem.empty()) {
          std::lock_guard<std::mutex> lock(mu_);
          problems_.push_back(problem);
        }
      }
      ++polls_;
      for (int i = 0; i < 5 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  Direct direct_;
  const std::string repo_;
  std::atomic<bool> stop_{false};
  std::atomic<int> polls_{0};
  std::atomic<int> checked_{0};
  mutable std::mutex mu_;
  std::vector<std::string> problems_;
  std::thread thread_;
};

// What a run leaves in the registry: version tags (and latest) -> index digest, and for each
// index and platform image, the media types of its .sig and .att layers.
struct EndState {
  std::map<std::string, std::string> tags;
  std::map<std::string, std::vector<std::string>> attestations;  // "<tag> index|os/arch .sig|.att" -> media types
  bool operator==(const EndState& o) const { return tags == o.tags && attestations == o.attestations; }
};

std::ostream& operator<<(std::ostream& out, const EndState& s) {
  for (const auto& [tag, digest] : s.tags) out << tag << " -> " << digest << "\n";
  for (const auto& [what, types] : s.attestations) {
    out << what << ":";
    for (const std::string& t : types) out << " " << t;
    out << "\n";
  }
  return out;
}

EndState ReadEndState(Direct& direct, const std::string& repo) {
  EndState s;
  for (const std::string& tag : direct.Tags(repo)) {
    if (IsAttestationTag(tag)) continue;
    auto index = direct.registry.GetManifest(repo, tag);
    if (!index.ok()) continue;
    s.tags[tag] = index->digest;
    std::vector<std::pair<std::string, std::string>> subjects = {{"index", index->digest}};
    for (const Json& e : index->json["manifests"]) {
      subjects.push_back({e["platform"].value("os", "") + "/" + e["platform"].value("architecture", ""), e.value("digest", "")});
    }
    for (const auto& [what, digest] : subjects) {
      for (const char* suffix : {".sig", ".att"}) {
        auto layers = mg::ReadCosignLayers(direct.registry, repo, digest, suffix);
        std::vector<std::string> types;
        if (!layers.ok()) {
          types.push_back("unreadable: " + layers.status().ToString());
        } else {
          for (const mg::CosignLayer& l : *layers) types.push_back(l.media_type);
        }
        std::sort(types.begin(), types.end());
        s.attestations[tag + " " + what + " " + suffix] = types;
      }
    }
  }
  return s;
}

// The upstream, shared by every workspace of the suite (one file:// URL, so the builds of all
// runs are alike): two releases, a COPY-only Dockerfile whose layers are the same on both
// platforms (both legs push them at once).
const std::string& UpstreamUrl() {
  static mg::testing::TempDir dir("mg-fault-upstream");
  static std::string url = [] {
    auto u = mg::testing::MakeGitUpstream(dir.path() / "hello", {"v1.0.0", "v1.1.0"},
                                          {{"hello.txt", "hello from @TAG@\n"},
                                           {"shared.txt", std::string(40000, 's') + "\n"},
                                           {"Dockerfile",
                                            "FROM scratch\n"
                                            "ARG VERSION=unknown\n"
                                            "LABEL org.example.version=\"${VERSION}\"\n"
                                            "COPY shared.txt /shared.txt\n"
                                            "COPY hello.txt /hello.txt\n"}});
    if (!u.ok()) throw std::runtime_error(u.status().ToString());
    return *u;
  }();
  return url;
}

struct Mirror {
  CliWorkspace ws;
  std::string ns;
  mg::testing::CliConfig config;

  // A workspace mirroring the upstream into <ns>/hello on `registry_host` (the proxy or the
  // registry itself), signed with a fresh key.
  Mirror(const std::string& registry_host, std::string namespace_) : ns(std::move(namespace_)) {
    fs::create_directories(ws.dir() / "keys");
    const std::string key = (ws.dir() / "keys" / "cosign.key").string();
    BOOST_REQUIRE(mg::GenerateKeyPair(key, (ws.dir() / "keys" / "cosign.pub").string(), kPassphrase).ok());
    ws.env()["COSIGN_PASSWORD"] = kPassphrase;
    config = {.registry_host = registry_host,
              .ns = ns,
              .max_versions = 2,
              .apps = {{.name = "hello",
                        .url = UpstreamUrl(),
                        .extra = "[apps.hello.build]\nargs = { VERSION = \"{version}\" }\n"}},
              .extra = "\n[attestations]\nkey = " + mg::testing::TomlString(key) + "\n"};
    ws.WriteConfig(config);
  }
  std::string repo() const { return ns + "/hello"; }
  mg::testing::CliResult Run(const std::string& report) {
    return ws.Run({"run", "-j", "4", "--json", report}, std::chrono::minutes(15));
  }
};

// The fault-free run's end state, computed once per test binary.
const EndState& Reference() {
  static EndState state = [] {
    auto& reg = mg::testing::SharedPlainRegistry();
    Mirror m(reg.host(), "faultref");
    auto r = m.Run("ref.json");
    if (r.exit_code != 0) throw std::runtime_error("the fault-free run failed: " + r.Describe());
    Direct direct(reg.host());
    return ReadEndState(direct, m.repo());
  }();
  return state;
}

// Indexes are named by the same tags in the reference: version tags and latest, each with two
// platforms, signed and attested.
void CheckReferenceShape(const EndState& ref) {
  BOOST_TEST_REQUIRE(ref.tags.size() == 3u, ref);  // 1.0.0, 1.1.0, latest
  BOOST_TEST(ref.tags.count("latest") == 1u);
  for (const auto& [what, types] : ref.attestations) BOOST_TEST(!types.empty(), what);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fault_proxy_test)

BOOST_AUTO_TEST_CASE(a_run_through_faults_ends_like_a_fault_free_run) {
  auto& reg = mg::testing::SharedPlainRegistry();
  const EndState& ref = Reference();
  CheckReferenceShape(ref);

  auto proxy = FaultProxy::Start(reg.host(), "faults", /*seed=*/9, /*rate=*/0.2);
  BOOST_REQUIRE_MESSAGE(proxy.ok(), proxy.status().ToString());
  Mirror m((*proxy)->host(), "faultrun");
  Watcher watcher(reg.host(), m.repo());
  auto first = m.Run("first.json");
  int runs = 1;
  if (first.exit_code != 0) {
    BOOST_TEST_MESSAGE("the first run through faults exited " << first.exit_code << "; rerunning once\n"
                       << first.err.substr(first.err.size() > 4000 ? first.err.size() - 4000 : 0));
    auto second = m.Run("second.json");
    ++runs;
    BOOST_TEST_REQUIRE(second.exit_code == 0, second.Describe());
  }
  const mg::Result<Json> proxy_stats = (*proxy)->Stats();
  BOOST_TEST_REQUIRE(proxy_stats.ok(), proxy_stats.status().ToString());
  const Json& stats = *proxy_stats;
  BOOST_TEST_MESSAGE("runs: " << runs << "; proxy: " << stats.dump() << "; watcher polls: " << watcher.polls()
                     << ", tags checked: " << watcher.tags_checked());
  // The faults really happened, of every kind.
  BOOST_TEST_REQUIRE(stats.is_object());
  for (const char* kind : {"500", "429", "reset", "lost", "slow"}) {
    BOOST_TEST(stats["faults"].value(kind, 0) > 0, kind << ": " << stats.dump());
  }
  Direct direct(reg.host());
  const EndState got = ReadEndState(direct, m.repo());
  BOOST_TEST(got == ref, "through faults:\n" << got << "fault-free:\n" << ref);
  BOOST_TEST(watcher.tags_checked() > 0);
  for (const std::string& p : watcher.problems()) BOOST_ERROR("the watcher saw " << p);
}

BOOST_AUTO_TEST_CASE(kill_9_during_an_upload_then_rerun_ends_like_a_fault_free_run) {
  auto& reg = mg::testing::SharedPlainRegistry();
  const EndState& ref = Reference();
  CheckReferenceShape(ref);

  auto proxy = FaultProxy::Start(reg.host(), "slow-uploads", /*seed=*/9, /*rate=*/0.2);
  BOOST_REQUIRE_MESSAGE(proxy.ok(), proxy.status().ToString());
  Mirror m((*proxy)->host(), "faultkill");
  Watcher watcher(reg.host(), m.repo());
  auto p = m.ws.Start({"run", "-j", "4"}, "killed");
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  // Kill as soon as the proxy holds an upload (each is held 3 s before it is forwarded).
  bool in_flight = false;
  int code = 0;
  bool ended = false;
  for (int i = 0; i < 6000 && !in_flight && !ended; ++i) {  // up to 10 minutes
    const std::string events = (*proxy)->events();
    in_flight = events.find("upload PUT") != std::string::npos || events.find("upload PATCH") != std::string::npos;
    ended = (*p)->Poll(&code);
    if (!in_flight && !ended) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  BOOST_REQUIRE_MESSAGE(in_flight, "no upload reached the proxy; the run " << (ended ? "ended" : "is still going")
                        << ":\n" << mg::testing::ReadFile(m.ws.dir() / "killed.err"));
  (*p)->Signal(SIGKILL);
  BOOST_REQUIRE((*p)->Wait(std::chrono::seconds(60)).has_value());
  const std::string at_kill = (*proxy)->events();
  BOOST_TEST_MESSAGE("killed with an upload in flight; proxy events so far:\n"
                     << at_kill.substr(at_kill.size() > 2000 ? at_kill.size() - 2000 : 0));

  const mg::Status mode_off = (*proxy)->SetMode("off");
  BOOST_TEST_REQUIRE(mode_off.ok(), mode_off.ToString());
  auto again = m.Run("again.json");
  BOOST_TEST_REQUIRE(again.exit_code == 0, again.Describe());
  Direct direct(reg.host());
  const EndState got = ReadEndState(direct, m.repo());
  BOOST_TEST(got == ref, "after kill and rerun:\n" << got << "fault-free:\n" << ref);
  BOOST_TEST(watcher.tags_checked() > 0);
  for (const std::string& problem : watcher.problems()) BOOST_ERROR("the watcher saw " << problem);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
