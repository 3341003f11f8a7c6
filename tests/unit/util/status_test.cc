#include "util/status.h"

#include <boost/test/unit_test.hpp>
#include <string>

BOOST_AUTO_TEST_SUITE(status_test)

BOOST_AUTO_TEST_CASE(a_result_from_an_ok_status_is_an_internal_error) {
  mg::Result<std::string> r = mg::Status::OK();
  BOOST_TEST(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kInternal), mg::Status::CodeName(r.status().code()));
  BOOST_TEST(r.status().message() == "internal error: a failed result was made from an OK status");
}

BOOST_AUTO_TEST_CASE(a_result_keeps_its_error_or_value) {
  mg::Result<int> failed = mg::Status::NotFound("no such tag");
  BOOST_TEST(!failed.ok());
  BOOST_TEST(failed.status().ToString() == mg::Status::NotFound("no such tag").ToString());
  mg::Result<int> value = 7;
  BOOST_REQUIRE(value.ok());
  BOOST_TEST(value.status().ok());
  BOOST_TEST(*value == 7);
}

BOOST_AUTO_TEST_SUITE_END()
