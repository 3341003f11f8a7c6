// Wall-clock time behind an interface, so tests can fix "now".
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace mg {

// Milliseconds since the Unix epoch. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMillis() = 0;
};

// The system's real-time clock.
class SystemClock : public Clock {
 public:
  int64_t NowMillis() override;
  // A process-wide instance; never destroyed.
  static SystemClock* Default();
};

// A clock that only moves when told to (tests).
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t now_millis = 0) : now_(now_millis) {}
  int64_t NowMillis() override { return now_.load(); }
  void Set(int64_t now_millis) { now_.store(now_millis); }
  void Advance(int64_t delta_millis) { now_.fetch_add(delta_millis); }

 private:
  std::atomic<int64_t> now_;
};

// UTC RFC 3339 with millisecond precision: "2024-05-06T07:08:09.123Z". Negative values (before
// 1970) are supported.
std::string FormatRfc3339(int64_t millis);

}  // namespace mg
