#include "mirror_state.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <sstream>

#include "cache/journal.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/registry_client.h"
#include "sign/cosign_storage.h"
#include "sign/dsse.h"
#include "sign/intoto.h"
#include "sign/slsa_provenance.h"
#include "util/strings.h"

namespace mg::crash {

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::TestRegistry;

namespace {

// A predicate as compared across runs: canonical text with the namespace replaced; for SLSA
// provenance, the run id and the times left out (which of them were there is kept).
std::string Normalized(const std::string& type, Json predicate, const std::string& ns) {
  if (type == mg::kSlsaProvenanceV1PredicateType && predicate.is_object() && predicate.contains("runDetails")) {
    Json& metadata = predicate["runDetails"]["metadata"];
    Json keys = Json::array();
    if (metadata.is_object()) {
      for (const auto& [k, v] : metadata.items()) keys.push_back(k);
    }
    predicate["runDetails"]["metadata"] = {{"present", keys}};
  }
  std::string text = mg::CanonicalJson(predicate);
  const std::string from = "/" + ns + "/", to = "/NS/";
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

}  // namespace

std::set<pid_t> ChildPids() {
  std::set<pid_t> out;
  const pid_t self = ::getpid();
  std::error_code ec;
  for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = mg::testing::ReadFile(it->path() / "stat");
    const size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    std::string state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == self) out.insert(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

void WaitForOrphans(const std::set<pid_t>& before) {
  for (;;) {
    std::set<pid_t> orphans;
    for (pid_t p : ChildPids()) {
      if (before.count(p) == 0) orphans.insert(p);
    }
    if (orphans.empty()) return;
    for (pid_t p : orphans) {
      BOOST_TEST_MESSAGE("waiting for " << p << ", left running by the killed run");
      int status = 0;
      ::waitpid(p, &status, 0);  // blocks until it ends; the ctest timeout bounds a hang
    }
  }
}

size_t Journal::Count(const std::string& type, const std::string& status) const {
  size_t n = 0;
  for (const Json& e : events) {
    n += e.value("event", "") == "task" && e.value("type", "") == type && e.value("status", "") == status ? 1 : 0;
  }
  return n;
}

std::set<std::string> Journal::Ids(const std::string& type, const std::string& status) const {
  std::set<std::string> out;
  for (const Json& e : events) {
    if (e.value("event", "") == "task" && e.value("type", "") == type && e.value("status", "") == status) {
      out.insert(e.value("id", ""));
    }
  }
  return out;
}

std::optional<Journal> NewestJournal(const std::string& state) {
  auto run = mg::RunJournal::LastRunId(state);
  if (!run) return std::nullopt;
  auto events = mg::RunJournal::Read(state, *run);
  if (!events.ok()) return std::nullopt;
  return Journal{*run, std::move(*events)};
}

JournalWatch::JournalWatch(const fs::path& runs_dir) {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ >= 0) ::inotify_add_watch(fd_, runs_dir.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO);
}

JournalWatch::~JournalWatch() {
  if (fd_ >= 0) ::close(fd_);
}

void JournalWatch::Wait(std::chrono::milliseconds timeout) {
  if (fd_ < 0) {
    ::poll(nullptr, 0, static_cast<int>(timeout.count()));
    return;
  }
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) > 0) {
    char buf[4096];
    while (::read(fd_, buf, sizeof buf) > 0) {
    }
  }
}

std::string Namespace(const std::string& name) { return "km-" + name; }

void Prepare(CliWorkspace& ws, const std::string& ns, const std::string& attestations_extra,
             const std::string& more_tables) {
  Shared& s = Common();
  ws.WriteConfig({.registry_host = s.reg->host(),
                  .ns = ns,
                  .max_versions = 2,
                  .apps = {{.name = "hello", .url = s.upstream}},
                  .extra = "\n[attestations]\nkey = " + mg::testing::TomlString(s.key) + "\n" + attestations_extra +
                           "\n" + more_tables});
  ws.env()["COSIGN_PASSWORD"] = kPassphrase;
  fs::create_directories(ws.state_dir() / "runs");
}

mg::testing::CliResult RunToCompletion(CliWorkspace& ws, const std::string& report,
                                       const std::vector<std::string>& more_args) {
  std::vector<std::string> args = {"run", "-j", "2", "--json", report};
  args.insert(args.end(), more_args.begin(), more_args.end());
  return ws.Run(args, std::chrono::minutes(10));
}

Json RegistryState(const std::string& ns) {
  Shared& s = Common();
  mg::CurlTransport transport;
  mg::HttpClient http{transport};
  mg::RegistryClient client{http, s.reg->host(), true, std::nullopt};
  const std::string repo = ns + "/hello";
  Json out = {{"tags", Json::object()}, {"versions", Json::object()}};
  for (const std::string& tag : {kVersions[0], kVersions[1], std::string("latest")}) {
    auto m = client.GetManifest(repo, tag);
    out["tags"][tag] = m.ok() ? m->digest : "missing: " + m.status().ToString();
  }
  for (const std::string& version : kVersions) {
    auto index = client.GetManifest(repo, version);
    if (!index.ok()) continue;
    std::vector<std::pair<std::string, std::string>> subjects = {{"index", index->digest}};
    for (const Json& m : index->json.value("manifests", Json::array())) {
      const Json p = m.value("platform", Json::object());
      subjects.push_back({p.value("os", "") + "/" + p.value("architecture", ""), m.value("digest", "")});
    }
    for (const auto& [name, digest] : subjects) {
      Json subject = {{"digest", digest}};
      auto sigs = mg::ReadCosignLayers(client, repo, digest, ".sig");
      subject["signatures"] = sigs.ok() ? Json(sigs->size()) : Json(sigs.status().ToString());
      auto signed_ok = mg::HasCosignSignature(client, repo, digest, *s.public_key);
      subject["signed"] = signed_ok.ok() && *signed_ok;
      Json atts = Json::object();
      auto layers = mg::ReadCosignLayers(client, repo, digest, ".att");
      if (layers.ok()) {
        for (const mg::CosignLayer& l : *layers) {
          auto env = mg::ParseDsseEnvelope(l.payload);
          std::string type = "(unparsable)", text;
          auto verified = env.ok() ? mg::DsseVerify(*env, *s.public_key) : mg::Result<bool>(false);
          if (verified.ok() && *verified) {
            auto st = mg::ParseStatement(env->payload);
            if (st.ok()) {
              type = st->predicate_type;
              text = Normalized(type, st->predicate, ns);
            }
          } else {
            type = "(not verifying)";
          }
          atts[type].push_back(text);
        }
      }
      for (auto it = atts.begin(); it != atts.end(); ++it) std::sort(it->begin(), it->end());
      subject["attestations"] = std::move(atts);
      out["versions"][version][name] = std::move(subject);
    }
  }
  return out;
}

void CheckProvenanceComplete(const Json& state, const std::string& what) {
  for (const auto& [version, subjects] : state["versions"].items()) {
    for (const auto& [name, subject] : subjects.items()) {
      const std::string where = what + " " + version + " " + name;
      const Json& list = subject["attestations"].value(std::string(mg::kSlsaProvenanceV1PredicateType), Json::array());
      BOOST_TEST_REQUIRE(list.size() == 1u, where << ": " << list.size() << " provenance attestation(s)");
      Json p = mg::ParseJson(list[0].get<std::string>());
      BOOST_TEST(!mg::FindReconstructed(p).has_value(), where << ": reconstructed");
      const Json& internal = p["buildDefinition"]["internalParameters"];
      BOOST_TEST(!internal.contains("unknown"), where << ": unknown " << internal.value("unknown", Json()).dump());
      for (const char* k : {"builder", "engine", "plugin", "edits_applied"}) BOOST_TEST(internal.contains(k), where << ": no " << k);
      BOOST_TEST(p["runDetails"]["metadata"]["present"] == Json({"finishedOn", "invocationId", "startedOn"}), where);
    }
  }
}

void CheckSameAsClean(const Json& got, const std::string& what) {
  const Json& clean = CleanState();
  BOOST_TEST(got["tags"] == clean["tags"], what << ": tags " << got["tags"].dump() << " vs the clean run's " << clean["tags"].dump());
  for (const auto& [version, subjects] : clean["versions"].items()) {
    for (const auto& [name, subject] : subjects.items()) {
      const Json mine = got["versions"].contains(version) ? got["versions"][version].value(name, Json()) : Json();
      BOOST_TEST(mine == subject, what << " " << version << " " << name << ":\n  got   " << mine.dump()
                                       << "\n  clean " << subject.dump());
    }
  }
  BOOST_TEST(got["versions"].size() == clean["versions"].size(), what);
}

Shared& Common() {
  static Shared* shared = [] {
    auto* s = new Shared;
    // Orphans of a killed run come to this process: WaitForOrphans reaps them.
    BOOST_REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
    auto reg = TestRegistry::Start();
    BOOST_REQUIRE_MESSAGE(reg.ok(), reg.status().ToString());
    s->reg = std::move(*reg);
    // One layer per platform (a different rootfs each): two legs never push the same blob at
    // once, a registry race that is issue 9, finding 4, not this suite's subject.
    auto url = mg::testing::MakeGitUpstream(s->dir.path() / "hello", {"v1.0.0", "v1.1.0"},
                                            {{"Dockerfile", "FROM scratch\nARG TARGETARCH\nCOPY rootfs-${TARGETARCH}/ /\n"},
                                             {"rootfs-amd64/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"},
                                             {"rootfs-amd64/app/package.json", R"({"name":"hello","version":"@TAG@"})"},
                                             {"rootfs-arm64/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"},
                                             {"rootfs-arm64/app/package.json", R"({"name":"hello-arm64","version":"@TAG@"})"}});
    BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
    s->upstream = *url;
    s->key = (s->dir.path() / "cosign.key").string();
    s->pub = (s->dir.path() / "cosign.pub").string();
    BOOST_REQUIRE(mg::GenerateKeyPair(s->key, s->pub, kPassphrase).ok());
    s->public_key = mg::LoadPublicKeyFile(s->pub).value();
    return s;
  }();
  return *shared;
}

const Json& CleanState() {
  static const Json* clean = [] {
    CliWorkspace ws;
    Prepare(ws, Namespace("clean"));
    auto run = RunToCompletion(ws, "clean.json");
    BOOST_REQUIRE_MESSAGE(run.exit_code == 0, run.Describe());
    const Json report = ws.ReadJson("clean.json");
    BOOST_REQUIRE(mg::testing::TaskIds(report, "build:").size() == kLegs);
    auto* state = new Json(RegistryState(Namespace("clean")));
    BOOST_TEST_MESSAGE("clean run: tags " << (*state)["tags"].dump());
    CheckProvenanceComplete(*state, "the clean run");
    return state;
  }();
  return *clean;
}

std::set<std::string> ReportBuilds(const Json& report, const std::string& status) {
  std::set<std::string> out;
  for (const std::string& id : mg::testing::TaskIds(report, "build:")) {
    if (mg::testing::TaskStatusOf(report, id) == status) out.insert(id);
  }
  return out;
}

}  // namespace mg::crash
