#include "util/huge_page_heap.h"

#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace mg {
namespace {

constexpr std::string_view kTunable = "glibc.malloc.hugetlb";

std::optional<std::string> Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

// MIRRORGRAPH_HUGE_PAGES asks for the huge-page heap whatever the state's size.
bool AskedFor(const std::optional<std::string>& setting) {
  return setting == "1" || setting == "on" || setting == "true" || setting == "yes";
}

std::optional<std::string> ReadThpSetting() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Puts GLIBC_TUNABLES back as the caller had it and drops the marker: what children see.
void RestoreCallerEnvironment(const std::optional<std::string>& tunables) {
  if (tunables.has_value()) {
    ::setenv("GLIBC_TUNABLES", tunables->c_str(), 1);
  } else {
    ::unsetenv("GLIBC_TUNABLES");
  }
  ::unsetenv(kHeapReexecMarker);
}

}  // namespace

HugePageHeapPlan PlanHugePageHeap(const std::optional<std::string>& tunables, const std::optional<std::string>& marker,
                                  const std::optional<std::string>& setting,
                                  const std::optional<std::string>& thp_enabled, bool large) {
  HugePageHeapPlan plan;
  if (marker.has_value()) return plan;  // already the re-executed process
  const std::string asked = setting.value_or("");
  if (asked == "0" || asked == "off" || asked == "false" || asked == "no") return plan;
  if (!large && !AskedFor(setting)) return plan;
  // glibc acts on the tunable only in the kernel's "madvise" mode: with "always" the heap is on
  // huge pages already, with "never" it cannot be.
  if (!thp_enabled.has_value() || thp_enabled->find("[madvise]") == std::string::npos) return plan;
  if (tunables.has_value() && tunables->find(kTunable) != std::string::npos) return plan;
  plan.reexec = true;
  plan.tunables = (tunables.has_value() && !tunables->empty() ? *tunables + ":" : std::string()) +
                  std::string(kTunable) + "=1";
  plan.marker = tunables.has_value() ? "set:" + *tunables : "unset";
  return plan;
}

std::optional<std::string> TunablesFromMarker(const std::string& marker) {
  if (marker.rfind("set:", 0) == 0) return marker.substr(4);
  return std::nullopt;
}

bool LargeStateExpected(const std::string& state_dir) {
  struct stat st;
  if (state_dir.empty() || ::stat((state_dir + "/cache.log").c_str(), &st) != 0) return false;
  return S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) >= kLargeStateCacheBytes;
}

bool ReexecWithHugePageHeap(char** argv, bool large) {
  std::optional<std::string> marker = Env(kHeapReexecMarker);
  if (marker.has_value()) {
    // The re-executed process: glibc has read the tunable; give children the caller's value.
    RestoreCallerEnvironment(TunablesFromMarker(*marker));
    return true;
  }
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  constexpr bool kSanitized = true;
#else
  constexpr bool kSanitized = false;
#endif
#else
  constexpr bool kSanitized = false;
#endif
  // A sanitizer's allocator ignores glibc's tunables: the re-exec would only cost, unless a test
  // asks for it (MIRRORGRAPH_HUGE_PAGES=1, on, true, yes) to exercise the path.
  std::optional<std::string> setting = Env("MIRRORGRAPH_HUGE_PAGES");
  if (kSanitized && !AskedFor(setting)) return false;
  std::optional<std::string> tunables = Env("GLIBC_TUNABLES");
  HugePageHeapPlan plan = PlanHugePageHeap(tunables, marker, setting, ReadThpSetting(), large);
  if (!plan.reexec || argv == nullptr || argv[0] == nullptr) return false;
  // /proc/self/exe is this program only when the kernel started it through its interpreter
  // (AT_BASE, the interpreter's load address, is then set); run as `ld.so ./mirrorgraph`, it is
  // the loader, and re-executing that would run the loader on our arguments.
  if (::getauxval(AT_BASE) == 0) return false;
  ::setenv("GLIBC_TUNABLES", plan.tunables.c_str(), 1);
  ::setenv(kHeapReexecMarker, plan.marker.c_str(), 1);
  ::execv("/proc/self/exe", argv);
  // The exec failed (no /proc, say): carry on as we are, the environment as it was.
  RestoreCallerEnvironment(tunables);
  return false;
}

}  // namespace mg
