#include "config/diagnostics.h"

namespace mg {

std::string Diagnostic::ToString() const {
  std::string out;
  if (!pos.file.empty()) {
    out = pos.file;
    if (pos.line > 0) {
      out += ":" + std::to_string(pos.line);
      if (pos.column > 0) out += ":" + std::to_string(pos.column);
    }
    out += ": ";
  }
  return out + message;
}

std::string Diagnostics::ToString() const {
  std::string out;
  for (const Diagnostic& d : items_) out += d.ToString() + "\n";
  return out;
}

}  // namespace mg
