#include "http/url.h"

#include <boost/test/unit_test.hpp>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(url_test)

BOOST_AUTO_TEST_CASE(redacts_userinfo) {
  BOOST_TEST(mg::RedactUrl("https://user:s3cret@reg.example:5000/v2/x?y=1") == "https://reg.example:5000/v2/x?y=1");
  BOOST_TEST(mg::RedactUrl("http://tok@host") == "http://host");
  BOOST_TEST(mg::RedactUrl("https://reg.example/v2/a@b") == "https://reg.example/v2/a@b");  // '@' in the path stays
  BOOST_TEST(mg::RedactUrl("not a url") == "not a url");
}

BOOST_AUTO_TEST_CASE(parses_urls) {
  mg::ParsedUrl u;
  BOOST_REQUIRE(mg::ParseUrl("HTTPS://u:p@Reg.Example:5000/v2/?q", &u));
  BOOST_TEST(u.scheme == "https");
  BOOST_TEST(u.userinfo == "u:p");
  BOOST_TEST(u.host == "reg.example");
  BOOST_TEST(u.port == 5000);
  BOOST_TEST(u.path == "/v2/?q");
  BOOST_REQUIRE(mg::ParseUrl("http://127.0.0.1", &u));
  BOOST_TEST(u.port == 80);
  BOOST_TEST(u.path == "/");
  BOOST_REQUIRE(mg::ParseUrl("https://[::1]:8443/x", &u));
  BOOST_TEST(u.host == "[::1]");
  BOOST_TEST(u.port == 8443);
  BOOST_TEST(!mg::ParseUrl("reg.example/v2", &u));
  BOOST_TEST(!mg::ParseUrl("https://host:99999/", &u));
  BOOST_TEST(!mg::ParseUrl("https:///path", &u));
}

BOOST_AUTO_TEST_CASE(host_port_keys) {
  BOOST_TEST(mg::HostPortKey("https://reg.example/v2/") == "reg.example:443");
  BOOST_TEST(mg::HostPortKey("https://reg.example:443/v2/") == "reg.example:443");
  BOOST_TEST(mg::HostPortKey("http://127.0.0.1:5000/v2/") == "127.0.0.1:5000");
}

BOOST_AUTO_TEST_CASE(url_encoding) {
  BOOST_TEST(mg::UrlEncode("repository:team/app:pull,push") == "repository%3Ateam%2Fapp%3Apull%2Cpush");
  BOOST_TEST(mg::UrlEncode("a-b_c.d~e") == "a-b_c.d~e");
  BOOST_TEST(mg::UrlEncode("a b") == "a%20b");
}

BOOST_AUTO_TEST_CASE(url_decoding) {
  BOOST_TEST(mg::UrlDecode("a%20b%2Fc%2fd") == "a b/c/d");
  BOOST_TEST(mg::UrlDecode(mg::UrlEncode("repository:team/app:pull,push")) == "repository:team/app:pull,push");
  // Not an escape: kept as it is, at the end too.
  BOOST_TEST(mg::UrlDecode("100%") == "100%");
  BOOST_TEST(mg::UrlDecode("%zz%4") == "%zz%4");
  BOOST_TEST(mg::UrlDecode("a+b") == "a+b");
  BOOST_TEST(mg::UrlDecode("x%00y") == std::string("x\0y", 3));
}

// Credentials follow an origin: same scheme, host and port, default ports applied.
BOOST_AUTO_TEST_CASE(same_origin) {
  BOOST_TEST(mg::SameOrigin("https://gitlab.example/api/v4/a", "https://GitLab.example:443/other?x"));
  BOOST_TEST(mg::SameOrigin("http://127.0.0.1:8080/a", "http://127.0.0.1:8080/b"));
  BOOST_TEST(!mg::SameOrigin("https://gitlab.example/a", "http://gitlab.example/a"));  // a downgrade
  BOOST_TEST(!mg::SameOrigin("https://gitlab.example/a", "https://gitlab.example:8443/a"));
  BOOST_TEST(!mg::SameOrigin("https://gitlab.example/a", "https://evil.example/a"));
  BOOST_TEST(!mg::SameOrigin("https://gitlab.example/a", "https://gitlab.example.evil.example/a"));
  BOOST_TEST(!mg::SameOrigin("/relative", "/relative"));
}

BOOST_AUTO_TEST_CASE(resolves_references_against_a_url) {
  const std::string base = "https://h.example:8443/api/v4/projects/x?page=1#top";
  BOOST_TEST(mg::ResolveUrl(base, "http://other.example/y") == "http://other.example/y");
  BOOST_TEST(mg::ResolveUrl(base, "//other.example/y") == "https://other.example/y");
  BOOST_TEST(mg::ResolveUrl(base, "/y?z=1") == "https://h.example:8443/y?z=1");
  BOOST_TEST(mg::ResolveUrl(base, "tags?page=2") == "https://h.example:8443/api/v4/projects/tags?page=2");
  BOOST_TEST(mg::ResolveUrl(base, "../../v5/./p") == "https://h.example:8443/api/v5/p");
  BOOST_TEST(mg::ResolveUrl(base, "/../../a") == "https://h.example:8443/a");
  BOOST_TEST(mg::ResolveUrl(base, "?page=2") == "https://h.example:8443/api/v4/projects/x?page=2");
  BOOST_TEST(mg::ResolveUrl(base, "#f") == "https://h.example:8443/api/v4/projects/x?page=1#f");
  BOOST_TEST(mg::ResolveUrl(base, "") == "https://h.example:8443/api/v4/projects/x?page=1");
  BOOST_TEST(mg::ResolveUrl("http://h.example", "a/b") == "http://h.example/a/b");
  BOOST_TEST(mg::ResolveUrl(base, "ftp://x/y") == "ftp://x/y");
  BOOST_TEST(mg::ResolveUrl("not a url", "a/b") == "a/b");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
