#include "registry_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "cli_fixture.h"
#include "http/base64.h"
#include "http/curl_transport.h"
#include "oci/media_types.h"
#include "util/json.h"
#include "util/sha256.h"
#include "util/subprocess.h"

namespace fs = std::filesystem;

namespace mg::testing {
namespace {

constexpr char kRegistryBinary[] = "/usr/bin/docker-registry";

Status WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::IOError("cannot write " + path.string());
  return Status::OK();
}

Result<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs a tool; a non-zero exit is an error carrying its output.
Result<SubprocessResult> Run(std::vector<std::string> argv, std::chrono::seconds timeout = std::chrono::seconds(300)) {
  SubprocessOptions o;
  o.argv = std::move(argv);
  o.timeout = timeout;
  std::string cmd;
  for (const std::string& a : o.argv) cmd += (cmd.empty() ? "" : " ") + a;
  Result<SubprocessResult> r = RunSubprocess(o);
  if (!r.ok()) return r.status().WithContext(cmd);
  if (r->exit_code != 0) {
    return Status::IOError(cmd + ": exit " + std::to_string(r->exit_code) + (r->timed_out ? " (timed out)" : "") +
                           "\n" + TailLines(r->stdout_text + r->stderr_text, 30));
  }
  return r;
}

// Stores `bytes` as a blob of the layout; returns its digest.
Result<std::string> PutBlob(const fs::path& layout, const std::string& bytes) {
  std::string hex = Sha256Hex(bytes);
  MG_RETURN_IF_ERROR(WriteText(layout / "blobs" / "sha256" / hex, bytes));
  return "sha256:" + hex;
}

Json Descriptor(const char* media_type, const std::string& digest, size_t size) {
  return Json{{"mediaType", media_type}, {"digest", digest}, {"size", size}};
}

struct PlatformParts {
  std::string os, arch, variant;
};

Result<PlatformParts> SplitPlatform(const std::string& p) {
  PlatformParts parts;
  size_t a = p.find('/');
  if (a == std::string::npos) return Status::InvalidArgument("platform '" + p + "' is not os/arch[/variant]");
  parts.os = p.substr(0, a);
  size_t b = p.find('/', a + 1);
  parts.arch = p.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
  if (b != std::string::npos) parts.variant = p.substr(b + 1);
  if (parts.os.empty() || parts.arch.empty()) return Status::InvalidArgument("platform '" + p + "' is incomplete");
  return parts;
}

std::atomic<int> g_scratch_counter{0};

}  // namespace

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TestRegistry::host() const { return "127.0.0.1:" + std::to_string(port_); }

fs::path TestRegistry::scratch_dir() const { return dir_->path() / "scratch"; }

std::string TestRegistry::log() const {
  Result<std::string> text = ReadText(dir_->path() / "registry.log");
  return text.ok() ? *text : "";
}

Result<std::unique_ptr<TestRegistry>> TestRegistry::Start(TestRegistryOptions options) {
  std::unique_ptr<TestRegistry> reg(new TestRegistry());
  reg->options_ = std::move(options);
  reg->dir_ = std::make_unique<TempDir>("mg-registry");
  if (reg->dir_->path().empty()) return Status::IOError("cannot create a temp dir for the test registry");
  std::error_code ec;
  fs::create_directories(reg->dir_->path() / "storage", ec);
  fs::create_directories(reg->scratch_dir(), ec);
  if (ec) return Status::IOError("cannot create registry dirs: " + ec.message());
  if (reg->options_.htpasswd) {
    Result<SubprocessResult> hp = Run({"htpasswd", "-Bbn", reg->options_.user, reg->options_.password});
    if (!hp.ok()) return hp.status();
    MG_RETURN_IF_ERROR(WriteText(reg->dir_->path() / "htpasswd", hp->stdout_text));
  }
  // A port can be taken between probing and binding: retry with a fresh one.
  Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    reg->port_ = FreeLoopbackPort();
    if (reg->port_ == 0) return Status::IOError("no free loopback port");
    last = reg->Launch();
    if (last.ok()) return reg;
  }
  return last;
}

Status TestRegistry::Launch() {
  const fs::path root = dir_->path();
  std::string config = "version: 0.1\n"
                       "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
                       "storage:\n  filesystem:\n    rootdirectory: " + (root / "storage").string() + "\n"
                       "  delete:\n    enabled: " + std::string(options_.deletes ? "true" : "false") + "\n"
                       "  maintenance:\n    uploadpurging:\n      enabled: false\n"
                       "http:\n  addr: 127.0.0.1:" + std::to_string(port_) + "\n"
                       "  secret: mirrorgraph-test-secret\n";
  if (options_.htpasswd) {
    config += "auth:\n  htpasswd:\n    realm: mirrorgraph-test\n    path: " + (root / "htpasswd").string() + "\n";
  }
  MG_RETURN_IF_ERROR(WriteText(root / "config.yml", config));
  const std::string config_path = (root / "config.yml").string();
  const std::string log_path = (root / "registry.log").string();

  pid_t pid = fork();
  if (pid < 0) return Status::IOError("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    setpgid(0, 0);
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    execl(kRegistryBinary, kRegistryBinary, "serve", config_path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  pid_ = pid;

  CurlTransport transport;
  HttpRequest probe;
  probe.url = url() + "/v2/";
  probe.timeout = std::chrono::seconds(5);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    int wstatus = 0;
    if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Unavailable("docker-registry exited during startup on port " + std::to_string(port_) + ":\n" +
                                 TailLines(log(), 20));
    }
    Result<HttpResponse> r = transport.Send(probe);
    if (r.ok() && (r->status == 200 || r->status == 401)) return Status::OK();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(-pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return Status::Unavailable("docker-registry did not answer GET /v2/ within 90 s:\n" + TailLines(log(), 20));
}

TestRegistry::~TestRegistry() {
  if (pid_ > 0) {
    kill(-pid_, SIGTERM);
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    bool reaped = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        reaped = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!reaped) {
      kill(-pid_, SIGKILL);
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
}

std::string TestRegistry::WriteDockerConfig(const std::string& user, const std::string& password,
                                            const std::string& name) const {
  fs::path dir = scratch_dir() / name;
  std::error_code ec;
  fs::create_directories(dir, ec);
  Json config = {{"auths", {{host(), {{"auth", Base64Encode(user + ":" + password)}}}}}};
  (void)WriteText(dir / "config.json", config.dump(2));
  return (dir / "config.json").string();
}

Result<TestImage> WriteOciLayout(const fs::path& layout, const std::string& tag,
                                 const std::vector<std::string>& platforms, bool as_index) {
  if (platforms.empty()) return Status::InvalidArgument("WriteOciLayout: no platform");
  if (!as_index && platforms.size() != 1) {
    return Status::InvalidArgument("WriteOciLayout: a single manifest holds exactly one platform");
  }
  std::error_code ec;
  fs::create_directories(layout / "blobs" / "sha256", ec);
  if (ec) return Status::IOError("cannot create " + layout.string() + ": " + ec.message());
  MG_RETURN_IF_ERROR(WriteText(layout / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));

  TestImage image;
  image.tag = tag;
  Json index_manifests = Json::array();
  std::string last_manifest;
  for (const std::string& p : platforms) {
    Result<PlatformParts> parts = SplitPlatform(p);
    if (!parts.ok()) return parts.status();
    // The layer: one file naming the platform and tag, tarred deterministically, then gzipped.
    TempDir work("mg-layer");
    fs::create_directories(work.path() / "rootfs" / "etc", ec);
    MG_RETURN_IF_ERROR(WriteText(work.path() / "rootfs" / "etc" / "mirrorgraph-test", p + " " + tag + "\n"));
    const std::string tar_path = (work.path() / "layer.tar").string();
    Result<SubprocessResult> tar = Run({"tar", "--sort=name", "--mtime=@0", "--owner=0", "--group=0",
                                        "--numeric-owner", "-C", (work.path() / "rootfs").string(), "-cf", tar_path,
                                        "."});
    if (!tar.ok()) return tar.status();
    Result<std::string> tar_bytes = ReadText(tar_path);
    if (!tar_bytes.ok()) return tar_bytes.status();
    Result<SubprocessResult> gz = Run({"gzip", "-n", "-f", tar_path});
    if (!gz.ok()) return gz.status();
    Result<std::string> gz_bytes = ReadText(tar_path + ".gz");
    if (!gz_bytes.ok()) return gz_bytes.status();
    Result<std::string> layer_digest = PutBlob(layout, *gz_bytes);
    if (!layer_digest.ok()) return layer_digest.status();

    Json config = {{"architecture", parts->arch},
                   {"os", parts->os},
                   {"config", Json::object()},
                   {"rootfs", {{"type", "layers"}, {"diff_ids", {Sha256Digest(*tar_bytes)}}}}};
    if (!parts->variant.empty()) config["variant"] = parts->variant;
    const std::string config_bytes = config.dump();
    Result<std::string> config_digest = PutBlob(layout, config_bytes);
    if (!config_digest.ok()) return config_digest.status();

    Json manifest = {{"schemaVersion", 2},
                     {"mediaType", kMediaTypeOciManifest},
                     {"config", Descriptor(kMediaTypeOciConfig, *config_digest, config_bytes.size())},
                     {"layers", {Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", *layer_digest,
                                            gz_bytes->size())}}};
    last_manifest = manifest.dump();
    Result<std::string> manifest_digest = PutBlob(layout, last_manifest);
    if (!manifest_digest.ok()) return manifest_digest.status();
    image.platform_digests[p] = *manifest_digest;
    Json entry = Descriptor(kMediaTypeOciManifest, *manifest_digest, last_manifest.size());
    entry["platform"] = {{"os", parts->os}, {"architecture", parts->arch}};
    if (!parts->variant.empty()) entry["platform"]["variant"] = parts->variant;
    index_manifests.push_back(entry);
  }

  std::string top_bytes;
  if (as_index) {
    Json index = {{"schemaVersion", 2}, {"mediaType", kMediaTypeOciIndex}, {"manifests", index_manifests}};
    top_bytes = index.dump();
    image.media_type = kMediaTypeOciIndex;
  } else {
    top_bytes = last_manifest;
    image.media_type = kMediaTypeOciManifest;
  }
  Result<std::string> top_digest = PutBlob(layout, top_bytes);
  if (!top_digest.ok()) return top_digest.status();
  image.digest = *top_digest;

  // index.json of the layout: keep other tags already there, replace this one.
  Json layout_index = {{"schemaVersion", 2}, {"manifests", Json::array()}};
  if (Result<std::string> old = ReadText(layout / "index.json"); old.ok()) {
    Json parsed = ParseJson(*old);
    if (parsed.is_object() && parsed.contains("manifests") && parsed["manifests"].is_array()) {
      for (const Json& m : parsed["manifests"]) {
        if (m.value("annotations", Json::object()).value("org.opencontainers.image.ref.name", "") != tag) {
          layout_index["manifests"].push_back(m);
        }
      }
    }
  }
  Json top = Descriptor(image.media_type.c_str(), image.digest, top_bytes.size());
  top["annotations"] = {{"org.opencontainers.image.ref.name", tag}};
  layout_index["manifests"].push_back(top);
  MG_RETURN_IF_ERROR(WriteText(layout / "index.json", layout_index.dump()));
  return image;
}

Status PushOciLayout(const TestRegistry& registry, const fs::path& layout_dir, const std::string& layout_tag,
                     const std::string& repo, const std::string& tag, bool all) {
  std::vector<std::string> argv = {"skopeo", "copy", "--quiet", "--dest-tls-verify=false"};
  if (all) argv.push_back("--all");
  if (registry.options().htpasswd) {
    argv.push_back("--dest-creds=" + registry.options().user + ":" + registry.options().password);
  }
  argv.push_back("oci:" + layout_dir.string() + ":" + layout_tag);
  argv.push_back("docker://" + registry.host() + "/" + repo + ":" + tag);
  Result<SubprocessResult> r = Run(argv);
  if (!r.ok()) {
    // Never echo the credentials given on the command line.
    std::string msg = r.status().message();
    const std::string secret = registry.options().password;
    for (size_t at; !secret.empty() && (at = msg.find(secret)) != std::string::npos;) msg.replace(at, secret.size(), "***");
    return Status::IOError("push to " + registry.host() + "/" + repo + ":" + tag + ": " + msg);
  }
  return Status::OK();
}

Result<TestImage> PushTestImage(const TestRegistry& registry, const std::string& repo, const std::string& tag,
                                const std::vector<std::string>& platforms, bool as_index,
                                const std::vector<std::string>& also_tags) {
  fs::path layout = registry.scratch_dir() / ("layout-" + std::to_string(++g_scratch_counter));
  Result<TestImage> image = WriteOciLayout(layout, tag, platforms, as_index);
  if (!image.ok()) return image;
  MG_RETURN_IF_ERROR(PushOciLayout(registry, layout, tag, repo, tag, as_index));
  for (const std::string& t : also_tags) MG_RETURN_IF_ERROR(PushOciLayout(registry, layout, tag, repo, t, as_index));
  return image;
}

Result<std::string> SkopeoInspectRaw(const TestRegistry& registry, const std::string& repo,
                                     const std::string& reference) {
  std::vector<std::string> argv = {"skopeo", "inspect", "--raw", "--tls-verify=false"};
  if (registry.options().htpasswd) {
    argv.push_back("--creds=" + registry.options().user + ":" + registry.options().password);
  }
  const char sep = reference.rfind("sha256:", 0) == 0 ? '@' : ':';
  argv.push_back("docker://" + registry.host() + "/" + repo + sep + reference);
  Result<SubprocessResult> r = Run(argv);
  if (!r.ok()) return r.status();
  return r->stdout_text;
}

TestRegistry& SharedPlainRegistry() {
  static auto reg = TestRegistry::Start();
  if (!reg.ok()) throw std::runtime_error("cannot start docker-registry: " + reg.status().ToString());
  return **reg;
}

TestRegistry& SharedAuthRegistry() {
  static auto reg = TestRegistry::Start({.htpasswd = true});
  if (!reg.ok()) throw std::runtime_error("cannot start docker-registry with htpasswd: " + reg.status().ToString());
  return **reg;
}

}  // namespace mg::testing
