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

}  // namespace MG_TEST_FILE_NS

// Its destructor frees memory only.
template <>
inline constexpr bool mg::kKeepableUntilExit<MG_TEST_FILE_NS::Owner> = true;

namespace MG_TEST_FILE_NS {

BOOST_AUTO_TEST_SUITE(keep_until_exit_test)

// The kept object is never destroyed and its payload stays alive; the moved-from original is left
// empty. (Run by hand with ASAN_OPTIONS=detect_leaks=1, the ASan tree's LeakSanitizer reports
// nothing at this binary's exit: the kept objects are reachable. scripts/test.sh runs with leak
// detection off.)
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

// The guard keeps every object it names when its scope ends, on whatever path.
BOOST_AUTO_TEST_CASE(the_scope_guard_keeps_its_objects) {
  const int before = Owner::destroyed_with_payload;
  const std::vector<std::string>* first = nullptr;
  const std::vector<std::string>* second = nullptr;
  {
    Owner a;
    Owner b;
    first = a.payload.get();
    second = b.payload.get();
    mg::KeepUntilExitAtScopeEnd keep(a, b);
    BOOST_TEST(a.payload.get() == first);  // untouched until the scope ends
  }
  BOOST_TEST(Owner::destroyed_with_payload == before);
  BOOST_TEST(first->size() == 1000u);
  BOOST_TEST(second->size() == 1000u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
