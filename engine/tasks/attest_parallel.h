// Running the independent pieces of one task at once (the platforms of a version, the manifests
// an attestation is attached to): their registry round trips overlap instead of adding up.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "util/status.h"

namespace mg {

// Calls fn(0) .. fn(n - 1), each on its own thread (fn(0) on the caller's), and returns when all
// returned. `fn` must be safe to call concurrently for different indexes. If a thread cannot be
// started, the remaining calls run on the caller's thread.
// An exception thrown by a call is caught on its own thread (never std::terminate); the others
// still run to their end. Returns OK when no call threw, else an Internal error naming the first
// index that threw and the exception's message: the caller must not read that call's output.
[[nodiscard]] inline Status RunEach(size_t n, const std::function<void(size_t)>& fn) {
  std::vector<std::optional<std::string>> thrown(n);
  auto call = [&fn, &thrown](size_t i) noexcept {
    try {
      fn(i);
    } catch (const std::exception& e) {
      thrown[i] = e.what();
    } catch (...) {
      thrown[i] = "an exception that is not a std::exception";
    }
  };
  std::vector<std::thread> threads;
  size_t started = 1;
  for (; started < n; ++started) {
    try {
      threads.emplace_back(call, started);
    } catch (...) {
      break;
    }
  }
  if (n > 0) call(0);
  for (size_t i = started; i < n; ++i) call(i);
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < n; ++i) {
    if (thrown[i]) {
      return Status::Internal("part " + std::to_string(i + 1) + " of " + std::to_string(n) +
                              " failed unexpectedly: " + *thrown[i]);
    }
  }
  return Status::OK();
}

}  // namespace mg
