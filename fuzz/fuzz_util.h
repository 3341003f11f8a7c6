// Helpers shared by the libFuzzer targets in this directory (not part of the engine).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

namespace mg::fuzz {

inline std::string_view AsView(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits "first line\nrest" (no newline: the whole input is the first line, rest is empty).
inline std::pair<std::string_view, std::string_view> SplitFirstLine(std::string_view in) {
  const size_t nl = in.find('\n');
  if (nl == std::string_view::npos) return {in, {}};
  return {in.substr(0, nl), in.substr(nl + 1)};
}

// An invariant of the code under test does not hold: report it and abort, which libFuzzer
// records as a crash with the input that caused it.
[[noreturn]] inline void Violated(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz invariant violated: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

}  // namespace mg::fuzz
