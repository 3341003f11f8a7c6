// Running the process with glibc's malloc on transparent huge pages (glibc.malloc.hugetlb=1).
//
// A large graph is a few hundred MB of small heap objects; with 4 KiB pages every first touch is
// a page fault, and on a virtual machine a page fault is expensive: a 100,000-task no-op spent
// more than a third of its time faulting (docs/benchmarks.md §1). glibc reads its tunables only
// from the environment at start-up, so the process re-executes itself once with the tunable
// added; the re-executed process puts the environment back as it was, so children (git, buildah)
// never see the tunable or the marker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace mg {

// The environment variable that carries the caller's GLIBC_TUNABLES across the re-exec:
// "unset", or "set:" followed by the value.
inline constexpr const char* kHeapReexecMarker = "MIRRORGRAPH_HEAP_REEXEC";

// What one process start should do, from its environment and the kernel's THP setting. Pure.
struct HugePageHeapPlan {
  bool reexec = false;
  std::string tunables;  // GLIBC_TUNABLES for the re-executed process (when reexec)
  std::string marker;    // kHeapReexecMarker's value for it (when reexec)
};
// `tunables`: GLIBC_TUNABLES now (nullopt: unset); `marker`: kHeapReexecMarker now; `setting`:
// MIRRORGRAPH_HUGE_PAGES ("0", "off", "false" or "no" turn the re-exec off; "1", "on", "true" or
// "yes" ask for it whatever the size); `thp_enabled`: the content of
// /sys/kernel/mm/transparent_hugepage/enabled (nullopt: unreadable); `large`: the run is expected to
// hold a large heap (LargeStateExpected). A re-exec only when large or asked for, and only in the
// kernel's "[madvise]" mode, the one glibc (2.35 and later) acts on: with "[always]" the heap
// already gets huge pages, with "[never]" it cannot. None either when this process already is the
// re-executed one (a marker), the caller set glibc.malloc.hugetlb themselves, or the user opted out.
HugePageHeapPlan PlanHugePageHeap(const std::optional<std::string>& tunables, const std::optional<std::string>& marker,
                                  const std::optional<std::string>& setting,
                                  const std::optional<std::string>& thp_enabled, bool large = true);

// The action cache size from which a command's heap is expected to be large: about 12,000 tasks'
// records. Below it, the second process start (~15-20 ms) costs more than huge pages save (the probe
// no-op of 330 observations: ~10 ms and ~20 ms of CPU lost; a 100,000-task no-op: 1.49 -> 0.73 s
// gained; docs/architecture.md, "Process start").
inline constexpr uint64_t kLargeStateCacheBytes = uint64_t{4} << 20;

// Whether `state_dir`'s cache.log holds at least kLargeStateCacheBytes. False when it is absent
// or cannot be stat'ed. Never throws.
bool LargeStateExpected(const std::string& state_dir);

// The caller's GLIBC_TUNABLES encoded in a marker: nullopt when it was unset. A malformed marker
// counts as "unset".
std::optional<std::string> TunablesFromMarker(const std::string& marker);

// Call first thing in main(), while the process has one thread; `large` as for PlanHugePageHeap.
// Either replaces the process with
// itself (execv of /proc/self/exe, the same argv, the tunable added) and does not return, or
// returns: in the re-executed process after restoring GLIBC_TUNABLES and removing the marker, or
// when no re-exec is planned, the program was started by running the dynamic loader itself, or
// the exec failed (the environment then as it was). Returns true when this process runs with the
// tunable set by a re-exec. Not thread-safe (setenv). The restored variables are what children
// and getenv see; /proc/<pid>/environ keeps showing the start-up block (tunable and marker).
bool ReexecWithHugePageHeap(char** argv, bool large);

}  // namespace mg
