// libcurl loaded at run time (http/libcurl.h): the installed library binds, and a missing or
// foreign one is an error that says what to install, never a crash.
#include "http/libcurl.h"

#include <dlfcn.h>

#include <boost/test/unit_test.hpp>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(libcurl_test)

BOOST_AUTO_TEST_CASE(loads_the_installed_libcurl_once) {
  mg::Result<const mg::LibCurl*> first = mg::LoadLibCurl();
  BOOST_REQUIRE_MESSAGE(first.ok(), first.status().ToString());
  const mg::LibCurl& curl = **first;
  BOOST_TEST((curl.easy_init != nullptr && curl.easy_setopt != nullptr && curl.easy_perform != nullptr &&
              curl.share_setopt != nullptr && curl.slist_free_all != nullptr));
  mg::Result<const mg::LibCurl*> second = mg::LoadLibCurl();
  BOOST_REQUIRE(second.ok());
  BOOST_TEST(*second == *first);  // one library, one table, for the whole process
  // It is the library the package depends on, now resident.
  void* resident = dlopen(mg::kLibCurlSoname, RTLD_NOW | RTLD_NOLOAD);
  BOOST_TEST(resident != nullptr);
  if (resident != nullptr) dlclose(resident);  // drops the reference RTLD_NOLOAD took
  // The functions work: a handle made, an option set, a code described.
  CURL* h = curl.easy_init();
  BOOST_REQUIRE(h != nullptr);
  BOOST_TEST(curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK);
  curl.easy_cleanup(h);
  BOOST_TEST(std::string(curl.easy_strerror(CURLE_COULDNT_CONNECT)) == "Couldn't connect to server");
}

BOOST_AUTO_TEST_CASE(a_missing_library_says_what_to_install) {
  mg::Result<mg::LibCurl> r = mg::LoadLibCurlFrom("libmirrorgraph-no-such-curl.so.4");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kFailedPrecondition));
  const std::string& m = r.status().message();
  BOOST_TEST(m.find("cannot load libmirrorgraph-no-such-curl.so.4, which mirrorgraph needs for HTTP") == 0, m);
  BOOST_TEST(m.find("libcurl4 package") != std::string::npos, m);
}

BOOST_AUTO_TEST_CASE(a_library_that_is_not_libcurl_is_rejected) {
  mg::Result<mg::LibCurl> r = mg::LoadLibCurlFrom("libz.so.1");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kFailedPrecondition));
  const std::string& m = r.status().message();
  BOOST_TEST(m.find("libz.so.1 has no function curl_easy_init") == 0, m);
  BOOST_TEST(m.find("libcurl4 package") != std::string::npos, m);
}

BOOST_AUTO_TEST_CASE(a_libcurl_older_than_7_85_is_refused) {
  mg::Status old = mg::CheckLibCurlVersion(0x075400, "7.84.0", "libcurl.so.4");
  BOOST_TEST((old.code() == mg::Status::Code::kFailedPrecondition));
  BOOST_TEST(old.message().find("libcurl.so.4 is libcurl 7.84.0, older than 7.85.0") == 0u, old.message());
  BOOST_TEST(old.message().find("libcurl4 package") != std::string::npos, old.message());
  BOOST_TEST(mg::CheckLibCurlVersion(0x075500, "7.85.0", "libcurl.so.4").ok());
  BOOST_TEST(mg::CheckLibCurlVersion(0x080b00, "8.11.0", "libcurl.so.4").ok());
  // This machine's libcurl (Debian 12: 7.88) passes the check LoadLibCurl makes.
  mg::Result<const mg::LibCurl*> here = mg::LoadLibCurl();
  BOOST_TEST(here.ok(), here.status().ToString());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
