#include "util/clock.h"

#include <boost/test/unit_test.hpp>
#include <chrono>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

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

BOOST_AUTO_TEST_CASE(parses_rfc3339_as_forges_write_it) {
  BOOST_TEST(mg::ParseRfc3339("2023-11-14T22:13:20Z").value_or(-1) == 1700000000000);
  BOOST_TEST(mg::ParseRfc3339("2023-11-14T22:13:20.123Z").value_or(-1) == 1700000000123);
  BOOST_TEST(mg::ParseRfc3339("2023-11-14T22:13:20.1234567Z").value_or(-1) == 1700000000123);
  BOOST_TEST(mg::ParseRfc3339("2023-11-14T22:13:20.5Z").value_or(-1) == 1700000000500);
  // GitLab writes local offsets: the same instant.
  BOOST_TEST(mg::ParseRfc3339("2023-11-15T00:13:20.123+02:00").value_or(-1) == 1700000000123);
  BOOST_TEST(mg::ParseRfc3339("2023-11-14T17:13:20-05:00").value_or(-1) == 1700000000000);
  BOOST_TEST(mg::ParseRfc3339("2000-02-29 12:34:56.007z").value_or(-1) == 951827696007);
  BOOST_TEST(mg::ParseRfc3339("1969-12-31T23:59:59Z").value_or(0) == -1000);
  // Round trip with the formatter.
  for (int64_t ms : {int64_t{0}, int64_t{1700000000123}, int64_t{-86400001}, int64_t{4102444799999}}) {
    BOOST_TEST(mg::ParseRfc3339(mg::FormatRfc3339(ms)).value_or(-7) == ms);
  }
}

BOOST_AUTO_TEST_CASE(rejects_what_is_not_rfc3339) {
  for (const char* bad : {"", "2023-11-14", "2023-11-14T22:13:20", "2023-11-14T22:13Z", "2023-13-01T00:00:00Z",
                          "2023-02-29T00:00:00Z", "2023-11-31T00:00:00Z", "2023-11-14T24:00:00Z",
                          "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20+0200", "2023-11-14T22:13:20Z junk",
                          "23-11-14T22:13:20Z", "last tuesday"}) {
    BOOST_TEST(!mg::ParseRfc3339(bad).has_value(), bad);
  }
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

}  // namespace MG_TEST_FILE_NS
