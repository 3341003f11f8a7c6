#include "oci/www_authenticate.h"

#include <boost/test/unit_test.hpp>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(www_authenticate_test)

BOOST_AUTO_TEST_CASE(bearer_challenge) {
  auto c = mg::ParseWwwAuthenticate(
      R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push")");
  BOOST_REQUIRE(c.size() == 1u);
  BOOST_TEST(c[0].scheme == "bearer");
  BOOST_TEST(c[0].params["realm"] == "https://auth.example/token");
  BOOST_TEST(c[0].params["service"] == "registry.example");
  BOOST_TEST(c[0].params["scope"] == "repository:a/b:pull,push");  // a comma inside quotes stays
}

BOOST_AUTO_TEST_CASE(several_challenges_and_unquoted_values) {
  auto c = mg::ParseWwwAuthenticate(R"(Basic realm="Registry Realm", Bearer Realm=https://a/t, error="invalid_token")");
  BOOST_REQUIRE(c.size() == 2u);
  BOOST_TEST(c[0].scheme == "basic");
  BOOST_TEST(c[0].params["realm"] == "Registry Realm");
  BOOST_TEST(c[1].scheme == "bearer");
  BOOST_TEST(c[1].params["realm"] == "https://a/t");
  BOOST_TEST(c[1].params["error"] == "invalid_token");
}

BOOST_AUTO_TEST_CASE(junk_does_not_hang_or_crash) {
  BOOST_TEST(mg::ParseWwwAuthenticate("").empty());
  auto c = mg::ParseWwwAuthenticate("\"\"\" ,,, Basic");
  BOOST_REQUIRE(c.size() == 1u);
  BOOST_TEST(c[0].scheme == "basic");
  BOOST_TEST(c[0].params.empty());
  auto d = mg::ParseWwwAuthenticate("Bearer realm=\"unterminated");
  BOOST_REQUIRE(d.size() == 1u);
  BOOST_TEST(d[0].params["realm"] == "unterminated");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
