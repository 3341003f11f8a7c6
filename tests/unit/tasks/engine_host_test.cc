// RunBuiltinSource refuses a plugin's source whose URLs carry credentials (issue 9, finding 2),
// before anything is fetched, and the message shows none of them.
#include "tasks/engine_host.h"

#include <boost/test/unit_test.hpp>

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

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
