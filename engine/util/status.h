// Status and Result<T>: the engine's one error value type.
//
// A Status is cheap when OK and carries a code plus a human message otherwise. Outcomes where
// "missing" is a normal answer (a registry tag that does not exist) are enums in their own
// modules, never a Status error. Results are values: no engine API throws across a layer boundary.
//
// Unwrapping, in functions that return Status or Result<U>:
//   MG_RETURN_IF_ERROR(WriteFile(path, text));          // a Status-returning call
//   MG_ASSIGN_OR_RETURN(std::string text, ReadFile(path));  // declares `text`, or returns the error
//   MG_ASSIGN_OR_RETURN(key, LoadKey(path));            // assigns to an existing variable
// MG_ASSIGN_OR_RETURN is plain standard C++ (no statement expressions): it expands to several
// statements, so it needs a block of its own (not the body of an unbraced if/for), and `lhs` must
// not contain a top-level comma (wrap a type like std::map<K, V> in a using-alias).
//
// Both are [[nodiscard]], and the build makes ignoring one an error (-Werror=unused-result): a
// failure is handled, passed up, or dropped on purpose with a cast to void and a comment saying why.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace mg {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,
    kInvalidArgument,   // bad input from the user (config, CLI, template)
    kIOError,           // filesystem or subprocess failure
    kCorruption,        // damaged on-disk state or a malformed remote answer
    kUnavailable,       // network failure, 5xx, rate limit: try again later
    kPermissionDenied,  // 401/403, unreadable credentials
    kCancelled,         // Ctrl-C or --fail-fast
    kFailedPrecondition,
    kNotImplemented,
    kInternal,
  };

  Status() = default;
  static Status OK() { return Status(); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status Unavailable(std::string msg) { return Status(Code::kUnavailable, std::move(msg)); }
  static Status PermissionDenied(std::string msg) { return Status(Code::kPermissionDenied, std::move(msg)); }
  static Status Cancelled(std::string msg) { return Status(Code::kCancelled, std::move(msg)); }
  static Status FailedPrecondition(std::string msg) { return Status(Code::kFailedPrecondition, std::move(msg)); }
  static Status NotImplemented(std::string msg) { return Status(Code::kNotImplemented, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "context: message" (no-op when OK).
  Status WithContext(std::string_view context) const {
    if (ok()) return *this;
    return Status(code_, std::string(context) + ": " + message_);
  }
  // Returns a copy whose message is "message<suffix>" (no-op when OK): hints after the message.
  Status WithSuffix(std::string_view suffix) const {
    if (ok()) return *this;
    return Status(code_, message_ + std::string(suffix));
  }
  // "not found: <message>" style rendering for logs.
  std::string ToString() const;
  static const char* CodeName(Code code);

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  // A Result made from a Status is a failure: an OK status (a bug in the caller) becomes an
  // Internal error saying so, never a Result that is neither a value nor an error.
  Result(Status status)  // NOLINT: implicit by design
      : v_(status.ok() ? Status::Internal("internal error: a failed result was made from an OK status")
                       : std::move(status)) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace mg

#define MG_RETURN_IF_ERROR(expr)            \
  do {                                      \
    ::mg::Status _mg_s = (expr);            \
    if (!_mg_s.ok()) return _mg_s;          \
  } while (0)

#define MG_STATUS_CONCAT_INNER_(a, b) a##b
#define MG_STATUS_CONCAT_(a, b) MG_STATUS_CONCAT_INNER_(a, b)

// `lhs = value of expr` when `expr` (a Result<T>) is OK; otherwise returns its Status. `expr` is
// evaluated once; the value is moved out.
#define MG_ASSIGN_OR_RETURN(lhs, expr) MG_ASSIGN_OR_RETURN_IMPL_(MG_STATUS_CONCAT_(_mg_result_, __LINE__), lhs, expr)
#define MG_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                              \
  if (!result.ok()) return result.status();           \
  lhs = std::move(result).value()
