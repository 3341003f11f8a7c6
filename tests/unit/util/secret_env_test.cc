#include "util/secret_env.h"

#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <string>
#include <vector>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

bool Lists(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(secret_env_test)

BOOST_AUTO_TEST_CASE(builders_lose_every_secret_credential_programs_keep_the_forge_tokens) {
  const std::vector<std::string> builder = mg::SecretEnvNamesToRemove(mg::ChildKind::kBuilder);
  const std::vector<std::string> credential = mg::SecretEnvNamesToRemove(mg::ChildKind::kCredentialProgram);
  for (const char* name : {"MIRRORGRAPH_REGISTRY_PASSWORD", "COSIGN_PASSWORD", "SIGSTORE_ID_TOKEN",
                           "ACTIONS_ID_TOKEN_REQUEST_TOKEN"}) {
    BOOST_TEST(Lists(builder, name), name);
    BOOST_TEST(Lists(credential, name), name);
  }
  for (const char* name : {"GITHUB_TOKEN", "GITLAB_TOKEN"}) {
    BOOST_TEST(Lists(builder, name), name);
    BOOST_TEST(!Lists(credential, name), name);
  }
  BOOST_TEST(std::is_sorted(builder.begin(), builder.end()));
  BOOST_TEST((std::adjacent_find(builder.begin(), builder.end()) == builder.end()));
}

BOOST_AUTO_TEST_CASE(configured_names_are_added_by_kind) {
  mg::AddSecretEnvName("MG_SECRET_ENV_TEST_FORGE", mg::SecretEnvKind::kForgeToken);
  mg::AddSecretEnvName("MG_SECRET_ENV_TEST_OIDC", mg::SecretEnvKind::kOther);
  mg::AddSecretEnvName("", mg::SecretEnvKind::kOther);
  std::vector<std::string> builder = mg::SecretEnvNamesToRemove(mg::ChildKind::kBuilder);
  std::vector<std::string> credential = mg::SecretEnvNamesToRemove(mg::ChildKind::kCredentialProgram);
  BOOST_TEST(Lists(builder, "MG_SECRET_ENV_TEST_FORGE"));
  BOOST_TEST(!Lists(credential, "MG_SECRET_ENV_TEST_FORGE"));
  BOOST_TEST(Lists(builder, "MG_SECRET_ENV_TEST_OIDC"));
  BOOST_TEST(Lists(credential, "MG_SECRET_ENV_TEST_OIDC"));
  BOOST_TEST(!Lists(builder, ""));
  // A name that is both a forge token and something else is never inherited.
  mg::AddSecretEnvName("MG_SECRET_ENV_TEST_FORGE", mg::SecretEnvKind::kOther);
  mg::AddSecretEnvName("MG_SECRET_ENV_TEST_OIDC", mg::SecretEnvKind::kForgeToken);
  credential = mg::SecretEnvNamesToRemove(mg::ChildKind::kCredentialProgram);
  BOOST_TEST(Lists(credential, "MG_SECRET_ENV_TEST_FORGE"));
  BOOST_TEST(Lists(credential, "MG_SECRET_ENV_TEST_OIDC"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
