#include "http/link_header.h"

#include <boost/test/unit_test.hpp>

#include "http/url.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(link_header_test)

BOOST_AUTO_TEST_CASE(github_style) {
  auto links = mg::ParseLinkHeader(
      "<https://api.example/repos/o/r/releases?per_page=100&page=2>; rel=\"next\", "
      "<https://api.example/repos/o/r/releases?per_page=100&page=5>; rel=\"last\"");
  BOOST_TEST(links.size() == 2u);
  BOOST_TEST(links["next"] == "https://api.example/repos/o/r/releases?per_page=100&page=2");
  BOOST_TEST(links["last"] == "https://api.example/repos/o/r/releases?per_page=100&page=5");
}

BOOST_AUTO_TEST_CASE(unquoted_multi_rel_and_extra_params) {
  auto links = mg::ParseLinkHeader("<https://x/a,b?p=1>;rel=next;title=\"a, b\" ,<https://x/first>; rel=\"first prev\"");
  BOOST_TEST(links["next"] == "https://x/a,b?p=1");  // a comma inside <...> is part of the URL
  BOOST_TEST(links["first"] == "https://x/first");
  BOOST_TEST(links["prev"] == "https://x/first");
  BOOST_TEST(links.size() == 3u);
}

BOOST_AUTO_TEST_CASE(rel_is_case_insensitive_and_first_wins) {
  auto links = mg::ParseLinkHeader("<https://x/1>; REL=\"Next\", <https://x/2>; rel=next");
  BOOST_TEST(links.size() == 1u);
  BOOST_TEST(links["next"] == "https://x/1");
}

BOOST_AUTO_TEST_CASE(malformed_entries_are_skipped) {
  BOOST_TEST(mg::ParseLinkHeader("").empty());
  BOOST_TEST(mg::ParseLinkHeader("garbage").empty());
  BOOST_TEST(mg::ParseLinkHeader("<https://x/unterminated; rel=next").empty());
  auto links = mg::ParseLinkHeader("junk, <https://x/ok>; rel=\"next\"");
  BOOST_TEST(links["next"] == "https://x/ok");
  BOOST_TEST(mg::ParseLinkHeader("<https://x/norel>; type=\"text/html\"").empty());
}

BOOST_AUTO_TEST_CASE(links_resolve_against_the_page) {
  const std::string base = "http://127.0.0.1:5000/v2/ns/app/tags/list?n=1000";
  BOOST_TEST(mg::ResolveUrl(base, "/v2/ns/app/tags/list?n=1000&last=b") ==
             "http://127.0.0.1:5000/v2/ns/app/tags/list?n=1000&last=b");
  BOOST_TEST(mg::ResolveUrl(base, "https://api.example/x?page=2") == "https://api.example/x?page=2");
  // A path-relative target is relative to the page's directory (RFC 8288: a URI reference).
  BOOST_TEST(mg::ResolveUrl(base, "list?last=b") == "http://127.0.0.1:5000/v2/ns/app/tags/list?last=b");
  BOOST_TEST(mg::ResolveUrl("not a url", "/x") == "/x");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
