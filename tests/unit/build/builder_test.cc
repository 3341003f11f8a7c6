#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "build/buildah_builder.h"
#include "build/docker_builder.h"
#include "build/registry_auth_file.h"
#include "unit/http/fake_transport.h"
#include "unit/util/secret_canaries.h"
#include "unit/util/temp_dir.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;

namespace {

BuildRequest Request() {
  BuildRequest r;
  r.context_dir = "/w/src/server/build";
  r.dockerfile = "/w/src/server/build/Dockerfile";
  r.platform = "linux/arm64";
  r.build_args = {{"MM_PACKAGE", "https://example.invalid/mm-9.0.0-linux-arm64.tar.gz"}, {"A", "1"}};
  r.registry = "127.0.0.1:5000";
  r.repository = "demo/hello";
  r.work_dir = "/w";
  r.labels = {{"org.opencontainers.image.version", "9.0.0"}};
  return r;
}

// The value following `flag` in argv, or "".
std::vector<std::string> ValuesOf(const std::vector<std::string>& argv, const std::string& flag) {
  std::vector<std::string> out;
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == flag) out.push_back(argv[i + 1]);
  }
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(builder_test)

BOOST_AUTO_TEST_CASE(buildah_bud_argv_uses_the_private_storage_and_passes_everything_as_arguments) {
  BuilderSettings s;
  s.state_dir = "/state";
  BuildahBuilder b(s);
  BuildRequest r = Request();
  r.source_epoch = 1704110400;
  r.auth_file = "/w/auth.json";
  std::vector<std::string> argv = b.BudArgv(r, "oci-layout");
  BOOST_TEST(argv.front() == "buildah");
  // Committed to the build's OCI layout, never into buildah's storage; an OCI image whose layers are
  // compressed as a push would compress them (bud's default leaves them uncompressed).
  BOOST_TEST(ValuesOf(argv, "--tag") == std::vector<std::string>{"oci:oci-layout"}, boost::test_tools::per_element());
  BOOST_TEST(ValuesOf(argv, "--format") == std::vector<std::string>{"oci"}, boost::test_tools::per_element());
  BOOST_TEST(std::count(argv.begin(), argv.end(), "--disable-compression=false") == 1);
  // One layer per build and no cache images in the storage, whatever BUILDAH_LAYERS says.
  BOOST_TEST(std::count(argv.begin(), argv.end(), "--layers=false") == 1);
  BOOST_TEST(ValuesOf(argv, "--iidfile").empty());
  BOOST_TEST(ValuesOf(argv, "--root") == std::vector<std::string>{"/state/buildah/root"}, boost::test_tools::per_element());
  BOOST_TEST(ValuesOf(argv, "--storage-driver") == std::vector<std::string>{"vfs"}, boost::test_tools::per_element());
  BOOST_TEST(ValuesOf(argv, "--isolation") == std::vector<std::string>{"chroot"}, boost::test_tools::per_element());
  BOOST_TEST(ValuesOf(argv, "--platform") == std::vector<std::string>{"linux/arm64"}, boost::test_tools::per_element());
  BOOST_TEST(ValuesOf(argv, "-f") == std::vector<std::string>{"/w/src/server/build/Dockerfile"}, boost::test_tools::per_element());
  // Sorted by name (a std::map), one --build-arg each, values unquoted (no shell).
  BOOST_TEST(ValuesOf(argv, "--build-arg") ==
                 (std::vector<std::string>{"A=1", "MM_PACKAGE=https://example.invalid/mm-9.0.0-linux-arm64.tar.gz"}),
             boost::test_tools::per_element());
  BOOST_TEST(ValuesOf(argv, "--timestamp") == std::vector<std::string>{"1704110400"}, boost::test_tools::per_element());
  BOOST_TEST(ValuesOf(argv, "--authfile") == std::vector<std::string>{"/w/auth.json"}, boost::test_tools::per_element());
  BOOST_TEST(argv.back() == "/w/src/server/build");
  // "bud" comes after the global options.
  auto bud = std::find(argv.begin(), argv.end(), "bud");
  auto root = std::find(argv.begin(), argv.end(), "--root");
  BOOST_TEST((bud != argv.end() && root < bud));

  r.source_epoch = -1;
  r.auth_file.clear();
  argv = b.BudArgv(r, "oci-layout");
  BOOST_TEST(ValuesOf(argv, "--timestamp").empty());
  BOOST_TEST(ValuesOf(argv, "--authfile").empty());
}

BOOST_AUTO_TEST_CASE(registries_conf_marks_only_a_plain_http_target_insecure) {
  BuildRequest r = Request();
  std::string conf = BuildRegistriesConf(r);
  BOOST_TEST(conf.find("unqualified-search-registries = [\"docker.io\"]") != std::string::npos);
  BOOST_TEST(conf.find("insecure") == std::string::npos);
  r.plain_http = true;
  conf = BuildRegistriesConf(r);
  BOOST_TEST(conf.find("location = \"127.0.0.1:5000\"\ninsecure = true") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(docker_buildx_argv_pushes_by_digest_on_the_named_builder) {
  BuilderSettings s;
  s.buildx_builder = "multi-node";
  DockerBuilder b(s);
  BuildRequest r = Request();
  r.plain_http = true;
  std::vector<std::string> argv = b.BuildArgv(r, "/w/meta.json");
  BOOST_TEST((std::vector<std::string>(argv.begin(), argv.begin() + 3) ==
              std::vector<std::string>{"docker", "buildx", "build"}));
  BOOST_TEST(ValuesOf(argv, "--builder") == std::vector<std::string>{"multi-node"}, boost::test_tools::per_element());
  BOOST_TEST(ValuesOf(argv, "--platform") == std::vector<std::string>{"linux/arm64"}, boost::test_tools::per_element());
  BOOST_TEST(ValuesOf(argv, "--metadata-file") == std::vector<std::string>{"/w/meta.json"}, boost::test_tools::per_element());
  BOOST_TEST(ValuesOf(argv, "--output") ==
                 std::vector<std::string>{"type=image,name=127.0.0.1:5000/demo/hello,push-by-digest=true,"
                                          "name-canonical=true,push=true,oci-mediatypes=true,registry.insecure=true"},
             boost::test_tools::per_element());
  BOOST_TEST(ValuesOf(argv, "--build-arg").size() == 2u);
  BOOST_TEST((std::find(argv.begin(), argv.end(), "--provenance=false") != argv.end()));
  BOOST_TEST(argv.back() == "/w/src/server/build");

  DockerBuilder plain(BuilderSettings{});
  argv = plain.BuildArgv(Request(), "/w/meta.json");
  BOOST_TEST(ValuesOf(argv, "--builder").empty());
  BOOST_TEST(ValuesOf(argv, "--output").front().find("insecure") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(buildx_metadata_gives_the_pushed_digest) {
  const std::string d = "sha256:" + std::string(64, 'a');
  auto full = ParseBuildxMetadata(R"({"containerimage.descriptor":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
                                  d + R"(","size":481},"containerimage.digest":")" + d + R"("})");
  BOOST_REQUIRE(full.ok());
  BOOST_TEST(full->digest == d);
  BOOST_TEST(full->size == 481);
  BOOST_TEST(full->media_type == "application/vnd.oci.image.manifest.v1+json");
  auto digest_only = ParseBuildxMetadata(R"({"containerimage.digest":")" + d + R"("})");
  BOOST_REQUIRE(digest_only.ok());
  BOOST_TEST(digest_only->digest == d);
  BOOST_TEST(!ParseBuildxMetadata(R"({"buildx.build.ref":"x"})").ok());
  BOOST_TEST(!ParseBuildxMetadata("not json").ok());
}

BOOST_AUTO_TEST_CASE(the_auth_file_is_private_exclusive_and_removed) {
  auto dir = std::filesystem::temp_directory_path() / ("mg-auth-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "auth.json").string();
  {
    Credentials c;
    c.username = "user";
    c.password = "s3cret";
    const mode_t umask_before = ::umask(0);  // 0600 whatever the umask allows
    auto f = RegistryAuthFile::Create(path, "127.0.0.1:5000", c);
    ::umask(umask_before);
    BOOST_REQUIRE(f.ok());
    struct stat st {};
    BOOST_REQUIRE(::stat(path.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    // base64("user:s3cret")
    BOOST_TEST(ReadFile(path) == R"({"auths":{"127.0.0.1:5000":{"auth":"dXNlcjpzM2NyZXQ="}}})");
    // An existing file is never reused (or overwritten).
    auto again = RegistryAuthFile::Create(path, "127.0.0.1:5000", c);
    BOOST_TEST(!again.ok());
    BOOST_TEST(again.status().message().find("s3cret") == std::string::npos);
    RegistryAuthFile moved = std::move(f.value());
    BOOST_TEST(std::filesystem::exists(path));
  }
  BOOST_TEST(!std::filesystem::exists(path));
  std::filesystem::remove_all(dir);
}

// A fake `buildah` and `docker` first on PATH, each logging its command line and environment: every
// builder subprocess (the versions, buildah's storage sweep, bud, buildx build) runs without the
// secrets mirrorgraph reads, and with the rest of the environment.
BOOST_AUTO_TEST_CASE(builder_subprocesses_inherit_no_secret) {
  using mg::testing::SecretCanaries;
  mg::testing::TempDir dir;
  const std::string log = dir / "env.log";
  for (const std::string tool : {"buildah", "docker"}) {
    std::ofstream(dir / tool) << SecretCanaries::EnvLoggingScript(
        log, "case \"$*\" in *version*) echo '" + tool + " version 0.0-fake'; exit 0;; esac\n"
             "echo 'fake build failed' >&2\nexit 1\n");
    BOOST_REQUIRE(::chmod((dir / tool).c_str(), 0755) == 0);
  }
  mg::testing::ScopedEnv env;
  env.PrependPath(dir.path());
  SecretCanaries canaries;

  mg::testing::FakeTransport transport;
  HttpClient http(transport);
  RegistryClient registry(http, "127.0.0.1:5000", true, std::nullopt);
  BuilderSettings s;
  s.state_dir = dir / "state";
  s.registry = &registry;
  BuildRequest r = Request();
  r.platform = "linux/" + HostArch();
  r.work_dir = dir / "work";
  r.context_dir = dir.path();
  r.dockerfile = dir / "Dockerfile";
  r.auth_file = dir / "auth.json";
  std::filesystem::create_directories(r.work_dir);
  BuildahBuilder buildah(s);
  BOOST_TEST(!buildah.BuildAndPush(r).ok());
  DockerBuilder docker(s);
  BOOST_TEST(!docker.BuildAndPush(r).ok());

  const std::string text = ReadFile(log);
  for (const char* ran : {"== buildah --version\n", " rm --all\n", " rmi --prune\n", " bud ",
                          "== docker buildx version\n", "== docker buildx build "}) {
    BOOST_TEST(text.find(ran) != std::string::npos, ran);
  }
  BOOST_TEST(SecretCanaries::CheckLoggedEnvs(text, mg::ChildKind::kBuilder) == "");
}

BOOST_AUTO_TEST_CASE(platform_helpers_and_emulation_checks) {
  BOOST_TEST(PlatformArch("linux/arm64/v8") == "arm64");
  BOOST_TEST(PlatformArch("linux/amd64") == "amd64");
  BOOST_TEST(PlatformArch("bogus") == "");
  BOOST_TEST(!HostArch().empty());
  // The native platform and emulation=false never need binfmt.
  BOOST_TEST(CheckEmulation("linux/" + HostArch(), true).ok());
  BOOST_TEST(CheckEmulation("linux/s390x", false).ok());
  // s390x is not registered on a test machine: the message says how to fix it.
  Status s = CheckEmulation("linux/s390x", true);
  if (!s.ok()) {
    BOOST_TEST(s.message().find("qemu-user-static") != std::string::npos);
    BOOST_TEST(s.message().find("emulation = false") != std::string::npos);
  }
  BOOST_TEST(!MakeBuilder("kaniko", BuilderSettings{}).ok());
  BOOST_TEST(MakeBuilder("buildah", BuilderSettings{}).ok());
  BOOST_TEST((*MakeBuilder("docker", BuilderSettings{}))->name() == "docker");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
