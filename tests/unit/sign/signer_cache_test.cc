// SharedKeySigner: one decryption per key file per process, reloaded when the file changes, the
// permission rule still enforced, failures never cached, concurrent first calls decrypting once.
#include "sign/signer_cache.h"

#include <sys/stat.h>
#include <sys/time.h>

#include <boost/test/unit_test.hpp>
#include <thread>
#include <vector>

#include "unit/sign/sign_test_util.h"
#include "unit/util/temp_dir.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::testing::TempDir;

struct Pair {
  TempDir dir;
  std::string key = dir / "cosign.key";
  std::string pub = dir / "cosign.pub";
  explicit Pair(const std::string& passphrase = "pw") {
    mg::Status s = mg::GenerateKeyPair(key, pub, passphrase);
    BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
};

void BumpMtime(const std::string& path, long seconds_ahead) {
  struct stat st {};
  BOOST_REQUIRE_EQUAL(::stat(path.c_str(), &st), 0);
  struct timeval tv[2] = {{st.st_atim.tv_sec, 0}, {st.st_mtim.tv_sec + seconds_ahead, 0}};
  BOOST_REQUIRE_EQUAL(::utimes(path.c_str(), tv), 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(signer_cache_test)

BOOST_AUTO_TEST_CASE(a_key_is_decrypted_once) {
  Pair p;
  const int loads = mg::SharedKeySignerLoads();
  auto a = mg::SharedKeySigner(p.key, mg::KeyPassphrase::Literal("pw"));
  BOOST_REQUIRE_MESSAGE(a.ok(), a.status().ToString());
  auto b = mg::SharedKeySigner(p.key, mg::KeyPassphrase::Literal("pw"));
  BOOST_REQUIRE(b.ok());
  BOOST_TEST(a->get() == b->get());
  BOOST_TEST(mg::SharedKeySignerLoads() == loads + 1);
  auto pub = mg::LoadPublicKeyFile(p.pub);
  BOOST_REQUIRE(pub.ok());
  BOOST_TEST(((*a)->public_key() == *pub));
}

BOOST_AUTO_TEST_CASE(a_changed_file_is_loaded_again) {
  Pair p;
  auto a = mg::SharedKeySigner(p.key, mg::KeyPassphrase::Literal("pw"));
  BOOST_REQUIRE(a.ok());
  // Replace the key with another pair's (same path): the new key is used.
  Pair q;
  std::filesystem::copy_file(q.key, p.key, std::filesystem::copy_options::overwrite_existing);
  BumpMtime(p.key, 10);
  const int loads = mg::SharedKeySignerLoads();
  auto b = mg::SharedKeySigner(p.key, mg::KeyPassphrase::Literal("pw"));
  BOOST_REQUIRE_MESSAGE(b.ok(), b.status().ToString());
  BOOST_TEST(mg::SharedKeySignerLoads() == loads + 1);
  BOOST_TEST(!((*a)->public_key() == (*b)->public_key()));
  BOOST_TEST(((*b)->public_key() == mg::LoadPublicKeyFile(q.pub).value()));
}

BOOST_AUTO_TEST_CASE(the_permission_rule_applies_to_cached_keys) {
  Pair p;
  BOOST_REQUIRE(mg::SharedKeySigner(p.key, mg::KeyPassphrase::Literal("pw")).ok());
  BOOST_REQUIRE_EQUAL(::chmod(p.key.c_str(), 0644), 0);
  auto r = mg::SharedKeySigner(p.key, mg::KeyPassphrase::Literal("pw"));
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kFailedPrecondition));
  BOOST_TEST(r.status().message().find("chmod 600") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(failures_are_not_cached) {
  Pair p;
  auto wrong = mg::SharedKeySigner(p.key, mg::KeyPassphrase::Literal("nope"));
  BOOST_REQUIRE(!wrong.ok());
  BOOST_TEST((wrong.status().code() == mg::Status::Code::kPermissionDenied));
  auto right = mg::SharedKeySigner(p.key, mg::KeyPassphrase::Literal("pw"));
  BOOST_TEST(right.ok());
  auto missing = mg::SharedKeySigner(p.dir / "absent.key", mg::KeyPassphrase::Literal("pw"));
  BOOST_TEST((missing.status().code() == mg::Status::Code::kNotFound));
}

BOOST_AUTO_TEST_CASE(concurrent_first_calls_decrypt_once) {
  Pair p;
  const int loads = mg::SharedKeySignerLoads();
  std::vector<std::thread> threads;
  std::vector<mg::KeySigner*> got(6, nullptr);
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] {
      auto r = mg::SharedKeySigner(p.key, mg::KeyPassphrase::Literal("pw"));
      if (r.ok()) got[i] = r->get();
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(mg::SharedKeySignerLoads() == loads + 1);
  for (mg::KeySigner* s : got) BOOST_TEST(s == got[0]);
  BOOST_TEST(got[0] != nullptr);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
