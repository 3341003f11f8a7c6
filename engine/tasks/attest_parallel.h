// Running the independent pieces of one attestation task at once (the platforms of a version, the
// manifests an attestation is attached to): their registry round trips overlap instead of adding up.
#pragma once

#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace mg {

// Calls fn(0) .. fn(n - 1), each on its own thread (fn(0) on the caller's), and returns when all
// returned. `fn` must be safe to call concurrently for different indexes and must not throw. If
// a thread cannot be started, the remaining calls run on the caller's thread.
inline void RunEach(size_t n, const std::function<void(size_t)>& fn) {
  std::vector<std::thread> threads;
  size_t started = 1;
  for (; started < n; ++started) {
    try {
      threads.emplace_back(fn, started);
    } catch (...) {
      break;
    }
  }
  if (n > 0) fn(0);
  for (size_t i = started; i < n; ++i) fn(i);
  for (std::thread& t : threads) t.join();
}

}  // namespace mg
