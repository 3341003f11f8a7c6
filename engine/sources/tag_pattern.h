// Tag patterns: which upstream tags are versions, and which part of the tag is the version.
#pragma once

#include <optional>
#include <regex>
#include <string>

#include "util/status.h"

namespace mg {

// OK when `pattern` compiles as an ECMAScript std::regex and has at least one capture group;
// otherwise InvalidArgument with a message that says what to write instead.
Status ValidateTagPattern(const std::string& pattern);

// A compiled tag pattern. Immutable after Compile(), so one instance may be shared by threads.
class TagPattern {
 public:
  // REQUIRES nothing; returns the ValidateTagPattern() error when the pattern is not usable.
  static Result<TagPattern> Compile(const std::string& pattern);

  // The version text of `tag`: the first capture group when the WHOLE tag matches
  // (std::regex_match, so ^ and $ are allowed but implied). nullopt when the tag does not match
  // or the group captured nothing.
  std::optional<std::string> Extract(const std::string& tag) const;

  const std::string& pattern() const { return pattern_; }

 private:
  TagPattern(std::string pattern, std::regex re) : pattern_(std::move(pattern)), re_(std::move(re)) {}
  std::string pattern_;
  std::regex re_;
};

}  // namespace mg
