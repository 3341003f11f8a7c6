#include "util/huge_page_heap.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "unit/util/temp_dir.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

const std::optional<std::string> kUnset;
const std::string kMadvise = "always [madvise] never\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(huge_page_heap_test)

BOOST_AUTO_TEST_CASE(reexecs_with_the_tunable_added_and_the_callers_value_kept) {
  mg::HugePageHeapPlan p = mg::PlanHugePageHeap(kUnset, kUnset, kUnset, kMadvise);
  BOOST_TEST(p.reexec);
  BOOST_TEST(p.tunables == "glibc.malloc.hugetlb=1");
  BOOST_TEST(p.marker == "unset");
  BOOST_TEST(!mg::TunablesFromMarker(p.marker).has_value());

  p = mg::PlanHugePageHeap(std::string("glibc.malloc.tcache_count=7"), kUnset, kUnset, kMadvise);
  BOOST_TEST(p.reexec);
  BOOST_TEST(p.tunables == "glibc.malloc.tcache_count=7:glibc.malloc.hugetlb=1");
  BOOST_TEST(mg::TunablesFromMarker(p.marker).value_or("-") == "glibc.malloc.tcache_count=7");

  // Set but empty is not unset: the re-executed process puts back the empty value.
  p = mg::PlanHugePageHeap(std::string(), kUnset, kUnset, kMadvise);
  BOOST_TEST(p.tunables == "glibc.malloc.hugetlb=1");
  BOOST_TEST(mg::TunablesFromMarker(p.marker).value_or("-") == "");
}

BOOST_AUTO_TEST_CASE(no_reexec_when_done_refused_or_pointless) {
  // Already re-executed (the marker is there), even with the tunable gone.
  BOOST_TEST(!mg::PlanHugePageHeap(kUnset, std::string("unset"), kUnset, kMadvise).reexec);
  // The caller chose a hugetlb setting themselves.
  BOOST_TEST(!mg::PlanHugePageHeap(std::string("glibc.malloc.hugetlb=0"), kUnset, kUnset, kMadvise).reexec);
  // Opted out.
  for (const char* off : {"0", "off", "false", "no"}) {
    BOOST_TEST(!mg::PlanHugePageHeap(kUnset, kUnset, std::string(off), kMadvise).reexec, off);
  }
  BOOST_TEST(mg::PlanHugePageHeap(kUnset, kUnset, std::string("1"), kMadvise).reexec);
  // No transparent huge pages in this kernel, or on the heap without glibc's help ("always").
  BOOST_TEST(!mg::PlanHugePageHeap(kUnset, kUnset, kUnset, std::string("always madvise [never]\n")).reexec);
  BOOST_TEST(!mg::PlanHugePageHeap(kUnset, kUnset, kUnset, std::string("[always] madvise never\n")).reexec);
  BOOST_TEST(!mg::PlanHugePageHeap(kUnset, kUnset, kUnset, kUnset).reexec);
  BOOST_TEST(!mg::PlanHugePageHeap(kUnset, kUnset, kUnset, std::string("")).reexec);
}

// A small heap is not worth a second start, unless the user asks for the huge pages anyway.
BOOST_AUTO_TEST_CASE(a_small_heap_reexecs_only_when_asked) {
  BOOST_TEST(!mg::PlanHugePageHeap(kUnset, kUnset, kUnset, kMadvise, /*large=*/false).reexec);
  BOOST_TEST(!mg::PlanHugePageHeap(kUnset, kUnset, std::string("maybe"), kMadvise, false).reexec);
  for (const char* on : {"1", "on", "true", "yes"}) {
    BOOST_TEST(mg::PlanHugePageHeap(kUnset, kUnset, std::string(on), kMadvise, false).reexec, on);
  }
  // Asked for, but still not where glibc cannot act, nor when already done.
  BOOST_TEST(!mg::PlanHugePageHeap(kUnset, kUnset, std::string("1"), std::string("[always] madvise never\n"), false).reexec);
  BOOST_TEST(!mg::PlanHugePageHeap(kUnset, std::string("unset"), std::string("1"), kMadvise, false).reexec);
}

BOOST_AUTO_TEST_CASE(a_state_is_large_from_its_cache_size) {
  mg::testing::TempDir dir;
  BOOST_TEST(!mg::LargeStateExpected(dir.path()));  // no cache.log
  BOOST_TEST(!mg::LargeStateExpected(""));
  BOOST_TEST(!mg::LargeStateExpected(dir.path() + "/missing"));
  const std::string cache = dir.path() + "/cache.log";
  std::filesystem::resize_file([&] { std::ofstream(cache).put('x'); return cache; }(), mg::kLargeStateCacheBytes - 1);
  BOOST_TEST(!mg::LargeStateExpected(dir.path()));
  std::filesystem::resize_file(cache, mg::kLargeStateCacheBytes);
  BOOST_TEST(mg::LargeStateExpected(dir.path()));
  std::filesystem::remove(cache);
  std::filesystem::create_directory(cache);  // not a file
  BOOST_TEST(!mg::LargeStateExpected(dir.path()));
}

BOOST_AUTO_TEST_CASE(a_malformed_marker_means_unset) {
  BOOST_TEST(!mg::TunablesFromMarker("").has_value());
  BOOST_TEST(!mg::TunablesFromMarker("garbage").has_value());
  BOOST_TEST(mg::TunablesFromMarker("set:a=1:b=2").value_or("-") == "a=1:b=2");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
