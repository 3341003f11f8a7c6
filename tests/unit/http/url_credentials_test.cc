#include "http/url_credentials.h"

#include <boost/test/unit_test.hpp>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(url_credentials_test)

BOOST_AUTO_TEST_CASE(finds_credentials) {
  BOOST_TEST(mg::UrlHasCredentials("https://user:tok@host/repo.git"));
  BOOST_TEST(mg::UrlHasCredentials("https://ghp_token@github.com/o/r.git"));  // a token as the user name
  BOOST_TEST(mg::UrlHasCredentials("HTTP://u:p@127.0.0.1:8080"));
  BOOST_TEST(mg::UrlHasCredentials("https://u:p@host:notaport/x"));  // found even where ParseUrl fails
  BOOST_TEST(mg::UrlHasCredentials("https://u:p@ss@host/x"));
  BOOST_TEST(mg::UrlHasCredentials("ssh://git:pw@host/r.git"));  // a password, even for ssh
  BOOST_TEST(mg::UrlHasCredentials("file://me@localhost/srv/r.git"));
}

BOOST_AUTO_TEST_CASE(no_credentials) {
  BOOST_TEST(!mg::UrlHasCredentials("https://host/repo.git"));
  BOOST_TEST(!mg::UrlHasCredentials("https://host/v2/a@b"));  // '@' in the path
  BOOST_TEST(!mg::UrlHasCredentials("https://host/x?q=a@b#c@d"));
  BOOST_TEST(!mg::UrlHasCredentials("ssh://git@github.com/o/r.git"));  // an ssh account, keys authenticate
  BOOST_TEST(!mg::UrlHasCredentials("git+ssh://git@github.com/o/r.git"));
  BOOST_TEST(!mg::UrlHasCredentials("git@github.com:o/r.git"));  // scp-like: no scheme
  BOOST_TEST(!mg::UrlHasCredentials("user:pw@host"));            // not a URL
  BOOST_TEST(!mg::UrlHasCredentials("see https://u:p@host"));    // only text that is a URL
  BOOST_TEST(!mg::UrlHasCredentials("1://u:p@host"));
  BOOST_TEST(!mg::UrlHasCredentials(""));
}

BOOST_AUTO_TEST_CASE(redacts_only_credentials) {
  BOOST_TEST(mg::RedactUrlCredentials("https://user:tok@host:8443/r.git?x=1") == "https://host:8443/r.git?x=1");
  BOOST_TEST(mg::RedactUrlCredentials("https://tok@host") == "https://host");
  BOOST_TEST(mg::RedactUrlCredentials("ssh://git@host/r.git") == "ssh://git@host/r.git");
  BOOST_TEST(mg::RedactUrlCredentials("ssh://git:pw@host/r.git") == "ssh://host/r.git");
  BOOST_TEST(mg::RedactUrlCredentials("plain text") == "plain text");
}

BOOST_AUTO_TEST_CASE(scrubs_every_copy) {
  const std::string url = "https://bob:CANARY-x1@host/r.git";
  BOOST_TEST(mg::ScrubUrlCredentials("fetching " + url + " failed; " + url, url) ==
             "fetching https://host/r.git failed; https://host/r.git");
  // A copy that is not the URL verbatim (a path made of it) loses the userinfo all the same.
  BOOST_TEST(mg::ScrubUrlCredentials("no file /cfg/https:/bob:CANARY-x1@host/r.git", url) == "no file /cfg/https:/***@host/r.git");
  BOOST_TEST(mg::ScrubUrlCredentials("password CANARY-x1 seen", url) == "password *** seen");
  BOOST_TEST(mg::ScrubUrlCredentials("ssh://git@host/r", "ssh://git@host/r") == "ssh://git@host/r");
  BOOST_TEST(mg::ScrubUrlCredentials("a u:p b", "https://u:p@host") == "a u:p b");  // too short to scrub
}

BOOST_AUTO_TEST_CASE(problem_names_channels_without_the_secret) {
  const std::string m = mg::UrlCredentialsProblem("https://alice-x:CANARY-x1@host/r.git");
  BOOST_TEST(m.find("CANARY-x1") == std::string::npos);
  BOOST_TEST(m.find("alice-x") == std::string::npos);
  BOOST_TEST(m.find("https://host/r.git") != std::string::npos);
  for (const char* channel : {"credential helper", "GIT_ASKPASS", ".netrc", "GITHUB_TOKEN", "GITLAB_TOKEN",
                              "registry.auth_file", "docker config"}) {
    BOOST_TEST(m.find(channel) != std::string::npos, channel);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
