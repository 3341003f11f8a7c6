#include "sources/tag_pattern.h"

namespace mg {

Result<TagPattern> TagPattern::Compile(const std::string& pattern) {
  std::regex re;
  try {
    re = std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return Status::InvalidArgument("tag_pattern \"" + pattern +
                                   "\" is not a valid ECMAScript regular expression: " + e.what());
  }
  if (re.mark_count() == 0) {
    return Status::InvalidArgument(
        "tag_pattern \"" + pattern +
        "\" has no capture group; put the version part of the tag in parentheses, e.g. "
        "^v(\\d+\\.\\d+\\.\\d+)$ for tags like v1.2.3");
  }
  return TagPattern(pattern, std::move(re));
}

Status ValidateTagPattern(const std::string& pattern) { return TagPattern::Compile(pattern).status(); }

std::optional<std::string> TagPattern::Extract(const std::string& tag) const {
  std::smatch m;
  try {
    if (!std::regex_match(tag, m, re_)) return std::nullopt;
  } catch (const std::regex_error&) {  // error_complexity / error_stack on pathological input
    return std::nullopt;
  }
  if (!m[1].matched || m[1].length() == 0) return std::nullopt;
  return m[1].str();
}

}  // namespace mg
