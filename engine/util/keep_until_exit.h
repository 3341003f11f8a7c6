// KeepUntilExit: hands a command's large, memory-only structures to the end of the process instead
// of destroying them.
//
// A 100,000-task run ends by freeing every task's and every state's strings one at a time (~50 ms
// of a 0.5 s no-op); the kernel takes the whole heap back at once when the process exits. The kept
// objects stay reachable from a global list, so leak checkers (LeakSanitizer) do not report them,
// and their destructors never run, not even at exit().
//
// REQUIRES: T's destructor only frees memory: nothing kept may own a file, a lock, a thread, a child
// process or unflushed output. Use it only where the process ends soon after (a command returning
// its exit code to main). Thread-safe.
#pragma once

#include <atomic>
#include <new>
#include <type_traits>
#include <utility>

namespace mg {

namespace keep_until_exit_internal {
struct Node {
  Node* next = nullptr;
};
template <typename T>
struct Kept : Node {
  explicit Kept(T&& v) : value(std::move(v)) {}
  T value;
};
// Trivially destructible: nothing runs at exit; the list keeps every kept object reachable.
inline std::atomic<Node*> kept_head{nullptr};
}  // namespace keep_until_exit_internal

// Moves `object` into storage that is never freed. `object` is left moved-from.
template <typename T>
void KeepUntilExit(T&& object) {
  static_assert(!std::is_lvalue_reference_v<T>, "pass an rvalue: the object is moved");
  using namespace keep_until_exit_internal;
  auto* node = new Kept<std::remove_cv_t<T>>(std::move(object));
  Node* head = kept_head.load(std::memory_order_relaxed);
  do {
    node->next = head;
  } while (!kept_head.compare_exchange_weak(head, node, std::memory_order_release, std::memory_order_relaxed));
}

}  // namespace mg
