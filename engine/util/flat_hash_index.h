// FlatHashIndex: a hash index of uint32 values (indices into the caller's own storage) without an
// allocation per entry: open addressing, linear probing, a power-of-two table of 8-byte slots
// (the hash's low 32 bits, the value) kept at most half full. The low bits place an entry and, on a
// rehash, place it again; compared in full they spare most calls of the caller's key comparison. The caller owns the keys and decides equality, so the index holds
// no key copies and survives the caller's storage moving (a vector of tasks growing).
//
// Used where a run indexes ~100,000 entries (task ids, cache keys): an unordered_map node per entry
// costs an allocation at insert and a scattered free at teardown. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace mg {

class FlatHashIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  static uint64_t Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }

  // Room for `n` entries without rehashing.
  void Reserve(size_t n) {
    size_t want = 16;
    while (want < 2 * n) want *= 2;
    if (want > slots_.size()) Rehash(want);
  }

  // The value whose key (as `is_key(value)` decides) has hash `hash`, or kNone.
  template <typename IsKey>
  uint32_t Find(uint64_t hash, IsKey is_key) const {
    if (slots_.empty()) return kNone;
    size_t mask = slots_.size() - 1;
    const uint32_t h = static_cast<uint32_t>(hash);
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.value == kNone) return kNone;
      if (s.hash == h && is_key(s.value)) return s.value;
    }
  }

  // Maps the key to `value`, replacing the value of an equal key. Returns the replaced value, or
  // kNone when the key is new. REQUIRES: value != kNone.
  template <typename IsKey>
  uint32_t Put(uint64_t hash, uint32_t value, IsKey is_key) {
    if (2 * (size_ + 1) > slots_.size()) Rehash(slots_.empty() ? 16 : 2 * slots_.size());
    size_t mask = slots_.size() - 1;
    const uint32_t h = static_cast<uint32_t>(hash);
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.value == kNone) {
        s = {h, value};
        ++size_;
        return kNone;
      }
      if (s.hash == h && is_key(s.value)) {
        uint32_t old = s.value;
        s.value = value;
        return old;
      }
    }
  }

  size_t size() const { return size_; }

 private:
  struct Slot {
    uint32_t hash = 0;  // the low 32 bits of the key's hash
    uint32_t value = kNone;
  };
  static_assert(sizeof(Slot) == 8);

  void Rehash(size_t capacity) {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(capacity, Slot{});
    size_t mask = capacity - 1;
    for (const Slot& s : old) {
      if (s.value == kNone) continue;
      size_t i = s.hash & mask;
      while (slots_[i].value != kNone) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;  // size 0 or a power of two
  size_t size_ = 0;
};

}  // namespace mg
