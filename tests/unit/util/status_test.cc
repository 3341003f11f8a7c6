#include "util/status.h"

#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

mg::Result<std::string> Text(bool ok) {
  if (!ok) return mg::Status::NotFound("no text");
  return std::string("hello");
}

mg::Result<std::unique_ptr<int>> Owned(bool ok) {
  if (!ok) return mg::Status::IOError("no int");
  return std::make_unique<int>(7);
}

int g_calls = 0;
mg::Result<int> Counted(int v) {
  ++g_calls;
  return v;
}

// Declares a new variable; returns a Result of another type.
mg::Result<size_t> LengthOf(bool ok) {
  MG_ASSIGN_OR_RETURN(std::string text, Text(ok));
  return text.size();
}

// Assigns to an existing variable and to a member; returns a Status.
struct Holder {
  std::unique_ptr<int> value;
};
mg::Status Fill(bool ok, Holder* h, std::string* out) {
  MG_ASSIGN_OR_RETURN(h->value, Owned(ok));  // move-only value
  MG_ASSIGN_OR_RETURN(*out, Text(true));     // two uses in one function
  return mg::Status::OK();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(status_test)

BOOST_AUTO_TEST_CASE(assign_or_return_yields_the_value_or_returns_the_error) {
  mg::Result<size_t> good = LengthOf(true);
  BOOST_REQUIRE(good.ok());
  BOOST_TEST(*good == 5u);

  mg::Result<size_t> bad = LengthOf(false);
  BOOST_REQUIRE(!bad.ok());
  BOOST_CHECK(bad.status().code() == mg::Status::Code::kNotFound);
  BOOST_TEST(bad.status().message() == "no text");
}

BOOST_AUTO_TEST_CASE(assign_or_return_moves_into_existing_lvalues) {
  Holder h;
  std::string out;
  BOOST_REQUIRE(Fill(true, &h, &out).ok());
  BOOST_REQUIRE(h.value != nullptr);
  BOOST_TEST(*h.value == 7);
  BOOST_TEST(out == "hello");

  Holder empty;
  std::string untouched = "before";
  mg::Status st = Fill(false, &empty, &untouched);
  BOOST_CHECK(st.code() == mg::Status::Code::kIOError);
  BOOST_TEST(empty.value == nullptr);
  BOOST_TEST(untouched == "before");  // returned before the second assignment
}

BOOST_AUTO_TEST_CASE(assign_or_return_evaluates_its_expression_once) {
  g_calls = 0;
  auto f = []() -> mg::Result<int> {
    MG_ASSIGN_OR_RETURN(int v, Counted(41));
    return v + 1;
  };
  mg::Result<int> r = f();
  BOOST_TEST(*r == 42);
  BOOST_TEST(g_calls == 1);
}

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

}  // namespace MG_TEST_FILE_NS
