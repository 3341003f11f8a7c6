#include "util/flat_hash_index.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::FlatHashIndex;

BOOST_AUTO_TEST_SUITE(flat_hash_index_test)

BOOST_AUTO_TEST_CASE(agrees_with_unordered_map_through_growth_and_overwrites) {
  std::vector<std::string> keys;  // value v is an index into keys
  FlatHashIndex index;
  std::unordered_map<std::string, uint32_t> model;
  for (uint32_t n = 0; n < 5000; ++n) {
    std::string key = "build:app" + std::to_string(n % 3000) + "@1.0.0/linux/amd64";  // n >= 3000 overwrites
    keys.push_back(key);
    uint32_t old = index.Put(FlatHashIndex::Hash(key), n, [&](uint32_t v) { return keys[v] == key; });
    auto it = model.find(key);
    BOOST_TEST(old == (it == model.end() ? FlatHashIndex::kNone : it->second));
    model[key] = n;
  }
  BOOST_TEST(index.size() == model.size());
  for (const auto& entry : model) {
    const std::string& key = entry.first;  // clang 14 cannot capture a structured binding
    BOOST_TEST(index.Find(FlatHashIndex::Hash(key), [&](uint32_t v) { return keys[v] == key; }) == entry.second);
  }
  std::string absent = "probe:nope";
  BOOST_TEST(index.Find(FlatHashIndex::Hash(absent), [&](uint32_t v) { return keys[v] == absent; }) ==
             FlatHashIndex::kNone);
}

BOOST_AUTO_TEST_CASE(equal_hashes_are_told_apart_by_the_callers_equality) {
  std::vector<std::string> keys = {"a", "b", "c"};
  FlatHashIndex index;
  index.Reserve(2);
  for (uint32_t v = 0; v < keys.size(); ++v) {
    // Every key gets the same hash: all collide and probe past each other.
    BOOST_TEST(index.Put(42, v, [&](uint32_t o) { return keys[o] == keys[v]; }) == FlatHashIndex::kNone);
  }
  for (uint32_t v = 0; v < keys.size(); ++v) {
    BOOST_TEST(index.Find(42, [&](uint32_t o) { return keys[o] == keys[v]; }) == v);
  }
  BOOST_TEST(index.Find(42, [](uint32_t) { return false; }) == FlatHashIndex::kNone);
  BOOST_TEST(FlatHashIndex().Find(1, [](uint32_t) { return true; }) == FlatHashIndex::kNone);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
