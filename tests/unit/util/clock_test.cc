#include "util/clock.h"

#include <boost/test/unit_test.hpp>
#include <chrono>

BOOST_AUTO_TEST_SUITE(clock_test)

BOOST_AUTO_TEST_CASE(formats_rfc3339_utc_with_millis) {
  BOOST_TEST(mg::FormatRfc3339(0) == "1970-01-01T00:00:00.000Z");
  BOOST_TEST(mg::FormatRfc3339(1700000000123) == "2023-11-14T22:13:20.123Z");
  BOOST_TEST(mg::FormatRfc3339(951827696007) == "2000-02-29T12:34:56.007Z");  // leap day
}

BOOST_AUTO_TEST_CASE(negative_times_round_down) {
  BOOST_TEST(mg::FormatRfc3339(-1) == "1969-12-31T23:59:59.999Z");
  BOOST_TEST(mg::FormatRfc3339(-1000) == "1969-12-31T23:59:59.000Z");
}

BOOST_AUTO_TEST_CASE(system_clock_is_near_time) {
  // Bounds from the precise clock: time() reads a coarse one, which may still be in the previous
  // second when NowMillis() is already in the next (a flaky failure in CI).
  auto ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  };
  int64_t before = ms();
  int64_t now = mg::SystemClock::Default()->NowMillis();
  int64_t after = ms();
  BOOST_TEST(now >= before);
  BOOST_TEST(now <= after);
}

BOOST_AUTO_TEST_CASE(manual_clock_moves_only_when_told) {
  mg::ManualClock clock(5000);
  mg::Clock* c = &clock;
  BOOST_TEST(c->NowMillis() == 5000);
  clock.Advance(250);
  BOOST_TEST(c->NowMillis() == 5250);
  clock.Set(42);
  BOOST_TEST(c->NowMillis() == 42);
}

BOOST_AUTO_TEST_SUITE_END()
