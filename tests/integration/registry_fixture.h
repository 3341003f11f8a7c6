// Test fixtures for integration tests against a real registry (Debian's docker-registry, the
// CNCF distribution registry) on loopback, and helpers that build and push small OCI images.
//
// Typical use:
//   auto reg = mg::testing::TestRegistry::Start();               // or Start({.htpasswd = true})
//   BOOST_REQUIRE_MESSAGE(reg.ok(), reg.status().ToString());
//   auto img = mg::testing::PushTestImage(**reg, "team/app", "1.0", {"linux/amd64", "linux/arm64"});
//   // ... talk to (*reg)->host() with plain_http = true ...
//
// Requirements on the machine: /usr/bin/docker-registry, skopeo, htpasswd (apache2-utils), tar and
// gzip. Everything lives in a temp dir removed at teardown; nothing but 127.0.0.1 is contacted.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace mg::testing {

// A private temp directory, removed (recursively) with the object. Not copyable.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "mg-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct TestRegistryOptions {
  bool htpasswd = false;  // require Basic auth with user/password (htpasswd -B)
  std::string user = "mguser";
  std::string password = "mgpass-Secret1";
  bool deletes = true;    // storage.delete.enabled (docker-registry refuses DELETE without it)
};

// One docker-registry process serving http://127.0.0.1:<free port>, storage in a temp dir.
// Start() waits until GET /v2/ answers (200, or 401 with auth). The destructor stops the process
// (SIGTERM, then SIGKILL) and removes the temp dir; the process is also killed if the test
// process dies (PR_SET_PDEATHSIG). Thread-safe for concurrent use of its accessors.
class TestRegistry {
 public:
  static Result<std::unique_ptr<TestRegistry>> Start(TestRegistryOptions options = {});
  ~TestRegistry();
  TestRegistry(const TestRegistry&) = delete;
  TestRegistry& operator=(const TestRegistry&) = delete;

  std::string host() const;  // "127.0.0.1:<port>": the registry name for RegistryClient / references
  int port() const { return port_; }
  std::string url() const { return "http://" + host(); }
  const TestRegistryOptions& options() const { return options_; }
  // A scratch directory owned by this registry (removed at teardown); the storage is elsewhere.
  std::filesystem::path scratch_dir() const;
  // The registry's combined stdout/stderr so far (for failure messages).
  std::string log() const;

  // Writes `<scratch>/<name>/config.json` with an "auths" entry for host() holding the given
  // credentials (as a base64 "auth" field); returns the path of config.json. The directory is
  // suitable as DOCKER_CONFIG.
  std::string WriteDockerConfig(const std::string& user, const std::string& password,
                                const std::string& name = "docker-config") const;

 private:
  TestRegistry() = default;
  Status Launch();

  TestRegistryOptions options_;
  std::unique_ptr<TempDir> dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

struct TestImage {
  std::string tag;
  std::string digest;      // what the tag points to (the index, or the single manifest)
  std::string media_type;  // OCI index or OCI image manifest
  std::map<std::string, std::string> platform_digests;  // "linux/arm64/v8" -> image manifest digest
};

// Writes an OCI image layout in `layout_dir` (created if needed) whose index.json names `tag`.
// Each platform ("os/arch[/variant]") gets one image: a config with os/architecture/variant and
// one small tar.gz layer whose content names the platform and tag (so digests differ). With
// `as_index` the tag points to an OCI image index listing the images with their platforms;
// otherwise REQUIRES exactly one platform and the tag points to its image manifest.
Result<TestImage> WriteOciLayout(const std::filesystem::path& layout_dir, const std::string& tag,
                                 const std::vector<std::string>& platforms, bool as_index);

// `skopeo copy [--all] oci:<layout_dir>:<layout_tag> docker://<host>/<repo>:<tag>` over plain
// HTTP, with the registry's credentials when it uses htpasswd. Errors carry skopeo's output.
Status PushOciLayout(const TestRegistry& registry, const std::filesystem::path& layout_dir,
                     const std::string& layout_tag, const std::string& repo, const std::string& tag, bool all);

// WriteOciLayout in a fresh scratch directory + PushOciLayout (with --all when as_index), under
// `tag` and each of `also_tags` (the same image, e.g. "latest").
Result<TestImage> PushTestImage(const TestRegistry& registry, const std::string& repo, const std::string& tag,
                                const std::vector<std::string>& platforms, bool as_index = true,
                                const std::vector<std::string>& also_tags = {});

// `skopeo inspect --raw docker://<host>/<repo>:<tag_or_digest>`: the manifest bytes as served,
// an independent check of what was pushed.
Result<std::string> SkopeoInspectRaw(const TestRegistry& registry, const std::string& repo,
                                     const std::string& reference);

// Empty registries started once per test binary and shared by the suites that need nothing
// particular in them: a plain one, and one with htpasswd Basic auth. Throw std::runtime_error when
// they cannot start (Boost.Test reports it as the test's error).
TestRegistry& SharedPlainRegistry();
TestRegistry& SharedAuthRegistry();

}  // namespace mg::testing
