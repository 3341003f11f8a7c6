#include "util/status.h"

namespace mg {

const char* Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kNotFound: return "not found";
    case Code::kInvalidArgument: return "invalid argument";
    case Code::kIOError: return "I/O error";
    case Code::kCorruption: return "corruption";
    case Code::kUnavailable: return "unavailable";
    case Code::kPermissionDenied: return "permission denied";
    case Code::kCancelled: return "cancelled";
    case Code::kFailedPrecondition: return "failed precondition";
    case Code::kNotImplemented: return "not implemented";
    case Code::kInternal: return "internal error";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace mg
