// InlineString<N>: a string of at most N bytes kept inside the object, never on the heap.
//
// For values of a known, bounded size held once per task — the 64 hex digits of a task key or a
// result hash — where a std::string costs a heap block of its own (80 bytes with malloc's header
// for 65 bytes of text) and a pointer to chase: a 100,000-task run holds 200,000 of them
// (docs/benchmarks.md §1). Reads as a std::string_view; compares with anything that converts to
// one. A value type: copyable, trivially destructible, not thread-safe beyond that.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace mg {

template <size_t N>
class InlineString {
  static_assert(N > 0 && N <= 255, "the length is kept in one byte");

 public:
  static constexpr size_t kCapacity = N;

  InlineString() = default;
  // REQUIRES: s.size() <= N. Longer text is a caller's bug: it asserts in debug builds and keeps
  // the first N bytes otherwise (never writes past the buffer).
  InlineString(std::string_view s) { assign(s); }  // NOLINT: implicit, as from std::string
  InlineString& operator=(std::string_view s) {
    assign(s);
    return *this;
  }

  void assign(std::string_view s) {
    assert(s.size() <= N);
    size_ = static_cast<uint8_t>(s.size() <= N ? s.size() : N);
    s.copy(data_, size_);
  }
  void clear() { size_ = 0; }

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  const char* data() const { return data_; }
  std::string_view view() const { return std::string_view(data_, size_); }
  operator std::string_view() const { return view(); }  // NOLINT: reads as a string_view
  std::string str() const { return std::string(view()); }

  friend bool operator==(const InlineString& a, std::string_view b) { return a.view() == b; }
  friend std::ostream& operator<<(std::ostream& os, const InlineString& s) { return os << s.view(); }

 private:
  uint8_t size_ = 0;
  char data_[N];  // the first size_ bytes are the text; the rest is never read
};

}  // namespace mg
