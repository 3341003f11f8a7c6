// CancelToken: a one-way "stop now" signal that wakes sleepers at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace mg {

// Starts uncancelled; Cancel() is final. Thread-safe: any thread may cancel, test or wait.
// Not async-signal-safe: a signal handler sets an atomic flag that a normal thread turns into
// Cancel() (the executor does so for interrupts and --fail-fast).
class CancelToken {
 public:
  CancelToken() = default;
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  // Cancels and wakes every WaitFor(). Idempotent.
  void Cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  // Sleeps for `duration` or until cancelled, whichever comes first. Returns cancelled().
  bool WaitFor(std::chrono::milliseconds duration) const;

 private:
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
};

}  // namespace mg
