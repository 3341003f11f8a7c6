// RunEach: every call runs; an exception on any thread (the caller's or a worker's) becomes the
// returned Status instead of std::terminate.
#include "tasks/attest_parallel.h"

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <stdexcept>
#include <vector>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(attest_parallel_test)

BOOST_AUTO_TEST_CASE(every_index_runs_once) {
  std::vector<std::atomic<int>> calls(5);
  mg::Status s = mg::RunEach(calls.size(), [&](size_t i) { calls[i]++; });
  BOOST_TEST(s.ok(), s.ToString());
  for (auto& c : calls) BOOST_TEST(c.load() == 1);
  BOOST_TEST(mg::RunEach(0, [](size_t) { throw std::runtime_error("never called"); }).ok());
}

BOOST_AUTO_TEST_CASE(an_exception_on_a_worker_thread_is_a_status) {
  std::vector<std::atomic<int>> calls(4);
  mg::Status s = mg::RunEach(calls.size(), [&](size_t i) {
    calls[i]++;
    if (i == 2) throw std::runtime_error("[json.exception.type_error.302] type must be string, but is number");
  });
  BOOST_TEST((s.code() == mg::Status::Code::kInternal), s.ToString());
  BOOST_TEST(s.message() ==
             "part 3 of 4 failed unexpectedly: [json.exception.type_error.302] type must be string, but is number");
  for (auto& c : calls) BOOST_TEST(c.load() == 1);  // the others still ran
}

BOOST_AUTO_TEST_CASE(the_first_failing_index_is_named_whatever_it_threw) {
  mg::Status s = mg::RunEach(3, [](size_t i) {
    if (i == 0) throw 42;  // on the caller's thread, not a std::exception
    if (i == 2) throw std::logic_error("later");
  });
  BOOST_TEST(s.message() == "part 1 of 3 failed unexpectedly: an exception that is not a std::exception");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
