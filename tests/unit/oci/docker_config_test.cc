#include "oci/docker_config.h"

#include <stdlib.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "http/base64.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "mg-docker-config-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

// Sets an environment variable for the lifetime of the object.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(std::string n, const std::string& value) : name(std::move(n)) {
    if (const char* v = getenv(name.c_str())) old = v;
    setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old) {
      setenv(name.c_str(), old->c_str(), 1);
    } else {
      unsetenv(name.c_str());
    }
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(docker_config_test)

BOOST_AUTO_TEST_CASE(parses_every_credential_form) {
  const std::string text = R"({
    "auths": {
      "https://index.docker.io/v1/": {"auth": ")" + mg::Base64Encode("hubuser:hub:pass") + R"("},
      "registry.local:5000": {"username": "u2", "password": "p2"},
      "https://tokens.example/v2/": {"identitytoken": "refresh-1"},
      "helper.example": {}
    }
  })";
  auto cfg = mg::DockerConfig::Parse(text, "/x/config.json");
  BOOST_REQUIRE_MESSAGE(cfg.ok(), cfg.status().ToString());
  BOOST_TEST(cfg->path() == "/x/config.json");

  auto hub = cfg->Lookup("docker.io");
  BOOST_REQUIRE(hub.ok() && hub->has_value());
  BOOST_TEST((*hub)->username == "hubuser");
  BOOST_TEST((*hub)->password == "hub:pass");  // split at the first ':'
  auto hub2 = cfg->Lookup("registry-1.docker.io");
  BOOST_TEST((hub2.ok() && hub2->has_value()));

  auto local = cfg->Lookup("http://registry.local:5000/");
  BOOST_REQUIRE(local.ok() && local->has_value());
  BOOST_TEST((*local)->username == "u2");
  BOOST_TEST((*local)->password == "p2");

  auto tok = cfg->Lookup("tokens.example");
  BOOST_REQUIRE(tok.ok() && tok->has_value());
  BOOST_TEST((*tok)->identity_token == "refresh-1");
  BOOST_TEST(!(*tok)->has_basic());

  auto empty = cfg->Lookup("helper.example");
  BOOST_REQUIRE(empty.ok());
  BOOST_TEST(!empty->has_value());
  auto other_port = cfg->Lookup("registry.local:5001");
  BOOST_REQUIRE(other_port.ok());
  BOOST_TEST(!other_port->has_value());
}

BOOST_AUTO_TEST_CASE(normalizes_registry_keys) {
  BOOST_TEST(mg::NormalizeRegistryKey("https://index.docker.io/v1/") == "docker.io");
  BOOST_TEST(mg::NormalizeRegistryKey("index.docker.io") == "docker.io");
  BOOST_TEST(mg::NormalizeRegistryKey("Registry.Local:5000") == "registry.local:5000");
  BOOST_TEST(mg::NormalizeRegistryKey("http://127.0.0.1:5000/v2/") == "127.0.0.1:5000");
}

BOOST_AUTO_TEST_CASE(malformed_files_name_the_path_and_hide_secrets) {
  const char* cases[] = {
      "{not json",
      "[]",
      R"({"auths": []})",
      R"({"auths": {"r.example": "x"}})",
      R"({"auths": {"r.example": {"username": 5}}})",
      R"({"auths": {"r.example": {"auth": "!!!s3cret!!!"}}})",
      R"({"auths": {"r.example": {"auth": "bm9jb2xvbg=="}}})",  // "nocolon"
      R"({"credsStore": 1})",
      R"({"credHelpers": ["x"]})",
      R"({"credHelpers": {"r.example": true}})",
  };
  for (const char* text : cases) {
    auto cfg = mg::DockerConfig::Parse(text, "/etc/x/config.json");
    BOOST_REQUIRE_MESSAGE(!cfg.ok(), text);
    BOOST_CHECK(cfg.status().code() == mg::Status::Code::kInvalidArgument);
    BOOST_TEST(cfg.status().message().find("/etc/x/config.json") != std::string::npos);
    BOOST_TEST(cfg.status().message().find("s3cret") == std::string::npos);
    BOOST_TEST(cfg.status().message().find("bm9jb2xvbg") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(load_paths_and_absent_file) {
  TempDir dir;
  std::string path = dir.Write("config.json", R"({"auths":{"r.example":{"username":"a","password":"b"}}})");
  auto explicit_path = mg::DockerConfig::Load(path);
  BOOST_REQUIRE(explicit_path.ok());
  BOOST_TEST(explicit_path->file_exists());
  BOOST_TEST((*explicit_path->Lookup("r.example"))->password == "b");

  {
    ScopedEnv env("DOCKER_CONFIG", dir.path.string());
    BOOST_TEST(mg::DefaultDockerConfigPath() == path);
    auto from_env = mg::DockerConfig::Load();
    BOOST_REQUIRE(from_env.ok());
    BOOST_TEST(from_env->path() == path);
    BOOST_TEST(from_env->Lookup("r.example")->has_value());
  }
  {
    ScopedEnv env("DOCKER_CONFIG", "");
    ScopedEnv home("HOME", "/nonexistent-home");
    BOOST_TEST(mg::DefaultDockerConfigPath() == "/nonexistent-home/.docker/config.json");
  }
  auto absent = mg::DockerConfig::Load((dir.path / "nope.json").string());
  BOOST_REQUIRE(absent.ok());
  BOOST_TEST(!absent->file_exists());
  BOOST_TEST(!absent->Lookup("r.example")->has_value());

  std::string broken = dir.Write("broken.json", "{\"auths\": ");
  auto bad = mg::DockerConfig::Load(broken);
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.status().message().find(broken) != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
