// `mirrorgraph run` really mirrors: a local git upstream built with the real buildah for
// linux/amd64 and linux/arm64, pushed by digest to a real docker-registry, merged into one index,
// tagged with the version, and `latest` on the highest release. Checked independently with skopeo.
//
// The upstream's Dockerfile has a RUN step when the machine can run arm64 binaries (qemu binfmt
// registered, and static busybox binaries for both architectures in MG_TEST_ASSETS, which
// scripts/fetch-test-assets.sh prepares); otherwise it is COPY-only, and the test says so.
// Failures and kills are injected by a `buildah` wrapper put first on PATH: the engine's keys do not
// depend on the builder's path, so a rerun without the injection finds the same keys.
#include <signal.h>
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <thread>

#include "build/builder.h"
#include "build/buildah_builder.h"
#include "cache/journal.h"
#include "cli_fixture.h"
#include "graph/task.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/registry_client.h"
#include "util/sha256.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;
using mg::testing::CliWorkspace;
using mg::testing::FindTask;
using mg::testing::TaskReasonOf;
using mg::testing::TaskStatusOf;
using mg::testing::TestRegistry;

namespace {

const std::vector<std::string> kPlatforms = {"linux/amd64", "linux/arm64"};

std::string Slurp(const fs::path& p) { return mg::testing::ReadFile(p); }

// Runs a tool to completion; non-zero exit is an error carrying its output.
mg::Status RunCmd(const std::vector<std::string>& argv) {
  mg::SubprocessOptions o;
  o.argv = argv;
  o.timeout = std::chrono::minutes(2);
  auto r = mg::RunSubprocess(o);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) return mg::Status::Unavailable(argv[0] + " failed: " + r->stdout_text + r->stderr_text);
  return mg::Status::OK();
}

// Static busybox binaries for both architectures, when prepared and runnable here.
std::optional<fs::path> BusyboxAssets(std::string* why) {
  const char* env = std::getenv("MG_TEST_ASSETS");
  fs::path dir = env != nullptr && *env != '\0' ? fs::path(env) : fs::path("/var/cache/mirrorgraph-test");
  for (const char* arch : {"amd64", "arm64"}) {
    if (!fs::exists(dir / "busybox" / arch / "busybox")) {
      *why = (dir / "busybox" / arch / "busybox").string() + " is missing (scripts/fetch-test-assets.sh)";
      return std::nullopt;
    }
  }
  std::ifstream handler("/proc/sys/fs/binfmt_misc/qemu-aarch64");
  std::string state;
  if (!handler || !std::getline(handler, state) || state != "enabled") {
    *why = "qemu-aarch64 is not registered with binfmt_misc (scripts/enable-binfmt.sh)";
    return std::nullopt;
  }
  return dir / "busybox";
}

// The upstream "hello": one commit per tag. With busybox, a RUN step writes the machine name
// uname reports (x86_64 / aarch64) into the image.
std::map<std::string, std::string> HelloFiles(bool* with_run) {
  std::string why;
  auto assets = BusyboxAssets(&why);
  std::map<std::string, std::string> files = {{"hello.txt", "hello from @TAG@\n"}};
  std::string dockerfile =
      "FROM scratch\n"
      "ARG TARGETARCH\n"
      "ARG VERSION=unknown\n"
      "LABEL org.example.version=\"${VERSION}\"\n"
      "COPY hello.txt /hello.txt\n";
  if (assets) {
    for (const char* arch : {"amd64", "arm64"}) files[std::string("busybox-") + arch] = Slurp(*assets / arch / "busybox");
    dockerfile +=
        "COPY --chmod=0755 busybox-${TARGETARCH} /bin/busybox\n"
        "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"/bin/busybox uname -m > /arch.txt\"]\n";
    *with_run = true;
  } else {
    BOOST_TEST_MESSAGE("COPY-only Dockerfile: " << why);
    *with_run = false;
  }
  files["Dockerfile"] = dockerfile;
  return files;
}

// A `buildah` wrapper first on PATH. It logs "start <leg>" and "done <leg>" for every `bud` (the
// leg is the name of the task's work directory, where bud runs), fails arm64 buds while <dir>/fail-arm64 exists, and
// hangs (recording its pid) in the bud of the leg named in <dir>/hang. It logs every other
// buildah command's first word after the global options ("other rm", "other push").
void InstallBuildahWrapper(CliWorkspace& ws) {
  fs::path bin = ws.dir() / "bin";
  fs::create_directories(bin);
  const std::string d = ws.dir().string();
  std::ofstream out(bin / "buildah");
  out << "#!/bin/sh\n"
         "leg=''; prev=''; bud=0; arm=0; cmd=''\n"
         "for a in \"$@\"; do\n"
         "  [ \"$a\" = bud ] && bud=1\n"
         "  [ \"$a\" = linux/arm64 ] && arm=1\n"
         "  case $prev in --root|--runroot|--storage-driver) ;; *)\n"
         "    case $a in -*) ;; *) [ -z \"$cmd\" ] && cmd=$a ;; esac ;;\n"
         "  esac\n"
         "  case $prev/$a in --tag/oci:*) leg=$(basename \"$PWD\") && leg=${leg%.*} ;; esac\n"
         "  prev=$a\n"
         "done\n"
         "[ $bud = 1 ] || { [ -z \"$cmd\" ] || echo \"other $cmd\" >> " << d << "/buildah.log; "
         "exec /usr/bin/buildah \"$@\"; }\n"
         "echo \"start $leg\" >> " << d << "/buildah.log\n"
         "if [ $arm = 1 ] && [ -e " << d << "/fail-arm64 ]; then echo 'injected failure of the arm64 leg' >&2; exit 1; fi\n"
         "if [ -e " << d << "/hang ] && [ \"$leg\" = \"$(cat " << d << "/hang)\" ]; then\n"
         "  echo $$ > " << d << "/hang.pid; sleep 600; exit 1\n"
         "fi\n"
         "/usr/bin/buildah \"$@\" || exit $?\n"
         "echo \"done $leg\" >> " << d << "/buildah.log\n";
  out.close();
  fs::permissions(bin / "buildah", fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  ws.env()["PATH"] = bin.string() + ":" + std::getenv("PATH");
}

// "start"/"done" lines of the wrapper's log, per leg; "other" lines, per command.
std::map<std::string, int> LegEvents(CliWorkspace& ws, const std::string& what) {
  std::map<std::string, int> out;
  std::ifstream in(ws.dir() / "buildah.log");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(what + " ", 0) == 0) out[line.substr(what.size() + 1)]++;
  }
  return out;
}

// The build task's work directory stem (graph TaskFileStem).
std::string Leg(const std::string& version, const std::string& platform) {
  return mg::TaskFileStem("build:hello@" + version + "/" + platform);
}

struct Mirror {
  CliWorkspace ws;
  TestRegistry* registry = nullptr;
  std::string ns;
  bool with_run = false;

  std::string repo() const { return ns + "/hello"; }

  void Prepare(TestRegistry& reg, const std::string& namespace_, const std::vector<std::string>& tags,
               const std::string& extra = "") {
    registry = &reg;
    ns = namespace_;
    auto url = ws.MakeUpstream("hello", tags, HelloFiles(&with_run));
    BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
    InstallBuildahWrapper(ws);
    ws.WriteConfig({.registry_host = reg.host(),
                    .ns = ns,
                    .max_versions = 3,
                    .apps = {{.name = "hello", .url = *url, .extra = "[apps.hello.build]\nargs = { VERSION = \"{version}\" }\n"}},
                    .extra = "\n[attestations]\nsbom = false\nsign = false\nprovenance = false\n" + extra});
  }

  mg::testing::CliResult Run(const std::string& report) {
    return ws.Run({"run", "-j", "4", "--json", report}, std::chrono::minutes(10));
  }

  // The manifest at `reference`, parsed (a discarded Json when skopeo cannot read it).
  Json Inspect(const std::string& reference) const {
    auto raw = mg::testing::SkopeoInspectRaw(*registry, repo(), reference);
    if (!raw.ok()) return Json(Json::value_t::discarded);
    return Json::parse(*raw, nullptr, false);
  }
  std::string DigestOf(const std::string& reference) const {
    auto raw = mg::testing::SkopeoInspectRaw(*registry, repo(), reference);
    return raw.ok() ? mg::Sha256Digest(*raw) : "";
  }
};

// The content of `path` in the image manifest `digest` (its layers, top first), via skopeo and
// tar; "" when absent.
std::string FileInImage(const Mirror& m, const std::string& digest, const std::string& path) {
  mg::testing::TempDir dir("mg-image");
  mg::SubprocessOptions o;
  o.argv = {"skopeo", "copy", "--src-tls-verify=false",
            "docker://" + m.registry->host() + "/" + m.repo() + "@" + digest, "dir:" + (dir.path() / "img").string()};
  o.timeout = std::chrono::minutes(2);
  auto copied = mg::RunSubprocess(o);
  if (!copied.ok() || copied->exit_code != 0) return "";
  Json manifest = Json::parse(Slurp(dir.path() / "img" / "manifest.json"), nullptr, false);
  if (!manifest.is_object()) return "";
  const Json& layers = manifest["layers"];
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    std::string hex = it->value("digest", "").substr(7);
    mg::SubprocessOptions t;
    t.argv = {"tar", "-xzOf", (dir.path() / "img" / hex).string(), path};
    t.timeout = std::chrono::minutes(1);
    auto r = mg::RunSubprocess(t);
    if (r.ok() && r->exit_code == 0) return r->stdout_text;
  }
  return "";
}

// Counts of report tasks with `status` whose id starts with `prefix`.
int Count(const Json& report, const std::string& prefix, const std::string& status) {
  int n = 0;
  for (const Json& t : report["tasks"]) {
    if (t.value("id", "").rfind(prefix, 0) == 0 && t.value("status", "") == status) ++n;
  }
  return n;
}

// The index at `version` holds exactly both platforms, each an image manifest for it.
void CheckIndex(const Mirror& m, const std::string& version) {
  Json index = m.Inspect(version);
  BOOST_TEST_REQUIRE(index.is_object(), "no index at " << m.repo() << ":" << version);
  BOOST_TEST(index.value("mediaType", "") == "application/vnd.oci.image.index.v1+json");
  std::set<std::string> platforms;
  for (const Json& e : index["manifests"]) {
    platforms.insert(e["platform"].value("os", "") + "/" + e["platform"].value("architecture", ""));
    BOOST_TEST(e.value("mediaType", "") == "application/vnd.oci.image.manifest.v1+json");
    Json image = m.Inspect(e.value("digest", ""));
    BOOST_TEST(image.is_object(), "platform manifest " << e.value("digest", "") << " unreadable");
  }
  BOOST_TEST((platforms == std::set<std::string>{"linux/amd64", "linux/arm64"}), version);
  BOOST_TEST(index["annotations"].value("org.opencontainers.image.version", "") == version);
  BOOST_TEST(index["annotations"].value("org.opencontainers.image.revision", "").size() == 40u);
}

// A BuildahBuilder with its own state directory, pushing to `registry_host` over plain HTTP through
// a client it owns: what the builder cases drive directly.
struct LocalBuildah {
  LocalBuildah(const std::string& registry_host, const fs::path& state_dir)
      : registry(http, registry_host, true, std::nullopt), builder([&] {
          mg::BuilderSettings s;
          s.state_dir = state_dir.string();
          s.registry = &registry;
          return s;
        }()) {}
  mg::CurlTransport transport;
  mg::HttpClient http{transport};
  mg::RegistryClient registry;
  mg::BuildahBuilder builder;
};

// A build context under `dir`: a Dockerfile that copies a.txt (holding `text`) into scratch.
fs::path WriteCopyContext(const fs::path& dir, const std::string& text) {
  const fs::path context = dir / "context";
  fs::create_directories(context);
  std::ofstream(context / "Dockerfile") << "FROM scratch\nCOPY a.txt /a.txt\n";
  std::ofstream(context / "a.txt") << text << "\n";
  return context;
}

// A build of `dockerfile` in `context` for the host's platform, pushed over plain HTTP to
// `registry`/`repository`, in work directory `work_dir` (created): what the builder cases send
// straight to BuildahBuilder.
mg::BuildRequest LocalBuildRequest(const fs::path& context, const std::string& dockerfile, const std::string& registry,
                                   const std::string& repository, const fs::path& work_dir) {
  mg::BuildRequest r;
  r.context_dir = context.string();
  r.dockerfile = (context / dockerfile).string();
  r.platform = "linux/" + mg::HostArch();
  r.registry = registry;
  r.repository = repository;
  r.plain_http = true;
  r.source_epoch = 0;
  r.work_dir = work_dir.string();
  r.timeout = std::chrono::minutes(5);
  fs::create_directories(work_dir);
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(build_merge_test)

BOOST_AUTO_TEST_CASE(run_builds_every_platform_merges_tags_and_moves_latest) {
  Mirror m;
  m.Prepare(mg::testing::SharedPlainRegistry(), "buildtest", {"v1.0.0", "v1.1.0", "v1.2.0", "v2.0.0-rc.1"});
  // The default tag pattern takes releases only: 1.0.0, 1.1.0, 1.2.0.
  auto r = m.Run("run.json");
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.Describe());
  Json report = m.ws.ReadJson("run.json");
  BOOST_TEST(Count(report, "build:", "ran") == 6);
  BOOST_TEST(Count(report, "merge:", "ran") == 3);
  for (const std::string v : {"1.0.0", "1.1.0", "1.2.0"}) {
    CheckIndex(m, v);
    const Json* build = FindTask(report, "build:hello@" + v + "/linux/arm64");
    BOOST_TEST_REQUIRE(build != nullptr);
    BOOST_TEST(build->at("result").value("digest", "").rfind("sha256:", 0) == 0u);
    BOOST_TEST(build->at("result")["source"].value("commit", "").size() == 40u);
    BOOST_TEST(build->at("result")["builder"].value("name", "") == "buildah");
  }
  // latest is the highest release's index.
  BOOST_TEST(m.DigestOf("latest") == m.DigestOf("1.2.0"));
  BOOST_TEST(m.DigestOf("latest") != m.DigestOf("1.1.0"));
  // No built image went into buildah's storage: each build committed to its OCI layout, so the
  // only other buildah commands were the one sweep of the run before its first build (`rm --all`,
  // `rmi --prune`), no push, no removal per leg; and the storage holds no image (all are built FROM
  // scratch).
  const std::map<std::string, int> others = LegEvents(m.ws, "other");
  BOOST_TEST((others == std::map<std::string, int>{{"rm", 1}, {"rmi", 1}}),
             "other buildah commands: " << others.size() << (others.empty() ? "" : ", first " + others.begin()->first));
  const std::string storage = (m.ws.state_dir() / "buildah").string();
  mg::SubprocessOptions list;
  list.argv = {"buildah", "--root", storage + "/root", "--runroot", storage + "/run", "--storage-driver", "vfs",
               "images", "--all", "--quiet", "--no-trunc"};
  list.timeout = std::chrono::minutes(2);
  auto images = mg::RunSubprocess(list);
  BOOST_TEST_REQUIRE(images.ok(), images.status().ToString());
  BOOST_TEST_REQUIRE(images->exit_code == 0, images->stderr_text);
  BOOST_TEST(std::string(mg::Trim(images->stdout_text)).empty(), "still in " + storage + ":\n" + images->stdout_text);
  // Each image holds the version's file, and the RUN step ran on each platform's own machine
  // type (arm64 under emulation): uname -m inside the build said so.
  Json index = m.Inspect("1.2.0");
  for (const Json& e : index["manifests"]) {
    const std::string arch = e["platform"].value("architecture", "");
    BOOST_TEST(FileInImage(m, e.value("digest", ""), "hello.txt") == "hello from v1.2.0\n", arch);
    if (m.with_run) {
      BOOST_TEST(FileInImage(m, e.value("digest", ""), "arch.txt") == (arch == "arm64" ? "aarch64\n" : "x86_64\n"), arch);
    }
  }

  // A second run changes nothing: every image is complete.
  auto again = m.Run("again.json");
  BOOST_TEST_REQUIRE(again.exit_code == 0, again.Describe());
  Json second = m.ws.ReadJson("again.json");
  BOOST_TEST(Count(second, "build:", "unneeded") == 6);
  BOOST_TEST(Count(second, "merge:", "unneeded") == 3);
  BOOST_TEST(second["summary"].value("ran", 0) == 4);  // discover + 3 probes

  // Someone points latest elsewhere: the next run moves it back and builds nothing.
  std::string v110 = m.DigestOf("1.1.0");
  auto manifest = mg::testing::SkopeoInspectRaw(*m.registry, m.repo(), "1.1.0");
  BOOST_REQUIRE(manifest.ok());
  auto skopeo = RunCmd({"skopeo", "copy", "--all", "--src-tls-verify=false", "--dest-tls-verify=false",
                        "docker://" + m.registry->host() + "/" + m.repo() + ":1.1.0",
                        "docker://" + m.registry->host() + "/" + m.repo() + ":latest"});
  BOOST_REQUIRE_MESSAGE(skopeo.ok(), skopeo.ToString());
  BOOST_REQUIRE(m.DigestOf("latest") == v110);
  auto fix = m.Run("fix.json");
  BOOST_TEST_REQUIRE(fix.exit_code == 0, fix.Describe());
  Json third = m.ws.ReadJson("fix.json");
  BOOST_TEST(m.DigestOf("latest") == m.DigestOf("1.2.0"));
  BOOST_TEST(mg::testing::FindTask(third, "probe:hello@1.2.0")->at("result").value("state", "") == "incomplete");
  BOOST_TEST(TaskStatusOf(third, "merge:hello@1.2.0") == "ran");
  BOOST_TEST(TaskReasonOf(third, "merge:hello@1.2.0").find("re-tagged") != std::string::npos,
             TaskReasonOf(third, "merge:hello@1.2.0"));
  BOOST_TEST(Count(third, "build:", "ran") == 0);
  BOOST_TEST(LegEvents(m.ws, "done").size() == 6u);

  // A new upstream release: built, merged, and latest moves to it; 1.0.0 leaves the window.
  auto url = mg::testing::MakeGitUpstream(m.ws.dir() / "upstreams" / "hello", {"v1.3.0"}, HelloFiles(&m.with_run));
  BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
  auto next = m.Run("next.json");
  BOOST_TEST_REQUIRE(next.exit_code == 0, next.Describe());
  Json fourth = m.ws.ReadJson("next.json");
  BOOST_TEST(Count(fourth, "build:hello@1.3.0", "ran") == 2);
  BOOST_TEST(Count(fourth, "build:", "ran") == 2);
  CheckIndex(m, "1.3.0");
  BOOST_TEST(m.DigestOf("latest") == m.DigestOf("1.3.0"));
}

BOOST_AUTO_TEST_CASE(a_failed_leg_tags_nothing_and_the_rerun_builds_only_that_leg) {
  Mirror m;
  m.Prepare(mg::testing::SharedPlainRegistry(), "failtest", {"v1.0.0", "v1.1.0"});
  std::ofstream(m.ws.dir() / "fail-arm64") << "1";
  auto r = m.Run("run.json");
  BOOST_TEST_REQUIRE(r.exit_code == 1, r.Describe());
  Json report = m.ws.ReadJson("run.json");
  BOOST_TEST(Count(report, "build:", "failed") == 2);
  BOOST_TEST(Count(report, "build:", "ran") == 2);
  BOOST_TEST(Count(report, "merge:", "blocked") == 2);
  const Json* failed = FindTask(report, "build:hello@1.1.0/linux/arm64");
  BOOST_TEST_REQUIRE(failed != nullptr);
  BOOST_TEST(failed->value("error", "").find("injected failure of the arm64 leg") != std::string::npos, failed->dump());
  // Nothing is tagged, not even the versions whose amd64 leg was pushed.
  for (const std::string v : {"1.0.0", "1.1.0", "latest"}) BOOST_TEST(!m.Inspect(v).is_object(), v);

  fs::remove(m.ws.dir() / "fail-arm64");
  auto again = m.Run("again.json");
  BOOST_TEST_REQUIRE(again.exit_code == 0, again.Describe());
  BOOST_TEST(again.err.find("warning") == std::string::npos, again.err);
  Json second = m.ws.ReadJson("again.json");
  BOOST_TEST(Count(second, "build:", "ran") == 2);
  BOOST_TEST(Count(second, "build:", "ran") == Count(second, "build:hello@", "ran"));
  for (const std::string v : {"1.0.0", "1.1.0"}) {
    BOOST_TEST(TaskStatusOf(second, "build:hello@" + v + "/linux/arm64") == "ran");
    BOOST_TEST(TaskStatusOf(second, "build:hello@" + v + "/linux/amd64") == "cached");
    // The cached amd64 digest was checked in the registry before the merge used it.
    BOOST_TEST(TaskReasonOf(second, "build:hello@" + v + "/linux/amd64").find("re-checked sha256:") != std::string::npos,
               TaskReasonOf(second, "build:hello@" + v + "/linux/amd64"));
    CheckIndex(m, v);
  }
  BOOST_TEST(m.DigestOf("latest") == m.DigestOf("1.1.0"));
  // Each amd64 leg was built once, each arm64 leg once successfully.
  for (const auto& [leg, n] : LegEvents(m.ws, "done")) BOOST_TEST(n == 1, leg);
  BOOST_TEST(LegEvents(m.ws, "done").size() == 4u);
}

BOOST_AUTO_TEST_CASE(kill_during_a_build_then_rerun_gives_the_same_end_state_and_no_leg_twice) {
  Mirror m;
  m.Prepare(mg::testing::SharedPlainRegistry(), "killtest", {"v1.0.0", "v1.1.0"});
  const std::string hung = Leg("1.0.0", "linux/arm64");
  std::ofstream(m.ws.dir() / "hang") << hung;
  auto p = m.ws.Start({"run", "-j", "4"}, "killed");
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!fs::exists(m.ws.dir() / "hang.pid") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  BOOST_REQUIRE_MESSAGE(fs::exists(m.ws.dir() / "hang.pid"), "the hung leg never started: " << Slurp(m.ws.dir() / "killed.err"));
  // Let the amd64 legs be recorded (the arm64 pool may hold the other arm64 leg behind the hung
  // one), then kill -9.
  const std::string state = m.ws.state_dir().string();
  auto recorded_builds = [&] {
    std::set<std::string> out;
    auto run_id = mg::RunJournal::LastRunId(state);
    if (!run_id) return out;
    auto events = mg::RunJournal::Read(state, *run_id);
    if (!events.ok()) return out;
    for (const Json& e : *events) {
      if (e.value("event", "") == "task" && e.value("id", "").rfind("build:", 0) == 0 && e.value("status", "") == "ran") {
        out.insert(e.value("id", ""));
      }
    }
    return out;
  };
  deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (recorded_builds().size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  (*p)->Signal(SIGKILL);
  BOOST_REQUIRE((*p)->Wait(std::chrono::seconds(30)).has_value());
  // The orphaned wrapper is killed too (a real buildah would have been: it is the same process group).
  int pid = std::atoi(Slurp(m.ws.dir() / "hang.pid").c_str());
  if (pid > 0) ::kill(pid, SIGKILL);

  // What the killed run recorded as built.
  const std::set<std::string> built_before = recorded_builds();
  BOOST_TEST(built_before.size() >= 2u);
  BOOST_TEST(!built_before.count("build:hello@1.0.0/linux/arm64"));
  // The version whose leg hung is not tagged (1.1.0 may be: its legs can finish before the kill).
  BOOST_TEST(!m.Inspect("1.0.0").is_object());

  fs::remove(m.ws.dir() / "hang");
  auto again = m.Run("again.json");
  BOOST_TEST_REQUIRE(again.exit_code == 0, again.Describe());
  Json second = m.ws.ReadJson("again.json");
  // The rerun built exactly the legs the killed run had not recorded.
  std::set<std::string> built_after;
  for (const Json& t : second["tasks"]) {
    if (t.value("id", "").rfind("build:", 0) == 0 && t.value("status", "") == "ran") built_after.insert(t.value("id", ""));
  }
  BOOST_TEST(built_before.size() + built_after.size() == 4u);
  for (const std::string& id : built_before) BOOST_TEST(!built_after.count(id), id);
  for (const std::string v : {"1.0.0", "1.1.0"}) CheckIndex(m, v);
  BOOST_TEST(m.DigestOf("latest") == m.DigestOf("1.1.0"));
  // No leg recorded by the killed run was built again. (A leg whose `buildah bud` finished but
  // whose push was cut by the kill was not recorded, and is rightly built again.)
  std::map<std::string, int> done = LegEvents(m.ws, "done");
  for (const std::string& id : built_before) {
    std::string v = id.substr(id.find('@') + 1, id.find('/') - id.find('@') - 1);
    BOOST_TEST(done[Leg(v, id.substr(id.find('/') + 1))] == 1, id);
  }
  BOOST_TEST(done.size() == 4u);
}

BOOST_AUTO_TEST_CASE(an_incomplete_index_is_repaired_and_a_lost_image_rebuilt) {
  Mirror m;
  m.Prepare(mg::testing::SharedPlainRegistry(), "repairtest", {"v1.0.0"});
  auto r = m.Run("run.json");
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.Describe());
  std::string full = m.DigestOf("1.0.0");
  // Tag 1.0.0 now points at the amd64 image alone (an incomplete "index").
  Json index = m.Inspect("1.0.0");
  std::string amd64;
  for (const Json& e : index["manifests"]) {
    if (e["platform"].value("architecture", "") == "amd64") amd64 = e.value("digest", "");
  }
  BOOST_REQUIRE(!amd64.empty());
  auto copy = RunCmd({"skopeo", "copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                      "docker://" + m.registry->host() + "/" + m.repo() + "@" + amd64,
                      "docker://" + m.registry->host() + "/" + m.repo() + ":1.0.0"});
  BOOST_REQUIRE_MESSAGE(copy.ok(), copy.ToString());
  BOOST_REQUIRE(m.DigestOf("1.0.0") == amd64);

  auto again = m.Run("again.json");
  BOOST_TEST_REQUIRE(again.exit_code == 0, again.Describe());
  Json second = m.ws.ReadJson("again.json");
  BOOST_TEST(FindTask(second, "probe:hello@1.0.0")->at("result").value("state", "") == "incomplete");
  BOOST_TEST(Count(second, "build:", "cached") == 2);
  BOOST_TEST(TaskStatusOf(second, "merge:hello@1.0.0") == "ran");
  BOOST_TEST(m.DigestOf("1.0.0") == full);
  CheckIndex(m, "1.0.0");
}

BOOST_AUTO_TEST_CASE(an_auth_protected_registry_works) {
  TestRegistry& reg = mg::testing::SharedAuthRegistry();
  Mirror m;
  m.Prepare(reg, "authtest", {"v1.0.0"});
  m.ws.env()["MIRRORGRAPH_REGISTRY_USERNAME"] = reg.options().user;
  m.ws.env()["MIRRORGRAPH_REGISTRY_PASSWORD"] = reg.options().password;
  auto r = m.Run("run.json");
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.Describe());
  CheckIndex(m, "1.0.0");
  BOOST_TEST(m.DigestOf("latest") == m.DigestOf("1.0.0"));
  // The password reached no log, report or state file.
  for (const fs::path& f : mg::testing::FilesUnder(m.ws.state_dir())) {
    BOOST_TEST(Slurp(f).find(reg.options().password) == std::string::npos, f.string());
  }
  BOOST_TEST(r.err.find(reg.options().password) == std::string::npos);
  // No auth file is left behind.
  BOOST_TEST((!fs::exists(m.ws.state_dir() / "work") || fs::is_empty(m.ws.state_dir() / "work")));
}

// The Outline pattern: `app` is built FROM `base` of the same version, pulled back from the target
// registry (plain HTTP: the build's registries.conf marks it insecure); its layers reuse base's.
BOOST_AUTO_TEST_CASE(an_image_built_from_another_image_of_the_app) {
  TestRegistry& reg = mg::testing::SharedPlainRegistry();
  CliWorkspace ws;
  std::map<std::string, std::string> files = {
      {"hello.txt", "hello from @TAG@\n"},
      {"Dockerfile.base", "FROM scratch\nCOPY hello.txt /base.txt\n"},
      {"Dockerfile", "ARG BASE_IMAGE=example.invalid/base\nFROM ${BASE_IMAGE}\nCOPY hello.txt /app.txt\n"}};
  auto url = ws.MakeUpstream("duo", {"v1.0.0"}, files);
  BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
  ws.WriteConfig({.registry_host = reg.host(),
                  .ns = "duotest",
                  .apps = {{.name = "duo",
                            .url = *url,
                            .extra = "images = [\n"
                                     "  { name = \"base\", build = { dockerfile = \"Dockerfile.base\" } },\n"
                                     "  { name = \"app\", depends_on = [\"base\"], build = { args = { BASE_IMAGE = "
                                     "\"{registry}/{namespace}/base:{version}\" } } },\n"
                                     "]\n"}},
                  .extra = "\n[attestations]\nsbom = false\nsign = false\nprovenance = false\n"});
  auto r = ws.Run({"run", "--json", "run.json"}, std::chrono::minutes(10));
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.Describe());
  Json report = ws.ReadJson("run.json");
  BOOST_TEST(Count(report, "build:duo/", "ran") == 4);
  // app's builds waited for base's merge.
  const Json* base_merge = FindTask(report, "merge:duo/base@1.0.0");
  const Json* app_build = FindTask(report, "build:duo/app@1.0.0/linux/arm64");
  BOOST_TEST_REQUIRE((base_merge != nullptr && app_build != nullptr));
  BOOST_TEST(app_build->value("started_at", int64_t{0}) >= base_merge->value("finished_at", int64_t{0}));
  for (const char* arch : {"amd64", "arm64"}) {
    auto layers_of = [&](const std::string& repo) {
      auto index = mg::testing::SkopeoInspectRaw(reg, repo, "1.0.0");
      BOOST_REQUIRE_MESSAGE(index.ok(), index.status().ToString());
      const Json parsed = Json::parse(*index);
      for (const Json& e : parsed["manifests"]) {
        if (e["platform"].value("architecture", "") != arch) continue;
        auto image = mg::testing::SkopeoInspectRaw(reg, repo, e.value("digest", ""));
        BOOST_REQUIRE(image.ok());
        std::vector<std::string> out;
        const Json manifest = Json::parse(*image);
        for (const Json& l : manifest["layers"]) out.push_back(l.value("digest", ""));
        return out;
      }
      return std::vector<std::string>{};
    };
    std::vector<std::string> base = layers_of("duotest/base"), app = layers_of("duotest/app");
    BOOST_TEST_REQUIRE(base.size() == 1u, arch << ": base has " << base.size() << " layers, app " << app.size());
    BOOST_TEST_REQUIRE(app.size() == 2u, arch);
    BOOST_TEST(app[0] == base[0], arch);  // the base's layer, mounted rather than uploaded again
  }
}

// buildah commits each image to the build's OCI layout, never to its storage: whether the build
// succeeds, fails while building, or builds and then cannot push, the storage holds no image
// afterwards and the layout is gone. A layout left in the work directory by an earlier attempt is
// replaced, not added to. The state and work directories have a ':' in their paths, which the
// `oci:` transport would take for the end of the path if the layout were named absolutely. What an
// interrupted bud of an earlier run left in the storage is gone after the first build.
BOOST_AUTO_TEST_CASE(builds_leave_no_image_in_buildahs_storage_whatever_their_end) {
  TestRegistry& reg = mg::testing::SharedPlainRegistry();
  mg::testing::TempDir dir("mg-buildah-layout");
  const fs::path context = WriteCopyContext(dir.path(), "committed to a layout");
  std::ofstream(context / "Dockerfile.missing") << "FROM scratch\nCOPY absent.txt /absent.txt\n";
  std::ofstream(dir.path() / "no-credentials.json") << "{\"auths\":{}}\n";
  mg::CurlTransport transport;
  mg::HttpClient http{transport};
  mg::RegistryClient registry{http, reg.host(), true, std::nullopt};
  const mg::testing::ClosedLoopbackPort closed;  // bound, never listening: connections refused
  BOOST_TEST_REQUIRE(closed.port() != 0);
  mg::RegistryClient nowhere{http, closed.host(), true, std::nullopt};
  mg::BuilderSettings settings;
  settings.state_dir = (dir.path() / "st:ate").string();
  settings.registry = &registry;
  mg::BuildahBuilder builder(settings);
  settings.registry = &nowhere;
  mg::BuildahBuilder unpushable(settings);

  auto request = [&](const std::string& dockerfile, const std::string& work) {
    return LocalBuildRequest(context, dockerfile, reg.host(), "layouttest/app", dir.path() / "st:ate" / "work" / work);
  };
  auto buildah = [&](std::vector<std::string> args) {
    mg::SubprocessOptions o;
    o.argv = builder.GlobalArgs();
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.env_overrides = {{"REGISTRY_AUTH_FILE", (dir.path() / "no-credentials.json").string()}};
    o.timeout = std::chrono::minutes(3);
    auto r = mg::RunSubprocess(o);
    BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    BOOST_REQUIRE_MESSAGE(r->exit_code == 0, mg::Join(o.argv, " ") + ":\n" + r->stderr_text);
    return std::string(mg::Trim(r->stdout_text));
  };
  auto images = [&]() { return buildah({"images", "--all", "--quiet", "--no-trunc"}); };
  auto containers = [&]() { return buildah({"containers", "--all", "--quiet"}); };

  // What a bud stopped by a signal outside a RUN step leaves: a working container, and an untagged
  // image of an earlier stage. The builder's first build sweeps both away.
  const std::string leftover = buildah({"from", "scratch"});
  buildah({"commit", "--quiet", leftover});
  BOOST_TEST_REQUIRE(!containers().empty());
  BOOST_TEST_REQUIRE(!images().empty());

  // Built and pushed, over a layout an earlier attempt left with another manifest in its index.
  mg::BuildRequest ok = request("Dockerfile", "work-ok");
  const fs::path stale = fs::path(ok.work_dir) / "oci-layout";
  fs::create_directories(stale / "blobs" / "sha256");
  std::ofstream(stale / "oci-layout") << "{\"imageLayoutVersion\":\"1.0.0\"}";
  std::ofstream(stale / "index.json")
      << "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
         "\"digest\":\"sha256:" << std::string(64, 'a') << "\",\"size\":1}]}";
  auto built = builder.BuildAndPush(ok);
  BOOST_TEST_REQUIRE(built.ok(), built.status().ToString());
  BOOST_TEST(containers().empty(), "left after the first build: " << containers());
  auto pushed = registry.GetManifest("layouttest/app", built->digest);
  BOOST_TEST_REQUIRE(pushed.ok(), pushed.status().ToString());
  // An OCI manifest whose one layer is gzip-compressed, as `buildah push` would have written it.
  const Json& manifest = pushed->json;
  BOOST_TEST(manifest.value("mediaType", "") == "application/vnd.oci.image.manifest.v1+json", pushed->bytes);
  BOOST_TEST_REQUIRE(manifest["layers"].size() == 1u, pushed->bytes);
  BOOST_TEST(manifest["layers"][0].value("mediaType", "") == "application/vnd.oci.image.layer.v1.tar+gzip", pushed->bytes);
  BOOST_TEST(!fs::exists(stale));
  BOOST_TEST(!fs::exists(dir.path() / "st" / "index.json"), "bud wrote a layout beside the state directory");

  // Failed while building: COPY of a file the context lacks.
  mg::BuildRequest early = request("Dockerfile.missing", "work-early");
  auto failed = builder.BuildAndPush(early);
  BOOST_TEST_REQUIRE(!failed.ok(), "COPY of a missing file was expected to fail");
  BOOST_TEST(failed.status().message().find("buildah bud") != std::string::npos, failed.status().ToString());
  BOOST_TEST(!fs::exists(fs::path(early.work_dir) / "oci-layout"));

  // Built, then the push failed: the layout was written, and is gone.
  mg::BuildRequest lost = request("Dockerfile", "work-lost");
  auto unsent = unpushable.BuildAndPush(lost);
  BOOST_TEST_REQUIRE(!unsent.ok(), "the push to " + closed.host() + " was expected to fail");
  BOOST_TEST(unsent.status().message().find("pushing " + reg.host() + "/layouttest/app") != std::string::npos,
             unsent.status().ToString());
  BOOST_TEST(!fs::exists(fs::path(lost.work_dir) / "oci-layout"));

  BOOST_TEST(images().empty(), "buildah's storage holds: " << images());
}

// The sweep before a builder's first build (`buildah rm --all`, `rmi --prune`) is housekeeping: when
// buildah refuses it, the build goes on, the leg's log says which command failed and why, and
// the builder does not try again on its next build.
BOOST_AUTO_TEST_CASE(a_failed_sweep_is_a_line_in_the_legs_log_and_the_build_goes_on) {
  TestRegistry& reg = mg::testing::SharedPlainRegistry();
  mg::testing::TempDir dir("mg-buildah-sweep");
  const fs::path context = WriteCopyContext(dir.path(), "built after a failed sweep");
  // A buildah first on PATH that refuses `rm --all` and runs everything else.
  const fs::path bin = dir.path() / "bin";
  fs::create_directories(bin);
  std::ofstream(bin / "buildah") << "#!/bin/sh\n"
                                    "case \" $* \" in *' rm --all '*) echo 'injected: storage busy' >&2; exit 125 ;; esac\n"
                                    "exec /usr/bin/buildah \"$@\"\n";
  fs::permissions(bin / "buildah", fs::perms::owner_all);
  const char* had_path = std::getenv("PATH");
  const std::optional<std::string> old_path = had_path ? std::optional<std::string>(had_path) : std::nullopt;
  ::setenv("PATH", (bin.string() + ":" + old_path.value_or("/usr/bin:/bin")).c_str(), 1);
  struct RestorePath {
    std::optional<std::string> path;
    ~RestorePath() { path ? ::setenv("PATH", path->c_str(), 1) : ::unsetenv("PATH"); }
  } restore{old_path};

  LocalBuildah local(reg.host(), dir.path() / "state");
  mg::RegistryClient& registry = local.registry;
  auto build = [&](const std::string& work, std::vector<std::string>* log) {
    mg::BuildRequest r = LocalBuildRequest(context, "Dockerfile", reg.host(), "sweeptest/app", dir.path() / "state" / "work" / work);
    r.log = [log](std::string_view line) { log->emplace_back(line); };
    return local.builder.BuildAndPush(r);
  };
  auto sweep_lines = [](const std::vector<std::string>& log) {
    std::vector<std::string> out;
    for (const std::string& line : log) {
      if (line.find("could not sweep") != std::string::npos) out.push_back(line);
    }
    return out;
  };

  std::vector<std::string> first_log;
  auto first = build("work-1", &first_log);
  BOOST_TEST_REQUIRE(first.ok(), first.status().ToString());
  BOOST_TEST(registry.GetManifest("sweeptest/app", first->digest).ok());
  const std::vector<std::string> lines = sweep_lines(first_log);
  BOOST_TEST_REQUIRE(lines.size() == 1u, "sweep lines: " << mg::Join(lines, " | "));
  BOOST_TEST(lines[0].find("could not sweep buildah's storage: buildah rm --all exited with status 125") != std::string::npos,
             lines[0]);
  BOOST_TEST(lines[0].find("injected: storage busy") != std::string::npos, lines[0]);

  std::vector<std::string> second_log;
  auto second = build("work-2", &second_log);
  BOOST_TEST_REQUIRE(second.ok(), second.status().ToString());
  BOOST_TEST(sweep_lines(second_log).empty(), "swept again: " << mg::Join(second_log, " | "));
}

// A layout left by an earlier attempt that cannot be removed (here a file made immutable, which
// root cannot delete either) fails the build before bud runs: an IOError naming the path and why,
// rather than a build whose index would hold the earlier manifest too.
BOOST_AUTO_TEST_CASE(a_stale_layout_that_cannot_be_removed_is_an_io_error_naming_it) {
  TestRegistry& reg = mg::testing::SharedPlainRegistry();
  mg::testing::TempDir dir("mg-buildah-stale");
  const fs::path context = WriteCopyContext(dir.path(), "never built");
  LocalBuildah local(reg.host(), dir.path() / "state");
  mg::BuildRequest r = LocalBuildRequest(context, "Dockerfile", reg.host(), "staletest/app", dir.path() / "state" / "work" / "w");
  const fs::path stale = fs::path(r.work_dir) / "oci-layout";
  fs::create_directories(stale / "blobs");
  std::ofstream(stale / "blobs" / "pinned") << "left by an earlier attempt\n";
  auto chattr = [&](const char* flag) { return RunCmd({"chattr", flag, (stale / "blobs" / "pinned").string()}); };
  if (auto pinned = chattr("+i"); !pinned.ok()) {
    BOOST_TEST_MESSAGE("skipped: chattr +i is not available here (" << pinned.ToString() << ")");
    return;
  }
  struct Unpin {
    std::function<void()> f;
    ~Unpin() { f(); }
  } unpin{[&] { (void)chattr("-i"); }};

  auto built = local.builder.BuildAndPush(r);
  BOOST_TEST_REQUIRE(!built.ok(), "built over a layout that could not be removed");
  BOOST_TEST((built.status().code() == mg::Status::Code::kIOError), built.status().ToString());
  const std::string& msg = built.status().message();
  BOOST_TEST(msg.find("cannot remove " + stale.string() + " (left by an earlier attempt)") != std::string::npos, msg);
  BOOST_TEST(msg.find("Operation not permitted") != std::string::npos, msg);
  BOOST_TEST(fs::exists(stale / "blobs" / "pinned"));
}

BOOST_AUTO_TEST_CASE(the_docker_backend_builds_where_docker_with_buildx_runs) {
  auto builder = mg::MakeBuilder("docker", mg::BuilderSettings{});
  BOOST_REQUIRE(builder.ok());
  auto version = (*builder)->Version();
  if (!version.ok()) {
    // The error says what is missing and how to fix it.
    const std::string& msg = version.status().message();
    BOOST_TEST((msg.find("buildx") != std::string::npos || msg.find("docker is not installed") != std::string::npos), msg);
    BOOST_TEST(msg.find("builder = \"buildah\"") != std::string::npos, msg);
    BOOST_TEST_MESSAGE("skipped the docker build: " << msg);
    return;
  }
  if (!RunCmd({"docker", "info"}).ok()) {
    BOOST_TEST_MESSAGE("skipped the docker build: buildx is present but no Docker daemon answers `docker info`");
    return;
  }
  Mirror m;
  m.Prepare(mg::testing::SharedPlainRegistry(), "dockertest", {"v1.0.0"});
  std::string config = Slurp(m.ws.config_path());
  config.replace(config.find("[apps.hello]\n"), 13, "[apps.hello]\nbuilder = \"docker\"\n");
  m.ws.WriteConfigText(config);
  auto r = m.Run("run.json");
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.Describe());
  CheckIndex(m, "1.0.0");
  Json report = m.ws.ReadJson("run.json");
  BOOST_TEST(FindTask(report, "build:hello@1.0.0/linux/amd64")->at("result")["builder"].value("name", "") == "docker");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
