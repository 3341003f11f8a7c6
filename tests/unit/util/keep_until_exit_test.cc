#include "util/keep_until_exit.h"

#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>
#include <vector>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

// Counts destructions of objects that still own their payload (a moved-from one owns none).
struct Owner {
  static inline int destroyed_with_payload = 0;
  std::unique_ptr<std::vector<std::string>> payload;
  Owner() : payload(std::make_unique<std::vector<std::string>>(1000, std::string(40, 'x'))) {}
  Owner(Owner&&) noexcept = default;
  ~Owner() {
    if (payload) ++destroyed_with_payload;
  }
};

BOOST_AUTO_TEST_SUITE(keep_until_exit_test)

// The kept object is never destroyed (its payload stays reachable, so the ASan tree's leak check,
// which runs at this binary's exit, reports nothing); the moved-from original is left empty.
BOOST_AUTO_TEST_CASE(kept_objects_are_never_destroyed) {
  const std::vector<std::string>* kept_payload = nullptr;
  {
    Owner a;
    kept_payload = a.payload.get();
    mg::KeepUntilExit(std::move(a));
    BOOST_TEST(!a.payload);  // NOLINT(bugprone-use-after-move): moved from
    Owner b;
    mg::KeepUntilExit(std::move(b));
  }
  BOOST_TEST(Owner::destroyed_with_payload == 0);
  BOOST_TEST(kept_payload->size() == 1000u);  // still alive
  BOOST_TEST((*kept_payload)[999] == std::string(40, 'x'));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
