// Tag patterns: which upstream tags are versions, and which part of the tag is the version.
//
// Patterns are RE2 regular expressions (the syntax of Go's regexp, which Flux's image policies and
// Renovate's regex managers use as well): matching takes time linear in the tag whatever the
// pattern, so no upstream tag can stall discovery, and nothing recurses on the stack. Lookaround
// and backreferences, which would need backtracking, are rejected when the pattern is compiled.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "util/status.h"

namespace re2 {
class RE2;
}

namespace mg {

// OK when `pattern` compiles as an RE2 regular expression and has at least one capture group;
// otherwise InvalidArgument with a message that says what is wrong and what to write instead.
Status ValidateTagPattern(const std::string& pattern);

// A compiled tag pattern. Immutable after Compile(), so one instance may be shared by threads
// (RE2 matching is thread-safe); copies share the compiled program.
class TagPattern {
 public:
  // REQUIRES nothing; returns the ValidateTagPattern() error when the pattern is not usable.
  static Result<TagPattern> Compile(const std::string& pattern);

  // The version text of `tag`: the first capture group when the WHOLE tag matches (^ and $ are
  // allowed but implied). nullopt when the tag does not match or the group captured nothing.
  std::optional<std::string> Extract(const std::string& tag) const;

  const std::string& pattern() const { return pattern_; }
  // Why a tag Extract() refused is left out, as plans and reports print it.
  std::string MismatchReason() const { return "tag does not match the tag pattern " + pattern_; }

 private:
  TagPattern(std::string pattern, std::shared_ptr<const re2::RE2> re)
      : pattern_(std::move(pattern)), re_(std::move(re)) {}
  std::string pattern_;
  std::shared_ptr<const re2::RE2> re_;  // never null
};

}  // namespace mg
