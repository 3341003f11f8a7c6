// Key files: the owner-only rule, passphrase sources and their precedence, GenerateKeyPair.
#include <stdlib.h>

#include <boost/test/unit_test.hpp>

#include "sign/cosign_key.h"
#include "sign/keys.h"
#include "unit/sign/sign_test_util.h"
#include "unit/util/temp_dir.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::testing::ModeOf;
using mg::testing::ReadText;
using mg::testing::TempDir;
using mg::testing::WriteText;

// Sets or unsets COSIGN_PASSWORD for one scope.
class ScopedCosignPassword {
 public:
  explicit ScopedCosignPassword(const char* value) {
    if (const char* old = ::getenv("COSIGN_PASSWORD")) old_ = old;
    if (value) {
      ::setenv("COSIGN_PASSWORD", value, 1);
    } else {
      ::unsetenv("COSIGN_PASSWORD");
    }
  }
  ~ScopedCosignPassword() {
    if (old_) {
      ::setenv("COSIGN_PASSWORD", old_->c_str(), 1);
    } else {
      ::unsetenv("COSIGN_PASSWORD");
    }
  }

 private:
  std::optional<std::string> old_;
};

// A cosign-format key encrypted with `passphrase` (cheap scrypt parameters), written 0600.
mg::PublicKey WriteCosignKey(const std::string& path, const std::string& passphrase) {
  mg::Result<mg::PrivateKey> key = mg::PrivateKey::Generate();
  BOOST_REQUIRE(key.ok());
  mg::Result<std::string> pem = mg::EncryptCosignPrivateKey(*key, passphrase, mg::ScryptParams{1024, 8, 1});
  BOOST_REQUIRE(pem.ok());
  WriteText(path, *pem, 0600);
  return key->public_key();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(key_files_test)

BOOST_AUTO_TEST_CASE(group_or_world_accessible_key_files_are_refused_with_the_fix) {
  TempDir dir;
  const std::string path = dir / "cosign.key";
  WriteCosignKey(path, "pw");
  for (mode_t mode : {0640, 0604, 0644, 0660, 0610}) {
    BOOST_REQUIRE_EQUAL(::chmod(path.c_str(), mode), 0);
    mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyFile(path, mg::KeyPassphrase::Literal("pw"));
    BOOST_REQUIRE(!key.ok());
    BOOST_CHECK(key.status().code() == mg::Status::Code::kFailedPrecondition);
    BOOST_TEST_CONTEXT(key.status().message()) {
      BOOST_CHECK_NE(key.status().message().find("chmod 600 " + path), std::string::npos);
      char octal[8];
      std::snprintf(octal, sizeof(octal), "%04o", static_cast<unsigned>(mode));
      BOOST_CHECK_NE(key.status().message().find(std::string("mode ") + octal), std::string::npos);
    }
  }
  for (mode_t mode : {0600, 0400}) {
    BOOST_REQUIRE_EQUAL(::chmod(path.c_str(), mode), 0);
    mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyFile(path, mg::KeyPassphrase::Literal("pw"));
    BOOST_CHECK_MESSAGE(key.ok(), key.status().ToString());
  }
}

BOOST_AUTO_TEST_CASE(the_rule_applies_to_the_target_of_a_symlink) {
  TempDir dir;
  WriteCosignKey(dir / "real.key", "pw");
  BOOST_REQUIRE_EQUAL(::symlink((dir / "real.key").c_str(), (dir / "link.key").c_str()), 0);
  BOOST_CHECK(mg::LoadPrivateKeyFile(dir / "link.key", mg::KeyPassphrase::Literal("pw")).ok());
  BOOST_REQUIRE_EQUAL(::chmod((dir / "real.key").c_str(), 0644), 0);
  mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyFile(dir / "link.key", mg::KeyPassphrase::Literal("pw"));
  BOOST_REQUIRE(!key.ok());
  BOOST_CHECK(key.status().code() == mg::Status::Code::kFailedPrecondition);
}

BOOST_AUTO_TEST_CASE(missing_file_directory_and_huge_file) {
  TempDir dir;
  mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyFile(dir / "absent.key", mg::KeyPassphrase{});
  BOOST_REQUIRE(!key.ok());
  BOOST_CHECK(key.status().code() == mg::Status::Code::kNotFound);
  BOOST_CHECK_NE(key.status().message().find(dir / "absent.key"), std::string::npos);

  key = mg::LoadPrivateKeyFile(dir.path(), mg::KeyPassphrase{});
  BOOST_REQUIRE(!key.ok());
  BOOST_CHECK_NE(key.status().message().find("not a regular file"), std::string::npos);

  WriteText(dir / "big.key", std::string((1 << 20) + 1, 'A'), 0600);
  key = mg::LoadPrivateKeyFile(dir / "big.key", mg::KeyPassphrase{});
  BOOST_REQUIRE(!key.ok());
  BOOST_CHECK(key.status().code() == mg::Status::Code::kInvalidArgument);
}

BOOST_AUTO_TEST_CASE(passphrase_precedence_value_then_file_then_environment) {
  TempDir dir;
  WriteText(dir / "pass", "from-file\n", 0600);
  ScopedCosignPassword env("from-env");

  auto resolve = [](const mg::KeyPassphrase& p) {
    mg::Result<std::optional<std::string>> r = mg::ResolvePassphrase(p);
    BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return *r;
  };
  mg::KeyPassphrase all{"from-value", dir / "pass", true};
  BOOST_CHECK(resolve(all) == std::optional<std::string>("from-value"));
  mg::KeyPassphrase file_env{std::nullopt, dir / "pass", true};
  BOOST_CHECK(resolve(file_env) == std::optional<std::string>("from-file"));  // one newline stripped
  mg::KeyPassphrase env_only{std::nullopt, "", true};
  BOOST_CHECK(resolve(env_only) == std::optional<std::string>("from-env"));
  mg::KeyPassphrase nothing{std::nullopt, "", false};
  BOOST_CHECK(resolve(nothing) == std::nullopt);

  {
    ScopedCosignPassword empty("");
    BOOST_CHECK(resolve(env_only) == std::optional<std::string>(""));  // set but empty still counts
  }
  {
    ScopedCosignPassword unset(nullptr);
    BOOST_CHECK(resolve(env_only) == std::nullopt);
  }

  WriteText(dir / "crlf", "p w\r\n\n", 0600);  // only one line ending is stripped
  BOOST_CHECK(resolve(mg::KeyPassphrase::File(dir / "crlf")) == std::optional<std::string>("p w\r\n"));
}

BOOST_AUTO_TEST_CASE(passphrase_files_follow_the_owner_only_rule) {
  TempDir dir;
  WriteText(dir / "pass", "pw", 0644);
  mg::Result<std::optional<std::string>> r = mg::ResolvePassphrase(mg::KeyPassphrase::File(dir / "pass"));
  BOOST_REQUIRE(!r.ok());
  BOOST_CHECK(r.status().code() == mg::Status::Code::kFailedPrecondition);
  BOOST_CHECK_NE(r.status().message().find("passphrase file"), std::string::npos);

  r = mg::ResolvePassphrase(mg::KeyPassphrase::File(dir / "missing"));
  BOOST_REQUIRE(!r.ok());
  BOOST_CHECK(r.status().code() == mg::Status::Code::kNotFound);
}

BOOST_AUTO_TEST_CASE(key_file_loads_with_each_passphrase_source) {
  TempDir dir;
  const mg::PublicKey pub = WriteCosignKey(dir / "cosign.key", "s3cret");
  WriteText(dir / "pass", "s3cret\n", 0600);
  {
    ScopedCosignPassword env("s3cret");
    mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyFile(dir / "cosign.key", mg::KeyPassphrase{});
    BOOST_REQUIRE_MESSAGE(key.ok(), key.status().ToString());
    BOOST_CHECK(key->public_key() == pub);
  }
  {
    ScopedCosignPassword env("wrong");  // the file wins over the environment
    mg::Result<mg::PrivateKey> key =
        mg::LoadPrivateKeyFile(dir / "cosign.key", mg::KeyPassphrase::File(dir / "pass"));
    BOOST_REQUIRE_MESSAGE(key.ok(), key.status().ToString());
    BOOST_CHECK(key->public_key() == pub);

    key = mg::LoadPrivateKeyFile(dir / "cosign.key", mg::KeyPassphrase{});
    BOOST_REQUIRE(!key.ok());
    BOOST_CHECK(key.status().code() == mg::Status::Code::kPermissionDenied);
    BOOST_CHECK_EQUAL(key.status().message(), "wrong passphrase for " + (dir / "cosign.key"));
    BOOST_CHECK_EQUAL(key.status().message().find("wrong", 6), std::string::npos);  // the passphrase is not echoed
  }
}

BOOST_AUTO_TEST_CASE(an_encrypted_key_without_any_passphrase_says_how_to_give_one) {
  TempDir dir;
  WriteCosignKey(dir / "cosign.key", "s3cret");
  ScopedCosignPassword unset(nullptr);
  mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyFile(dir / "cosign.key", mg::KeyPassphrase{});
  BOOST_REQUIRE(!key.ok());
  BOOST_CHECK(key.status().code() == mg::Status::Code::kPermissionDenied);
  BOOST_CHECK_NE(key.status().message().find("no passphrase was given"), std::string::npos);
  BOOST_CHECK_NE(key.status().message().find("COSIGN_PASSWORD"), std::string::npos);

  // An empty-passphrase key needs none.
  WriteCosignKey(dir / "empty.key", "");
  BOOST_CHECK(mg::LoadPrivateKeyFile(dir / "empty.key", mg::KeyPassphrase{}).ok());
}

BOOST_AUTO_TEST_CASE(generate_key_pair_writes_a_loadable_cosign_pair_with_modes) {
  TempDir dir;
  const std::string key_path = dir / "cosign.key";
  const std::string pub_path = dir / "cosign.pub";
  mg::Status st = mg::GenerateKeyPair(key_path, pub_path, "pw");
  BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
  BOOST_CHECK_EQUAL(ModeOf(key_path), 0600u);
  BOOST_CHECK_EQUAL(ModeOf(pub_path), 0644u);
  const std::string key_text = ReadText(key_path);
  BOOST_CHECK(mg::StartsWith(key_text, "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
  BOOST_CHECK(mg::StartsWith(ReadText(pub_path), "-----BEGIN PUBLIC KEY-----\n"));
  BOOST_CHECK_NE(key_text.find("\n"), std::string::npos);

  mg::Result<mg::PrivateKey> key = mg::LoadPrivateKeyFile(key_path, mg::KeyPassphrase::Literal("pw"));
  BOOST_REQUIRE_MESSAGE(key.ok(), key.status().ToString());
  mg::Result<mg::PublicKey> pub = mg::LoadPublicKeyFile(pub_path);
  BOOST_REQUIRE_MESSAGE(pub.ok(), pub.status().ToString());
  BOOST_CHECK(key->public_key() == *pub);

  // Existing files are not replaced unless asked.
  st = mg::GenerateKeyPair(key_path, dir / "other.pub", "pw");
  BOOST_REQUIRE(!st.ok());
  BOOST_CHECK(st.code() == mg::Status::Code::kFailedPrecondition);
  BOOST_CHECK_NE(st.message().find(key_path + " already exists"), std::string::npos);
  BOOST_CHECK_EQUAL(ReadText(key_path), key_text);
  BOOST_CHECK(!std::filesystem::exists(dir / "other.pub"));

  st = mg::GenerateKeyPair(key_path, pub_path, "pw2", mg::KeyGenOptions{.overwrite = true});
  BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
  BOOST_CHECK_NE(ReadText(key_path), key_text);
  BOOST_CHECK(mg::LoadPrivateKeyFile(key_path, mg::KeyPassphrase::Literal("pw2")).ok());

  st = mg::GenerateKeyPair(key_path, key_path, "pw", mg::KeyGenOptions{.overwrite = true});
  BOOST_CHECK(st.code() == mg::Status::Code::kInvalidArgument);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
