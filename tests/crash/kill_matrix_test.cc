// The kill -9 matrix at task boundaries (issue 9): the real `mirrorgraph run` mirrors one app (2
// versions x linux/amd64 + linux/arm64, a COPY-only Dockerfile built by the real buildah, so no
// emulation) into a real docker-registry, signing and attesting it, and is SIGKILLed right after
// a task boundary seen in its run journal: the first build, all builds, the first merge, the first
// sign, the first sbom. Then `mirrorgraph run` again, to completion, and:
//   (a) no build leg that finished before the kill (a "ran" event in the killed run's journal) ran
//       again, and every leg ran exactly once over both runs;
//   (b) the registry ends as after a clean, uninterrupted run (one baseline, shared): every tag
//       names the same index digest (the builds are reproducible: one upstream, commit-time
//       timestamps), the same platform manifests, one valid signature each, and the same
//       attestations — predicate types and predicates, the namespace and the provenance's run id
//       and times aside;
//   (c) the provenance is as complete as the clean run's: no `unknown`, no reconstructed marker,
//       the build times there.
// Each scenario writes its own namespace of one registry. The children of a killed run (buildah,
// git: own process groups) are reparented to this process (a child subreaper) and waited for
// before the rerun, so that the rerun never races a leftover builder (stopping them is the
// rerun's job once issue 9, finding 9 is done; this suite is about what the rerun makes).
// A last case loses the state directory instead: the provenance is reconstructed (and marked,
// and `verify` and `explain` say so), and replaced once the state directory is back.
#include <signal.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "cache/journal.h"
#include "cli_fixture.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/registry_client.h"
#include "sign/cosign_storage.h"
#include "sign/dsse.h"
#include "sign/intoto.h"
#include "sign/keys.h"
#include "sign/slsa_provenance.h"
#include "util/strings.h"

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::TestRegistry;

namespace {

constexpr char kPassphrase[] = "kill-matrix-pass";
const std::vector<std::string> kVersions = {"1.0.0", "1.1.0"};
constexpr size_t kLegs = 4;  // 2 versions x 2 platforms

// What every scenario shares: the registry, one upstream (so that every workspace builds the same
// commits, hence the same bytes), one key pair, and the clean run's registry state.
struct Shared {
  std::unique_ptr<TestRegistry> reg;
  mg::testing::TempDir dir{"mg-kill-matrix"};
  std::string upstream;
  std::string key, pub;
  std::optional<mg::PublicKey> public_key;
};

Shared& Common();
const Json& CleanState();

// The process ids whose parent is this process (zombies included).
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

// Waits for the children of a killed run, reparented to this process (a subreaper), to end.
// `before`: this process's children before the run started (the registry), never waited for.
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

struct Journal {
  std::string run_id;
  std::vector<Json> events;
  size_t Count(const std::string& type, const std::string& status) const {
    size_t n = 0;
    for (const Json& e : events) {
      n += e.value("event", "") == "task" && e.value("type", "") == type && e.value("status", "") == status ? 1 : 0;
    }
    return n;
  }
  std::set<std::string> Ids(const std::string& type, const std::string& status) const {
    std::set<std::string> out;
    for (const Json& e : events) {
      if (e.value("event", "") == "task" && e.value("type", "") == type && e.value("status", "") == status) {
        out.insert(e.value("id", ""));
      }
    }
    return out;
  }
};

std::optional<Journal> NewestJournal(const std::string& state) {
  auto run = mg::RunJournal::LastRunId(state);
  if (!run) return std::nullopt;
  auto events = mg::RunJournal::Read(state, *run);
  if (!events.ok()) return std::nullopt;
  return Journal{*run, std::move(*events)};
}

// Wakes up when a file in <state>/runs changes (inotify), or after `timeout` as a fallback.
class JournalWatch {
 public:
  explicit JournalWatch(const fs::path& runs_dir) {
    fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd_ >= 0) ::inotify_add_watch(fd_, runs_dir.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO);
  }
  ~JournalWatch() {
    if (fd_ >= 0) ::close(fd_);
  }
  void Wait(std::chrono::milliseconds timeout) {
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

 private:
  int fd_ = -1;
};

std::string Namespace(const std::string& name) { return "km-" + name; }

void Prepare(CliWorkspace& ws, const std::string& ns, const std::string& attestations_extra = "") {
  Shared& s = Common();
  ws.WriteConfig({.registry_host = s.reg->host(),
                  .ns = ns,
                  .max_versions = 2,
                  .apps = {{.name = "hello", .url = s.upstream}},
                  .extra = "\n[attestations]\nkey = " + mg::testing::TomlString(s.key) + "\n" + attestations_extra});
  ws.env()["COSIGN_PASSWORD"] = kPassphrase;
  fs::create_directories(ws.state_dir() / "runs");
}

mg::testing::CliResult RunToCompletion(CliWorkspace& ws, const std::string& report) {
  return ws.Run({"run", "-j", "2", "--json", report}, std::chrono::minutes(10));
}

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

// The registry's state for one namespace: tags -> digests; per version, per subject (index and
// platforms): its digest, its signatures (count, and whether one verifies), its attestations
// (type -> normalized predicates, sorted). Also checks every DSSE envelope verifies.
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

// (c): every provenance in `state` is complete: one per subject, no reconstructed marker, no
// unknown, the build times present.
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

// (b): `got` equals the clean run's state, reported subject by subject.
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

// The build ids with status `status` in a --json report.
std::set<std::string> ReportBuilds(const Json& report, const std::string& status) {
  std::set<std::string> out;
  for (const std::string& id : mg::testing::TaskIds(report, "build:")) {
    if (mg::testing::TaskStatusOf(report, id) == status) out.insert(id);
  }
  return out;
}

// One kill point: runs, kills -9 once `reached(journal)`, waits for the leftovers, reruns and
// checks (a), (b), (c). False when the run finished before the point was seen (not landed).
bool KillAt(const std::string& name, const std::function<bool(const Journal&)>& reached, int attempt) {
  Shared& s = Common();
  CleanState();  // the baseline first: never concurrent with a scenario
  CliWorkspace ws;
  const std::string ns = Namespace(name + "-" + std::to_string(attempt));
  Prepare(ws, ns);
  const std::string state = ws.state_dir().string();
  JournalWatch watch(ws.state_dir() / "runs");
  const std::set<pid_t> before = ChildPids();
  auto p = ws.Start({"run", "-j", "2"}, "killed");
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  for (;;) {
    std::optional<Journal> j = NewestJournal(state);
    if (j && reached(*j)) break;
    int code = 0;
    if ((*p)->Poll(&code)) {
      BOOST_TEST_MESSAGE(name << ": the run ended (exit " << code << ") before the kill point");
      return false;
    }
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, name << ": the kill point never came");
    watch.Wait(std::chrono::milliseconds(250));
  }
  (*p)->Signal(SIGKILL);
  auto killed = (*p)->Wait(std::chrono::seconds(60));
  BOOST_REQUIRE(killed.has_value());
  WaitForOrphans(before);
  if (*killed != 128 + SIGKILL) {
    BOOST_TEST_MESSAGE(name << ": the run ended (exit " << *killed << ") before the kill landed");
    return false;
  }
  std::optional<Journal> killed_journal = NewestJournal(state);
  BOOST_REQUIRE(killed_journal.has_value());
  const std::set<std::string> built_before = killed_journal->Ids("build", "ran");
  BOOST_TEST_MESSAGE(name << ": killed after " << built_before.size() << " build(s), "
                          << killed_journal->Count("merge", "ran") << " merge(s), " << killed_journal->Count("sign", "ran")
                          << " sign, " << killed_journal->Count("sbom", "ran") << " sbom, "
                          << killed_journal->Count("provenance", "ran") << " provenance");

  auto rerun = RunToCompletion(ws, "rerun.json");
  BOOST_TEST_REQUIRE(rerun.exit_code == 0, name << ": " << rerun.Describe());
  const Json report = ws.ReadJson("rerun.json");
  BOOST_REQUIRE(report.is_object());

  // (a) no completed leg built twice; every leg built once over the two runs.
  const std::set<std::string> built_again = ReportBuilds(report, "ran");
  for (const std::string& id : built_before) {
    BOOST_TEST(built_again.count(id) == 0u, name << ": " << id << " finished before the kill and ran again");
  }
  BOOST_TEST(built_before.size() + built_again.size() == kLegs,
             name << ": " << built_before.size() << " leg(s) built before the kill, " << built_again.size() << " after");
  // (b) and (c).
  const Json got = RegistryState(ns);
  CheckSameAsClean(got, name);
  CheckProvenanceComplete(got, name);

  // `verify` agrees: everything verifies, no warning.
  auto verify = ws.Run({"verify", s.reg->host() + "/" + ns + "/hello:" + kVersions[0], "--key", s.pub, "--plain-http"});
  BOOST_TEST(verify.exit_code == 0, verify.Describe());
  BOOST_TEST(verify.out.find("warning:") == std::string::npos, verify.Describe());
  return true;
}

void KillMatrixCase(const std::string& name, const std::function<bool(const Journal&)>& reached) {
  // A kill point is a race with a fast run (the point may be the run's last); allow one retry.
  bool landed = false;
  for (int attempt = 0; attempt < 2 && !landed; ++attempt) landed = KillAt(name, reached, attempt);
  BOOST_TEST(landed, name << ": the kill never landed before the run ended");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(kill_matrix_test)

BOOST_AUTO_TEST_CASE(kill_after_the_first_build) {
  KillMatrixCase("first-build", [](const Journal& j) { return j.Count("build", "ran") >= 1; });
}

BOOST_AUTO_TEST_CASE(kill_after_all_builds) {
  KillMatrixCase("all-builds", [](const Journal& j) { return j.Count("build", "ran") >= kLegs; });
}

BOOST_AUTO_TEST_CASE(kill_after_the_first_merge) {
  KillMatrixCase("merge", [](const Journal& j) { return j.Count("merge", "ran") >= 1; });
}

BOOST_AUTO_TEST_CASE(kill_after_the_first_sign) {
  KillMatrixCase("sign", [](const Journal& j) { return j.Count("sign", "ran") >= 1; });
}

BOOST_AUTO_TEST_CASE(kill_after_the_first_sbom) {
  KillMatrixCase("sbom", [](const Journal& j) { return j.Count("sbom", "ran") >= 1; });
}

// Finding 3 end to end: the image is made with provenance off; then provenance is turned on and
// the state directory is lost: the provenance can only be reconstructed — marked so, and `verify`
// and `explain` say it. The state directory comes back: the next run replaces it with the full one.
BOOST_AUTO_TEST_CASE(a_reconstructed_provenance_is_reported_and_replaced_when_the_state_returns) {
  Shared& s = Common();
  CleanState();
  CliWorkspace ws;
  const std::string ns = Namespace("reconstructed");
  const std::string image = s.reg->host() + "/" + ns + "/hello:" + kVersions[1];
  Prepare(ws, ns, "provenance = false\n");
  auto first = RunToCompletion(ws, "first.json");
  BOOST_TEST_REQUIRE(first.exit_code == 0, first.Describe());
  const fs::path saved = ws.dir() / "saved-state";
  fs::rename(ws.state_dir(), saved);

  Prepare(ws, ns);
  auto lost = RunToCompletion(ws, "lost.json");
  BOOST_TEST_REQUIRE(lost.exit_code == 0, lost.Describe());
  const std::string id = "provenance:hello@" + kVersions[1];
  BOOST_TEST(mg::testing::TaskStatusOf(ws.ReadJson("lost.json"), id) == "ran");
  auto verify = ws.Run({"verify", image, "--key", s.pub, "--plain-http"});
  BOOST_TEST(verify.exit_code == 0, verify.Describe());  // documented: a warning, not a failure
  BOOST_TEST(mg::testing::CountLinesContaining(verify.out, "warning: ") == 3u, verify.Describe());
  BOOST_TEST(verify.out.find("the provenance is reconstructed (the image was complete before this run") != std::string::npos,
             verify.Describe());
  BOOST_TEST(verify.out.find("it does not say: builder, edits applied, engine, finishedOn, plugin, recipe, startedOn") !=
                 std::string::npos,
             verify.Describe());
  auto explain = ws.Run({"explain", id});
  BOOST_TEST(explain.exit_code == 0, explain.Describe());
  BOOST_TEST(explain.out.find("provenance: RECONSTRUCTED from the index annotations of sha256:") != std::string::npos,
             explain.Describe());

  // The state directory that built it is back: the recorded merge result and journal serve.
  fs::remove_all(ws.state_dir());
  fs::rename(saved, ws.state_dir());
  auto back = RunToCompletion(ws, "back.json");
  BOOST_TEST_REQUIRE(back.exit_code == 0, back.Describe());
  BOOST_TEST(mg::testing::TaskStatusOf(ws.ReadJson("back.json"), id) == "ran");
  BOOST_TEST(mg::testing::TaskStatusOf(ws.ReadJson("back.json"), "merge:hello@" + kVersions[1]) == "unneeded");
  const Json got = RegistryState(ns);
  CheckSameAsClean(got, "state back");
  CheckProvenanceComplete(got, "state back");
  verify = ws.Run({"verify", image, "--key", s.pub, "--plain-http"});
  BOOST_TEST(verify.exit_code == 0, verify.Describe());
  BOOST_TEST(verify.out.find("warning:") == std::string::npos, verify.Describe());
  explain = ws.Run({"explain", id});
  BOOST_TEST(explain.out.find("provenance: from the recorded merge of sha256:") != std::string::npos, explain.Describe());
  BOOST_TEST(explain.out.find("it replaced a reconstructed provenance") != std::string::npos, explain.Describe());
}

BOOST_AUTO_TEST_SUITE_END()
