// KeepUntilExit: hands a command's large, memory-only structures to the end of the process instead
// of destroying them.
//
// A 100,000-task run ends by freeing every task's and every state's strings one at a time (~50 ms
// of a 0.5 s no-op); the kernel takes the whole heap back at once when the process exits. The kept
// objects stay reachable from a global list, so leak checkers (LeakSanitizer) do not report them,
// and their destructors never run, not even at exit().
//
// Opt-in: a type can be kept only where it is defined, by declaring that its destructor only frees
// memory — that nothing in it owns a file, a lock, a thread, a child process or unflushed output:
//
//   template <> inline constexpr bool kKeepableUntilExit<TaskGraph> = true;
//
// so a member added later that owns a resource is a reason to revisit that line, not a silent
// leak. Use it only where the process ends soon after (a command returning its exit code to main).
// Thread-safe.
#pragma once

#include <atomic>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>

namespace mg {

template <typename T>
inline constexpr bool kKeepableUntilExit = false;

namespace keep_until_exit_internal {
struct Node {
  Node* next = nullptr;
};
template <typename T>
struct Kept : Node {
  explicit Kept(T&& v) noexcept : value(std::move(v)) {}
  T value;
};
// Trivially destructible: nothing runs at exit; the list keeps every kept object reachable.
inline std::atomic<Node*> kept_head{nullptr};
}  // namespace keep_until_exit_internal

// Moves `object` into storage that is never freed; `object` is left moved-from. Never throws, so it
// may run in a destructor: when that storage cannot be allocated, `object` is left as it is, and
// its owner destroys it as usual.
template <typename T>
void KeepUntilExit(T&& object) noexcept {
  static_assert(!std::is_lvalue_reference_v<T> && !std::is_const_v<T>,
                "pass a non-const rvalue: the object is moved");
  static_assert(kKeepableUntilExit<T>,
                "declare kKeepableUntilExit<T> = true beside T, once T is known to own memory only");
  static_assert(std::is_nothrow_move_constructible_v<T>, "T's move constructor must not throw");
  using namespace keep_until_exit_internal;
  auto* node = new (std::nothrow) Kept<T>(std::move(object));
  if (node == nullptr) return;
  Node* head = kept_head.load(std::memory_order_relaxed);
  do {
    node->next = head;
  } while (!kept_head.compare_exchange_weak(head, node, std::memory_order_release, std::memory_order_relaxed));
}

// Calls KeepUntilExit on each of `objects` when the guard goes out of scope, on every return path.
// The objects must outlive the guard (declare it after them).
template <typename... T>
class KeepUntilExitAtScopeEnd {
 public:
  explicit KeepUntilExitAtScopeEnd(T&... objects) : objects_(objects...) {}
  KeepUntilExitAtScopeEnd(const KeepUntilExitAtScopeEnd&) = delete;
  KeepUntilExitAtScopeEnd& operator=(const KeepUntilExitAtScopeEnd&) = delete;
  ~KeepUntilExitAtScopeEnd() {
    std::apply([](T&... o) { (KeepUntilExit(std::move(o)), ...); }, objects_);
  }

 private:
  std::tuple<T&...> objects_;
};

}  // namespace mg
