#include <boost/test/unit_test.hpp>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "graph/task.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;

BOOST_AUTO_TEST_SUITE(task_file_stem_test)

// The ids of finding 7: app `foo_bar`, and app `foo` with image `bar`, used to share a stem (and so
// a work directory, which the other build then deleted).
BOOST_AUTO_TEST_CASE(ids_that_used_to_collide_get_distinct_stems) {
  const std::string a = FormatTaskId(TaskType::kBuild, {"foo_bar", "", "1.0.0", "linux/amd64"});
  const std::string b = FormatTaskId(TaskType::kBuild, {"foo", "bar", "1.0.0", "linux/amd64"});
  BOOST_TEST(a != b);
  BOOST_TEST(TaskFileStem(a) != TaskFileStem(b));
  BOOST_TEST(TaskFileStem("build:a_b") != TaskFileStem("build:a/b"));
  BOOST_TEST(TaskFileStem("build:a_b") != TaskFileStem("build:a:b"));
  BOOST_TEST(TaskFileStem("build:a+b") != TaskFileStem("build:a_b"));
  BOOST_TEST(TaskFileStem("a%5F") != TaskFileStem("a_"));
}

BOOST_AUTO_TEST_CASE(stems_stay_readable_and_are_plain_file_names) {
  BOOST_TEST(TaskFileStem("build:hello@1.0.0/linux/arm64") == "build+hello@1.0.0_linux_arm64");
  BOOST_TEST(TaskFileStem("merge:foo_bar@1.0.0") == "merge+foo%5Fbar@1.0.0");
  BOOST_TEST(TaskFileStem("build:x@1.0.0+meta") == "build+x@1.0.0%2Bmeta");
  for (const std::string& id : std::vector<std::string>{"build:a/b@1/linux/arm/v7", "x:y\n\t z/../..", std::string("nul\0byte", 8)}) {
    std::string stem = TaskFileStem(id);
    BOOST_TEST(stem.find('/') == std::string::npos, stem);
    BOOST_TEST(stem.find('\0') == std::string::npos, stem);
    BOOST_TEST(stem != "..");
  }
}

// Property: over many generated ids drawn from an alphabet rich in the characters that used to be
// folded together, no two distinct ids share a stem.
BOOST_AUTO_TEST_CASE(no_two_distinct_generated_ids_share_a_stem) {
  const std::string alphabet = "ab_/:+%@.-5F2BAz";
  std::mt19937 rng(20261204);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<int> length(0, 7);
  std::map<std::string, std::string> id_by_stem;
  size_t distinct = 0;
  for (int n = 0; n < 200000; ++n) {
    std::string id;
    for (int i = length(rng); i > 0; --i) id += alphabet[pick(rng)];
    auto [it, inserted] = id_by_stem.emplace(TaskFileStem(id), id);
    if (inserted) {
      ++distinct;
    } else {
      BOOST_TEST_REQUIRE(it->second == id, "\"" << it->second << "\" and \"" << id << "\" share the stem \""
                                                << it->first << "\"");
    }
  }
  BOOST_TEST(distinct > 10000u);  // the generator really produced many ids
  // Every byte value, alone and next to the escape characters.
  std::map<std::string, std::string> seen;
  for (int c = 0; c < 256; ++c) {
    for (const std::string& around : {std::string(), std::string("_"), std::string("%"), std::string("+")}) {
      std::string id = around + std::string(1, static_cast<char>(c)) + around;
      auto [it, inserted] = seen.emplace(TaskFileStem(id), id);
      BOOST_TEST_REQUIRE((inserted || it->second == id), "stem collision for byte " << c);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
