// The paragraphs of a file in Debian's control format (deb822): dpkg's status database
// (var/lib/dpkg/status) and machine-readable debian/copyright files (DEP-5). A paragraph is a run
// of "Field: value" lines ended by a blank line; a line starting with a space or a tab continues
// the value before it; lines starting with '#' are comments. Lines may end in CRLF.
// Pure functions of their input; thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mg {

// Field names lower-cased, in file order (a repeated field is kept twice); values trimmed.
using Deb822Paragraph = std::vector<std::pair<std::string, std::string>>;

struct Deb822Options {
  // true: continuation lines are appended to their value as "\n" + the line without its first
  // character (a line " ." is an empty line); false: a value is its first line only.
  bool continuations = true;
  // Continuation lines are no longer appended once a value is longer than this (input from an
  // image layer is untrusted: a bound on memory).
  size_t max_value_bytes = std::numeric_limits<size_t>::max();
};

// Calls fn for each paragraph that has at least one field, in order, until fn returns false.
// Lines that are neither fields, continuations, comments nor blank (no ':' or an empty name) are
// skipped, as is a continuation before the paragraph's first field.
void ForEachDeb822Paragraph(std::string_view text, const Deb822Options& options,
                            const std::function<bool(Deb822Paragraph&)>& fn);

// The value of the first field named `name` (lower case) in p; nullptr when absent.
const std::string* Deb822Field(const Deb822Paragraph& p, std::string_view name);

}  // namespace mg
