#include "util/chunked_vector.h"

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::ChunkedVector;

// Counts live instances, so a leak or a double destruction shows.
struct Counted {
  static inline int live = 0;
  std::string text;
  Counted() { ++live; }
  explicit Counted(std::string t) : text(std::move(t)) { ++live; }
  Counted(const Counted& o) : text(o.text) { ++live; }
  Counted(Counted&& o) noexcept : text(std::move(o.text)) { ++live; }
  Counted& operator=(const Counted&) = default;
  ~Counted() { --live; }
};

// Throws from its copy constructor once `copies_left` reaches 0 (a bad_alloc stand-in).
struct Fragile {
  static inline int live = 0;
  static inline int copies_left = 1 << 30;
  std::string text = std::string(32, 'f');  // on the heap: a leak would show under ASan too
  Fragile() { ++live; }
  Fragile(const Fragile& o) : text(o.text) {
    if (copies_left-- <= 0) throw std::runtime_error("copy failed");
    ++live;
  }
  Fragile& operator=(const Fragile&) = default;
  ~Fragile() { --live; }
};

struct alignas(64) Aligned {
  char byte = 0;
};

BOOST_AUTO_TEST_SUITE(chunked_vector_test)

BOOST_AUTO_TEST_CASE(chunk_size_stays_within_the_byte_budget) {
  static_assert(ChunkedVector<char>::kChunk == 64 * 1024);
  static_assert(ChunkedVector<Counted>::kChunk * sizeof(Counted) <= ChunkedVector<Counted>::kChunkBytes);
  struct Big {
    char bytes[100 * 1024];
  };
  static_assert(ChunkedVector<Big>::kChunk == 1);  // one element even when it exceeds the budget
  BOOST_TEST(ChunkedVector<Counted>::kChunk > 1u);
}

BOOST_AUTO_TEST_CASE(agrees_with_a_vector_across_many_chunks_and_keeps_addresses) {
  const size_t n = 5 * ChunkedVector<Counted>::kChunk + 7;  // crosses five chunk boundaries
  {
    ChunkedVector<Counted> v;
    std::vector<std::string> model;
    std::vector<const Counted*> addresses;
    for (size_t i = 0; i < n; ++i) {
      std::string t = "task-" + std::to_string(i) + std::string(i % 40, 'x');  // some on the heap
      v.emplace_back(t);
      model.push_back(t);
      addresses.push_back(&v.back());
    }
    BOOST_TEST(v.size() == n);
    BOOST_TEST(Counted::live == static_cast<int>(n));
    size_t visited = 0;
    for (const Counted& c : v) BOOST_TEST(c.text == model[visited++]);  // iteration in index order
    BOOST_TEST(visited == n);
    for (size_t i = 0; i < n; ++i) {
      BOOST_TEST(v[i].text == model[i]);
      BOOST_TEST(&v[i] == addresses[i]);  // growth never moved an element
    }
  }
  BOOST_TEST(Counted::live == 0);
}

BOOST_AUTO_TEST_CASE(resize_value_initializes_and_destroys) {
  ChunkedVector<int> ints(3 * ChunkedVector<int>::kChunk + 1);
  for (size_t i = 0; i < ints.size(); ++i) BOOST_TEST(ints[i] == 0);
  ints[1] = 7;
  ints.resize(1);  // the first chunk stays, with 7 left in element 1's storage
  ints.resize(2);
  BOOST_TEST(ints[1] == 0);  // value-initialized again, not the old bytes
  {
    ChunkedVector<Counted> v;
    v.resize(ChunkedVector<Counted>::kChunk + 3);
    BOOST_TEST(Counted::live == static_cast<int>(ChunkedVector<Counted>::kChunk + 3));
    v[1].text = "kept";
    v.resize(2);
    BOOST_TEST(v.size() == 2u);
    BOOST_TEST(Counted::live == 2);
    BOOST_TEST(v[1].text == "kept");
    v.resize(5);
    BOOST_TEST(v[4].text.empty());
    v.clear();
    BOOST_TEST(v.empty());
    BOOST_TEST(Counted::live == 0);
    v.emplace_back("again");  // usable after clear (its chunks were freed)
    BOOST_TEST(v[0].text == "again");
  }
  BOOST_TEST(Counted::live == 0);
}

BOOST_AUTO_TEST_CASE(copies_are_deep_and_moves_take_the_elements) {
  {
  ChunkedVector<Counted> a;
  for (int i = 0; i < 300; ++i) a.emplace_back("e" + std::to_string(i));
  ChunkedVector<Counted> b = a;
  b[0].text = "changed";
  BOOST_TEST(a[0].text == "e0");
  BOOST_TEST(b.size() == 300u);
  BOOST_TEST(b[299].text == "e299");
  const Counted* first = &a[0];
  ChunkedVector<Counted> c = std::move(a);
  BOOST_TEST(&c[0] == first);  // moved chunks, not elements
  BOOST_TEST(a.empty());       // NOLINT(bugprone-use-after-move): a moved-from container is empty
  b = std::move(c);
  BOOST_TEST(b[0].text == "e0");
  BOOST_TEST(Counted::live == 300);
  const ChunkedVector<Counted>& same = b;
  b = same;  // self-assignment keeps the elements
  BOOST_TEST(b.size() == 300u);
  a = b;
  BOOST_TEST(a[150].text == "e150");
  BOOST_TEST(Counted::live == 600);
  ChunkedVector<Counted>& also_b = b;
  b = std::move(also_b);  // self-move keeps the elements
  BOOST_TEST(b.size() == 300u);
  BOOST_TEST(b[299].text == "e299");
  }
  BOOST_TEST(Counted::live == 0);  // every copy and every moved-to container destroyed its elements
}

// A move assignment from a container that lives inside one of the target's own elements.
struct Tree {
  ChunkedVector<Tree> children;
  std::string name;
};

BOOST_AUTO_TEST_CASE(move_assignment_from_inside_an_element) {
  ChunkedVector<Tree> roots;
  roots.emplace_back();
  for (int i = 0; i < 3; ++i) {
    Tree leaf;
    leaf.name = "leaf-" + std::to_string(i) + std::string(30, 'x');
    roots[0].children.push_back(std::move(leaf));
  }
  roots = std::move(roots[0].children);  // the source is destroyed with roots[0] only after the take
  BOOST_TEST(roots.size() == 3u);
  BOOST_TEST(roots[2].name == "leaf-2" + std::string(30, 'x'));
}

// An element constructor that throws leaves no element behind: in a copy constructor (the
// destructor of the half-built copy runs), in a copy assignment (the target keeps what it held)
// and in emplace_back (the size stays).
BOOST_AUTO_TEST_CASE(a_throwing_element_constructor_leaks_nothing) {
  const size_t n = 2 * ChunkedVector<Fragile>::kChunk + 3;
  {
    ChunkedVector<Fragile> source(n);
    BOOST_TEST(Fragile::live == static_cast<int>(n));

    Fragile::copies_left = static_cast<int>(ChunkedVector<Fragile>::kChunk) + 1;  // fails in the second chunk
    BOOST_CHECK_THROW(ChunkedVector<Fragile>{source}, std::runtime_error);
    BOOST_TEST(Fragile::live == static_cast<int>(n));

    ChunkedVector<Fragile> target(2);
    target[0].text = "kept";
    Fragile::copies_left = 5;
    BOOST_CHECK_THROW(target = source, std::runtime_error);
    BOOST_TEST(target.size() == 2u);  // strong guarantee
    BOOST_TEST(target[0].text == "kept");
    BOOST_TEST(Fragile::live == static_cast<int>(n + 2));

    Fragile::copies_left = 0;
    BOOST_CHECK_THROW(target.push_back(source[0]), std::runtime_error);
    BOOST_TEST(target.size() == 2u);
    Fragile::copies_left = 1 << 30;
  }
  BOOST_TEST(Fragile::live == 0);
}

BOOST_AUTO_TEST_CASE(over_aligned_elements_are_aligned) {
  ChunkedVector<Aligned> v;
  for (int i = 0; i < 2000; ++i) v.emplace_back();
  for (size_t i = 0; i < v.size(); i += 97) {
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(&v[i]) % 64 == 0u);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
