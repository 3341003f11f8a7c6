// RunBuiltinSource refuses a plugin's source whose URLs carry credentials (issue 9, finding 2),
// before anything is fetched, and the message shows none of them; the token variables sources
// name join the secrets children never inherit.
#include "tasks/engine_host.h"

#include <boost/test/unit_test.hpp>
#include <algorithm>

#include "tasks/app_resolver.h"
#include "util/secret_env.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::Json;

BOOST_AUTO_TEST_SUITE(engine_host_test)

BOOST_AUTO_TEST_CASE(source_urls_with_credentials_are_refused) {
  const std::string secret = "CANARY-h0st";
  const Json sources[] = {
      {{"type", "git-tags"}, {"url", "https://bob:" + secret + "@127.0.0.1:9/a.git"}},
      {{"type", "github-releases"}, {"repo", "o/a"}, {"api_base", "http://" + secret + "@127.0.0.1:9/api/v3"}},
      {{"type", "gitlab-tags"}, {"project", "g/a"}, {"api_base", "http://bob:" + secret + "@127.0.0.1:9/api/v4"}},
  };
  for (const Json& source : sources) {
    mg::Result<Json> r = mg::RunBuiltinSource(source, nullptr, nullptr);
    BOOST_REQUIRE(!r.ok());
    const std::string message = r.status().message();
    BOOST_TEST((r.status().code() == mg::Status::Code::kInvalidArgument), message);
    BOOST_TEST(message.find("with credentials") != std::string::npos, message);
    BOOST_TEST(message.find(secret) == std::string::npos, message);
    BOOST_TEST(message.find("bob") == std::string::npos, message);
  }
}

// The token variables a config or a plugin names are secrets builders never inherit; git keeps
// them (util/secret_env.h).
BOOST_AUTO_TEST_CASE(configured_token_variables_become_secrets) {
  auto lists = [](const std::string& name, mg::ChildKind kind) {
    std::vector<std::string> names = mg::SecretEnvNamesToRemove(kind);
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  mg::Config config;
  config.attestations.identity_token = "env:MG_HOST_TEST_OIDC";
  mg::ResolvedApp app;
  app.model.source = {{"releases", {{"type", "github-releases"}, {"token_env", "MG_HOST_TEST_GH"}}},
                      {"tags", Json::array({{{"type", "gitlab-tag-exists"}, {"token_env", "MG_HOST_TEST_GL"}}})}};
  mg::AddConfiguredSecretEnvNames(config, {app});
  // A plugin's source at discover time, even one that fails.
  BOOST_TEST(!mg::RunBuiltinSource({{"type", "github-releases"}, {"repo", "o/a"}, {"token_env", "MG_HOST_TEST_PLUGIN"}},
                                   nullptr, nullptr)
                  .ok());
  for (const char* name : {"MG_HOST_TEST_GH", "MG_HOST_TEST_GL", "MG_HOST_TEST_PLUGIN"}) {
    BOOST_TEST(lists(name, mg::ChildKind::kBuilder), name);
    BOOST_TEST(!lists(name, mg::ChildKind::kCredentialProgram), name);
  }
  BOOST_TEST(lists("MG_HOST_TEST_OIDC", mg::ChildKind::kBuilder));
  BOOST_TEST(lists("MG_HOST_TEST_OIDC", mg::ChildKind::kCredentialProgram));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
