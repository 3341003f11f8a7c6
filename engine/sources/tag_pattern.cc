#include "sources/tag_pattern.h"

#include <re2/re2.h>

namespace mg {

Result<TagPattern> TagPattern::Compile(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);  // the error goes into the Status, not to stderr
  auto re = std::make_shared<const RE2>(pattern, options);
  if (!re->ok()) {
    return Status::InvalidArgument(
        "tag_pattern \"" + pattern + "\" is not a valid RE2 regular expression: " + re->error() +
        " (RE2 is the syntax of Go's regexp: no lookaround, no backreferences; e.g. "
        "^v(\\d+\\.\\d+\\.\\d+)$)");
  }
  if (re->NumberOfCapturingGroups() == 0) {
    return Status::InvalidArgument(
        "tag_pattern \"" + pattern +
        "\" has no capture group; put the version part of the tag in parentheses, e.g. "
        "^v(\\d+\\.\\d+\\.\\d+)$ for tags like v1.2.3");
  }
  return TagPattern(pattern, std::move(re));
}

Status ValidateTagPattern(const std::string& pattern) { return TagPattern::Compile(pattern).status(); }

std::optional<std::string> TagPattern::Extract(const std::string& tag) const {
  // A group that did not take part in the match leaves `version` empty, like an empty capture.
  std::string version;
  if (!RE2::FullMatch(tag, *re_, &version) || version.empty()) return std::nullopt;
  return version;
}

}  // namespace mg
