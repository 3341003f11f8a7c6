// ChunkedVector: a sequence indexed like std::vector that grows by fixed-size chunks.
//
// Growing never moves an element: references and pointers to elements stay valid until the element
// is removed (resize down, clear, destruction, assignment), and growth never copies what is already
// there. The unused tail is at most one chunk, so a container that grows to N elements touches about
// N elements' worth of memory instead of the ~2N a doubling vector allocates on its way there.
//
// Used for the run graph's tasks and the executor's run state (~100,000 entries of a few hundred
// bytes, appended as discover results arrive): a doubling vector moved each entry about twice and
// left the freed buffers behind, fresh pages the kernel had to zero. Chunks are sized to stay below
// malloc's mmap threshold, so they come from the (huge-page) heap. Not thread-safe.
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace mg {

template <typename T>
class ChunkedVector {
 public:
  using value_type = T;
  using size_type = size_t;

  // The constructors that build elements delegate first, so that the destructor destroys what was
  // built when an element's constructor throws.
  ChunkedVector() = default;
  explicit ChunkedVector(size_t n) : ChunkedVector() { resize(n); }
  ChunkedVector(const ChunkedVector& other) : ChunkedVector() {
    for (size_t i = 0; i < other.size_; ++i) push_back(other[i]);
  }
  ChunkedVector(ChunkedVector&& other) noexcept
      : chunks_(std::exchange(other.chunks_, {})), size_(std::exchange(other.size_, 0)) {}
  // Strong guarantee: a copy that throws leaves *this as it was.
  ChunkedVector& operator=(const ChunkedVector& other) {
    if (this != &other) *this = ChunkedVector(other);
    return *this;
  }
  // Takes `other`'s elements before destroying its own, so `other` may live inside one of them.
  ChunkedVector& operator=(ChunkedVector&& other) noexcept {
    if (this == &other) return *this;
    std::vector<ChunkPtr> chunks = std::exchange(other.chunks_, {});
    const size_t size = std::exchange(other.size_, 0);
    clear();
    chunks_ = std::move(chunks);
    size_ = size;
    return *this;
  }
  ~ChunkedVector() { clear(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // REQUIRES: i < size().
  T& operator[](size_t i) { return *std::launder(static_cast<T*>(Raw(i))); }
  const T& operator[](size_t i) const { return *std::launder(static_cast<const T*>(Raw(i))); }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }

  // Forward iterators in index order; valid while the element they point at exists and the
  // container has not been moved (an iterator names its container and an index).
  template <bool kConst>
  class Iter {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<kConst, const T*, T*>;
    using reference = std::conditional_t<kConst, const T&, T&>;
    using Owner = std::conditional_t<kConst, const ChunkedVector, ChunkedVector>;

    Iter() = default;
    Iter(Owner* owner, size_t i) : owner_(owner), i_(i) {}
    reference operator*() const { return (*owner_)[i_]; }
    pointer operator->() const { return &(*owner_)[i_]; }
    Iter& operator++() {
      ++i_;
      return *this;
    }
    Iter operator++(int) {
      Iter old = *this;
      ++i_;
      return old;
    }
    bool operator==(const Iter& o) const { return i_ == o.i_ && owner_ == o.owner_; }

   private:
    Owner* owner_ = nullptr;
    size_t i_ = 0;
  };
  using iterator = Iter<false>;
  using const_iterator = Iter<true>;
  iterator begin() { return {this, 0}; }
  iterator end() { return {this, size_}; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

  template <typename... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == chunks_.size() * kChunk) chunks_.push_back(AllocateChunk());
    T* p = ::new (Raw(size_)) T(std::forward<Args>(args)...);
    ++size_;
    return *p;
  }
  void push_back(const T& v) { emplace_back(v); }
  void push_back(T&& v) { emplace_back(std::move(v)); }

  // Value-initializes new elements; destroys removed ones and frees the chunks left empty. Basic
  // guarantee when growing: an element constructor that throws leaves the elements built so far.
  void resize(size_t n) {
    while (size_ > n) std::destroy_at(&(*this)[--size_]);
    while (size_ < n) emplace_back();
    const size_t keep = (size_ + kChunk - 1) / kChunk;
    if (chunks_.size() > keep) chunks_.resize(keep);
  }
  void clear() { resize(0); }

  // Elements per chunk: the largest power of two whose chunk stays within kChunkBytes (at least 1:
  // an element larger than the budget gets a chunk of its own). A power of two keeps indexing to a
  // shift and a mask.
  static constexpr size_t kChunkBytes = 64 * 1024;
  static constexpr size_t kChunk = [] {
    size_t n = 1;
    while (2 * n * sizeof(T) <= kChunkBytes) n *= 2;
    return n;
  }();

 private:
  // Raw storage for kChunk elements; elements are constructed in place and destroyed explicitly.
  struct alignas(T) Chunk {
    std::byte bytes[kChunk * sizeof(T)];
  };
  struct ChunkDelete {
    void operator()(Chunk* c) const { delete c; }
  };
  using ChunkPtr = std::unique_ptr<Chunk, ChunkDelete>;

  static ChunkPtr AllocateChunk() { return ChunkPtr(new Chunk); }
  // The storage of element i (constructed or not). REQUIRES: its chunk exists.
  void* Raw(size_t i) const { return chunks_[i / kChunk]->bytes + (i % kChunk) * sizeof(T); }

  std::vector<ChunkPtr> chunks_;
  size_t size_ = 0;
};

}  // namespace mg
