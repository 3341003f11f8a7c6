// Wall-clock time behind an interface, so tests can fix "now".
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

// Parses an RFC 3339 date-time as forges write it — "2024-05-06T07:08:09Z",
// "2024-05-06T09:08:09.123+02:00" ('T' or ' ' between date and time, 't'/'z' accepted, any number
// of fraction digits, of which milliseconds are kept) — into milliseconds since the epoch (UTC).
// nullopt for anything else, including out-of-range fields. Pure, thread-safe.
std::optional<int64_t> ParseRfc3339(std::string_view text);

}  // namespace mg
