// Small string helpers shared by every layer. All functions are pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace mg {

// Levenshtein distance (insert, delete, substitute each cost 1), by bytes.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` when its distance is at most max(2, word.size() / 3); ties go
// to the candidate that sorts first. nullopt when none is close enough. For "did you mean" hints.
std::optional<std::string> DidYouMean(const std::string& word,
                                      const std::vector<std::string>& candidates);

std::string Join(const std::vector<std::string>& parts, std::string_view separator);

// Splits on every `separator`; keeps empty fields ("a,,b" -> {"a", "", "b"}; "" -> {""}).
std::vector<std::string> Split(std::string_view text, char separator);

// Calls fn(line) for every line of `text`, in order: the line without its '\n', and without a
// '\r' before it (CRLF files). The piece after the last '\n' is a line too, so "a\n" is "a" then
// "", and "" is one empty line. The views point into `text`. When fn returns bool, false stops
// the walk there (the rest of `text` is not scanned).
template <typename Fn>
void ForEachLine(std::string_view text, Fn&& fn) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if constexpr (std::is_same_v<std::invoke_result_t<Fn&, std::string_view>, bool>) {
      if (!fn(line)) return;
    } else {
      fn(line);
    }
  }
}

bool StartsWith(std::string_view text, std::string_view prefix);
bool EndsWith(std::string_view text, std::string_view suffix);

// ASCII letters lowered; other bytes (UTF-8 included) unchanged.
std::string AsciiLower(std::string_view text);

// Non-empty and only [0-9a-f] (a digest's or a commit's hex).
bool IsLowerHex(std::string_view text);

// Removes leading and trailing ASCII whitespace (space, \t, \n, \r, \f, \v).
std::string_view Trim(std::string_view text);

// fnmatch-style match of the whole `text`: '*' matches any run of characters (including '/'),
// '?' matches exactly one character, '\' makes the next character literal. No character classes.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace mg
