#include "build/dockerfile_edits.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "build/source_path.h"
#include "util/atomic_file.h"
#include "util/strings.h"
#include "util/quote_value.h"

namespace mg {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kKinds = {"insert-after", "replace", "replace-base", "unpin-base-digests"};

// The keys each kind accepts besides "kind", "file" and "description", and which are required.
struct KindKeys {
  std::vector<std::string> required;
  std::vector<std::string> optional;
};

const std::map<std::string, KindKeys>& KeysByKind() {
  static const std::map<std::string, KindKeys> keys = {
      {"unpin-base-digests", {{}, {}}},
      {"insert-after", {{"pattern", "line"}, {"count"}}},
      {"replace", {{"pattern", "replace"}, {"count"}}},
      {"replace-base", {{"from", "to"}, {}}},
  };
  return keys;
}


std::string Plural(size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// ---- text as lines -------------------------------------------------------------------------

struct Lines {
  std::vector<std::string> lines;  // without their "\n" (and "\r" in a CRLF file)
  bool final_newline = false;
  bool crlf = false;
};

Lines SplitLines(std::string_view text) {
  Lines t;
  std::string s(text);
  if (s.find("\r\n") != std::string::npos) {
    t.crlf = true;
    std::string lf;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
      lf += s[i];
    }
    s = std::move(lf);
  }
  t.final_newline = !s.empty() && s.back() == '\n';
  if (t.final_newline) s.pop_back();
  if (!s.empty() || t.final_newline) t.lines = Split(s, '\n');
  return t;
}

// The text with "\n" line ends (for whole-text matching).
std::string JoinLf(const Lines& t) { return Join(t.lines, "\n") + (t.final_newline ? "\n" : ""); }

std::string JoinOriginal(const Lines& t) {
  std::string out = Join(t.lines, t.crlf ? "\r\n" : "\n");
  if (t.final_newline) out += t.crlf ? "\r\n" : "\n";
  return out;
}

// "  12 | text" for messages; long lines are cut.
std::string ShowLine(const Lines& t, size_t index) {
  std::string text = t.lines[index];
  if (text.size() > 200) text = text.substr(0, 200) + "...";
  std::string num = std::to_string(index + 1);
  return std::string(num.size() < 5 ? 5 - num.size() : 0, ' ') + num + " | " + text;
}

std::string ShowLines(const Lines& t, const std::vector<size_t>& indexes) {
  std::string out;
  for (size_t i : indexes) out += "\n" + ShowLine(t, i);
  return out;
}

// ---- Dockerfile instructions ---------------------------------------------------------------

struct Token {
  size_t pos = 0;
  std::string_view text;
};

std::vector<Token> Tokens(std::string_view line) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) out.push_back({start, line.substr(start, i - start)});
  }
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The line's instruction keyword, upper-cased ("" for a blank line or a comment).
std::string Keyword(const std::vector<Token>& tokens) {
  if (tokens.empty() || tokens[0].text[0] == '#') return "";
  return Upper(tokens[0].text);
}

// A FROM line's image token (after any --flag=value), or nullopt.
std::optional<Token> FromImage(const std::vector<Token>& tokens) {
  if (Keyword(tokens) != "FROM") return std::nullopt;
  for (size_t i = 1; i < tokens.size(); ++i) {
    if (tokens[i].text.rfind("--", 0) != 0) return tokens[i];
  }
  return std::nullopt;
}

// "NAME" when `token` is exactly "$NAME" or "${NAME}", else "".
std::string WholeVariable(std::string_view token) {
  std::string_view name;
  if (token.size() > 3 && token.substr(0, 2) == "${" && token.back() == '}') {
    name = token.substr(2, token.size() - 3);
  } else if (token.size() > 1 && token[0] == '$') {
    name = token.substr(1);
  } else {
    return "";
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return "";
  }
  return std::string(name);
}

// Where an image reference is written: a FROM line's image, the default of an ARG used as a FROM
// image, or the value of COPY --from=.
struct ImageRef {
  enum Where { kFrom, kArg, kCopy };
  size_t line = 0;
  size_t pos = 0;  // within the line, quotes excluded
  size_t len = 0;
  Where where = kFrom;
};

struct Instructions {
  std::vector<size_t> from_lines;  // indexes of FROM lines
  std::vector<size_t> arg_lines;   // ARG lines that set a FROM image variable
  std::vector<ImageRef> refs;      // in line order, then position order
};

Instructions FindImageRefs(const Lines& t) {
  Instructions out;
  std::set<std::string> variables, stages;
  std::vector<std::vector<Token>> tokens(t.lines.size());
  for (size_t i = 0; i < t.lines.size(); ++i) {
    tokens[i] = Tokens(t.lines[i]);
    const std::vector<Token>& tk = tokens[i];
    std::optional<Token> image = FromImage(tk);
    if (!image) continue;
    std::string var = WholeVariable(image->text);
    if (!var.empty()) variables.insert(var);
    for (size_t j = 0; j + 1 < tk.size(); ++j) {
      if (tk[j].pos > image->pos && Upper(tk[j].text) == "AS") stages.insert(std::string(tk[j + 1].text));
    }
  }
  for (size_t i = 0; i < t.lines.size(); ++i) {
    const std::vector<Token>& tk = tokens[i];
    const std::string keyword = Keyword(tk);
    if (keyword == "FROM") {
      out.from_lines.push_back(i);
      std::optional<Token> image = FromImage(tk);
      if (image && WholeVariable(image->text).empty() && !stages.count(std::string(image->text))) {
        out.refs.push_back({i, image->pos, image->text.size(), ImageRef::kFrom});
      }
    } else if (keyword == "ARG") {
      bool used = false;
      for (size_t j = 1; j < tk.size(); ++j) {
        size_t eq = tk[j].text.find('=');
        if (eq == std::string_view::npos || !variables.count(std::string(tk[j].text.substr(0, eq)))) continue;
        size_t pos = tk[j].pos + eq + 1, len = tk[j].text.size() - eq - 1;
        if (len >= 2 && (t.lines[i][pos] == '"' || t.lines[i][pos] == '\'') &&
            t.lines[i][pos + len - 1] == t.lines[i][pos]) {
          ++pos;
          len -= 2;
        }
        if (len > 0) out.refs.push_back({i, pos, len, ImageRef::kArg});
        used = true;
      }
      if (used) out.arg_lines.push_back(i);
    } else if (keyword == "COPY") {
      for (size_t j = 1; j < tk.size() && tk[j].text.rfind("--", 0) == 0; ++j) {
        if (tk[j].text.rfind("--from=", 0) != 0) continue;
        std::string_view value = tk[j].text.substr(7);
        bool stage = stages.count(std::string(value)) > 0 || std::all_of(value.begin(), value.end(), [](char c) {
                       return std::isdigit(static_cast<unsigned char>(c));
                     });
        if (!value.empty() && !stage) out.refs.push_back({i, tk[j].pos + 7, value.size(), ImageRef::kCopy});
      }
    }
  }
  return out;
}

// The repository of an image reference with Docker Hub's implicit parts removed:
// "docker.io/library/node:20@sha256:..." -> "node".
std::string RepositoryOf(std::string_view ref) {
  std::string name(ref.substr(0, ref.find('@')));
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) name.resize(colon);
  for (std::string_view hub : {"docker.io/", "index.docker.io/", "registry-1.docker.io/"}) {
    if (StartsWith(name, hub)) {
      name = name.substr(hub.size());
      break;
    }
  }
  if (StartsWith(name, "library/")) name = name.substr(8);
  return name;
}

// "The FROM lines of <file>:" followed by them (and the ARG lines they use), or a sentence saying
// there are none.
std::string ShowFromLines(const Lines& t, const Instructions& ins, const std::string& file) {
  if (ins.from_lines.empty()) return "\n" + file + " has no FROM line.";
  std::vector<size_t> lines = ins.from_lines;
  lines.insert(lines.end(), ins.arg_lines.begin(), ins.arg_lines.end());
  for (const ImageRef& r : ins.refs) {
    if (r.where == ImageRef::kCopy) lines.push_back(r.line);
  }
  std::sort(lines.begin(), lines.end());
  lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  return "\nThe FROM lines of " + file + ":" + ShowLines(t, lines);
}

// ---- regular expressions -------------------------------------------------------------------

Result<std::regex> CompilePattern(const std::string& pattern, bool multiline, std::string_view field) {
  try {
    auto flags = std::regex::ECMAScript;
    if (multiline) flags |= std::regex::multiline;
    return std::regex(pattern, flags);
  } catch (const std::regex_error& e) {
    return Status::InvalidArgument(std::string(field) + ": " + QuoteValue(pattern) +
                                   " is not a valid ECMAScript regular expression (" + e.what() + ")");
  }
}

// The words of a pattern's literal text ("curl -L \$MM_PACKAGE" -> curl, MM_PACKAGE), lower-cased.
std::set<std::string> PatternWords(std::string_view pattern) {
  std::set<std::string> words;
  std::string word;
  auto flush = [&] {
    if (word.size() >= 2) words.insert(word);
    word.clear();
  };
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      char n = pattern[++i];
      if (std::isalpha(static_cast<unsigned char>(n))) {  // \d, \s, \b...: a class, not text
        flush();
        continue;
      }
      c = n;
    }
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      flush();
    }
  }
  flush();
  return words;
}

// Up to `n` lines holding the most of the pattern's words, weighted by length (ties: the line
// closest in edit distance to the pattern, then the earlier line), in line order. Comment lines
// only count when the pattern has a '#'.
std::vector<size_t> MostSimilarLines(const Lines& t, std::string_view pattern, size_t n = 3) {
  std::set<std::string> words = PatternWords(pattern);
  struct Scored {
    size_t shared;
    size_t distance;
    size_t index;
  };
  std::vector<Scored> scored;
  const bool comments = pattern.find('#') != std::string_view::npos;
  for (size_t i = 0; i < t.lines.size(); ++i) {
    if (!comments && StartsWith(Trim(t.lines[i]), "#")) continue;  // a comment is rarely what moved
    std::string lower = t.lines[i];
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t shared = 0;
    for (const std::string& w : words) shared += lower.find(w) != std::string::npos ? w.size() : 0;
    if (shared == 0) continue;
    scored.push_back({shared, EditDistance(Trim(t.lines[i]).substr(0, 300), pattern), i});
  }
  std::sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
    if (a.shared != b.shared) return a.shared > b.shared;
    if (a.distance != b.distance) return a.distance < b.distance;
    return a.index < b.index;
  });
  std::vector<size_t> out;
  for (size_t i = 0; i < scored.size() && i < n; ++i) out.push_back(scored[i].index);
  std::sort(out.begin(), out.end());
  return out;
}

std::string ShowSimilarLines(const Lines& t, const std::string& pattern, const std::string& file) {
  std::vector<size_t> similar = MostSimilarLines(t, pattern);
  if (similar.empty()) return "\nNo line of " + file + " shares a word with the pattern.";
  return "\nThe lines of " + file + " most similar to the pattern:" + ShowLines(t, similar);
}

const char* kUpstreamHint =
    "\nThe upstream file no longer has what this edit expects: compare it with the lines above and update "
    "the plugin's recipe.";

std::string ExpectedCount(const std::optional<long long>& count) {
  return count ? "exactly " + std::to_string(*count) : "at least 1";
}

// ---- the edits -----------------------------------------------------------------------------

struct Applied {
  std::string text;
  std::string summary;  // "2 FROM lines" etc., without the file
};

std::string Head(const Json& edit, const std::string& file) {
  std::string head = edit["kind"].get<std::string>() + " edit on " + file;
  if (edit.contains("description")) head += " (" + QuoteValue(edit["description"].get<std::string>()) + ")";
  return head + ": ";
}

std::optional<long long> CountOf(const Json& edit) {
  if (!edit.contains("count")) return std::nullopt;
  return edit["count"].get<long long>();
}

std::string LineList(const std::vector<size_t>& indexes) {
  std::vector<std::string> nums;
  for (size_t i : indexes) nums.push_back(std::to_string(i + 1));
  return Join(nums, ", ");
}

// "line 3" / "lines 1, 4".
std::string LinesPhrase(const std::vector<size_t>& indexes) {
  return (indexes.size() == 1 ? "line " : "lines ") + LineList(indexes);
}

Result<Applied> UnpinBaseDigests(const Lines& in, const Json& edit, const std::string& file) {
  static const std::regex digest("@sha256:[0-9a-fA-F]{64}");
  Lines t = in;
  Instructions ins = FindImageRefs(t);
  std::set<size_t> from_lines, arg_lines;
  for (auto it = ins.refs.rbegin(); it != ins.refs.rend(); ++it) {
    if (it->where == ImageRef::kCopy) continue;
    std::string& line = t.lines[it->line];
    std::string ref = line.substr(it->pos, it->len);
    std::string unpinned = std::regex_replace(ref, digest, "");
    if (unpinned == ref) continue;
    line.replace(it->pos, it->len, unpinned);
    (it->where == ImageRef::kFrom ? from_lines : arg_lines).insert(it->line);
  }
  if (from_lines.empty() && arg_lines.empty()) {
    return Status::FailedPrecondition(Head(edit, file) +
                                      "no FROM line is pinned by a digest (expected at least one \"FROM "
                                      "image[:tag]@sha256:<64 hex>\")" +
                                      ShowFromLines(in, ins, file) + kUpstreamHint);
  }
  std::string summary = Plural(from_lines.size(), "FROM line", "FROM lines");
  if (!arg_lines.empty()) summary += " and " + Plural(arg_lines.size(), "ARG line", "ARG lines");
  return Applied{JoinOriginal(t), summary};
}

Result<Applied> InsertAfter(const Lines& in, const Json& edit, const std::string& file) {
  const std::string pattern = edit["pattern"].get<std::string>();
  const std::string line = edit["line"].get<std::string>();
  Result<std::regex> re = CompilePattern(pattern, false, "pattern");
  if (!re.ok()) return re.status();
  std::vector<size_t> matched;
  try {
    for (size_t i = 0; i < in.lines.size(); ++i) {
      if (std::regex_search(in.lines[i], *re)) matched.push_back(i);
    }
  } catch (const std::regex_error& e) {
    return Status::FailedPrecondition(Head(edit, file) + "matching " + QuoteValue(pattern) + " failed: " + e.what());
  }
  std::optional<long long> count = CountOf(edit);
  if (matched.empty() || (count && static_cast<long long>(matched.size()) != *count)) {
    std::string what = matched.empty() ? "no line matches the pattern " + QuoteValue(pattern)
                                       : "the pattern " + QuoteValue(pattern) + " matches " +
                                             Plural(matched.size(), "line", "lines") + " (" + LineList(matched) + ")";
    std::string shown = matched.empty() ? ShowSimilarLines(in, pattern, file)
                                        : "\nThe matching lines of " + file + ":" + ShowLines(in, matched);
    return Status::FailedPrecondition(Head(edit, file) + what + ", expected " + ExpectedCount(count) + " (to insert " +
                                      QuoteValue(line) + " after it)" + shown + kUpstreamHint);
  }
  Lines t = in;
  for (auto it = matched.rbegin(); it != matched.rend(); ++it) {
    t.lines.insert(t.lines.begin() + static_cast<std::ptrdiff_t>(*it) + 1, line);
  }
  return Applied{JoinOriginal(t), "inserted " + QuoteValue(line) + " after " + LinesPhrase(matched)};
}

Result<Applied> Replace(const Lines& in, const Json& edit, const std::string& file) {
  const std::string pattern = edit["pattern"].get<std::string>();
  const std::string replacement = edit["replace"].get<std::string>();
  Result<std::regex> re = CompilePattern(pattern, true, "pattern");
  if (!re.ok()) return re.status();
  const std::string text = JoinLf(in);
  auto line_of = [&](size_t offset) {
    return static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
  };
  std::vector<std::pair<size_t, size_t>> matches;  // offset, length
  try {
    for (auto it = std::sregex_iterator(text.begin(), text.end(), *re); it != std::sregex_iterator(); ++it) {
      if (it->length(0) == 0) {
        return Status::FailedPrecondition(
            Head(edit, file) + "the pattern " + QuoteValue(pattern) + " matches empty text (at line " +
            std::to_string(line_of(static_cast<size_t>(it->position(0))) + 1) + "); make it match the text to replace");
      }
      matches.emplace_back(static_cast<size_t>(it->position(0)), static_cast<size_t>(it->length(0)));
    }
  } catch (const std::regex_error& e) {
    return Status::FailedPrecondition(Head(edit, file) + "matching " + QuoteValue(pattern) + " failed: " + e.what());
  }
  std::vector<size_t> lines;
  for (const auto& [offset, length] : matches) {
    if (lines.empty() || lines.back() != line_of(offset)) lines.push_back(line_of(offset));
  }
  std::optional<long long> count = CountOf(edit);
  if (matches.empty() || (count && static_cast<long long>(matches.size()) != *count)) {
    std::string what = matches.empty() ? "no text matches the pattern " + QuoteValue(pattern)
                                       : "the pattern " + QuoteValue(pattern) + " matches " +
                                             Plural(matches.size(), "time", "times") + " (" + LinesPhrase(lines) + ")";
    std::string shown = matches.empty() ? ShowSimilarLines(in, pattern, file)
                                        : "\nThe matching lines of " + file + ":" + ShowLines(in, lines);
    return Status::FailedPrecondition(Head(edit, file) + what + ", expected " + ExpectedCount(count) + shown +
                                      kUpstreamHint);
  }
  std::string out;
  size_t at = 0;
  for (const auto& [offset, length] : matches) {
    out.append(text, at, offset - at);
    out += replacement;  // literal: no $-expansion
    at = offset + length;
  }
  out.append(text, at, std::string::npos);
  Lines t = SplitLines(out);
  t.crlf = in.crlf;
  return Applied{JoinOriginal(t), Plural(matches.size(), "match", "matches") + " (" + LinesPhrase(lines) + ")"};
}

Result<Applied> ReplaceBase(const Lines& in, const Json& edit, const std::string& file) {
  const std::string from = edit["from"].get<std::string>();
  const std::string to = edit["to"].get<std::string>();
  const std::string wanted = RepositoryOf(from);
  Lines t = in;
  Instructions ins = FindImageRefs(t);
  std::map<ImageRef::Where, std::set<size_t>> changed;
  for (auto it = ins.refs.rbegin(); it != ins.refs.rend(); ++it) {
    std::string& line = t.lines[it->line];
    if (RepositoryOf(std::string_view(line).substr(it->pos, it->len)) != wanted) continue;
    line.replace(it->pos, it->len, to);
    changed[it->where].insert(it->line);
  }
  if (changed.empty()) {
    return Status::FailedPrecondition(Head(edit, file) + "no FROM line uses the image " + QuoteValue(from) +
                                      " (expected \"FROM " + from + "[:tag][@sha256:...]\", to become \"FROM " + to +
                                      "\")" + ShowFromLines(in, ins, file) + kUpstreamHint);
  }
  std::vector<std::string> parts;
  if (changed.count(ImageRef::kFrom))
    parts.push_back(Plural(changed[ImageRef::kFrom].size(), "FROM line", "FROM lines"));
  if (changed.count(ImageRef::kArg)) parts.push_back(Plural(changed[ImageRef::kArg].size(), "ARG line", "ARG lines"));
  if (changed.count(ImageRef::kCopy))
    parts.push_back(Plural(changed[ImageRef::kCopy].size(), "COPY --from line", "COPY --from lines"));
  return Applied{JoinOriginal(t), Join(parts, " and ")};
}

Result<Applied> Apply(std::string_view text, const Json& edit, const std::string& file) {
  MG_RETURN_IF_ERROR(ValidateEdit(edit, "edit"));
  Lines lines = SplitLines(text);
  const std::string kind = edit["kind"].get<std::string>();
  if (kind == "unpin-base-digests") return UnpinBaseDigests(lines, edit, file);
  if (kind == "insert-after") return InsertAfter(lines, edit, file);
  if (kind == "replace") return Replace(lines, edit, file);
  return ReplaceBase(lines, edit, file);
}

// "unpin-base-digests: 2 FROM lines in server/build/Dockerfile".
std::string Sentence(const Json& edit, const std::string& file, const std::string& summary) {
  const std::string kind = edit["kind"].get<std::string>();
  std::string head = kind;
  if (kind == "insert-after" || kind == "replace") head += " " + QuoteValue(edit["pattern"].get<std::string>());
  if (kind == "replace-base") head += " " + edit["from"].get<std::string>() + " -> " + edit["to"].get<std::string>();
  std::string out = head + ": " + summary + " in " + file;
  if (edit.contains("description")) out += " (" + edit["description"].get<std::string>() + ")";
  return out;
}

}  // namespace

Status ValidateEdit(const Json& edit, std::string_view field_view) {
  const std::string field(field_view);
  auto bad = [&](const std::string& key, const std::string& why) {
    return Status::InvalidArgument(field + (key.empty() ? "" : "." + key) + ": " + why);
  };
  if (!edit.is_object()) return bad("", "must be an object such as {\"kind\":\"unpin-base-digests\"}");
  if (!edit.contains("kind")) return bad("kind", "missing; expected one of " + Join(kKinds, ", "));
  if (!edit["kind"].is_string()) return bad("kind", "must be a string, one of " + Join(kKinds, ", "));
  const std::string kind = edit["kind"].get<std::string>();
  auto keys = KeysByKind().find(kind);
  if (keys == KeysByKind().end()) {
    std::optional<std::string> near = DidYouMean(kind, kKinds);
    return bad("kind", QuoteValue(kind) + " is not an edit kind (expected one of " + Join(kKinds, ", ") + ")" +
                           (near ? "; did you mean " + QuoteValue(*near) + "?" : ""));
  }
  std::vector<std::string> known = {"kind", "file", "description"};
  known.insert(known.end(), keys->second.required.begin(), keys->second.required.end());
  known.insert(known.end(), keys->second.optional.begin(), keys->second.optional.end());
  for (const auto& [key, value] : edit.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::optional<std::string> near = DidYouMean(key, known);
    return bad(key, "unknown key for a " + kind + " edit (it takes " + Join(known, ", ") + ")" +
                        (near ? "; did you mean " + QuoteValue(*near) + "?" : ""));
  }
  for (const std::string& key : keys->second.required) {
    if (!edit.contains(key))
      return bad(key, "missing; a " + kind + " edit needs " + Join(keys->second.required, " and "));
  }
  for (const std::string key : {"file", "description", "pattern", "line", "replace", "from", "to"}) {
    if (edit.contains(key) && !edit[key].is_string()) return bad(key, "must be a string");
  }
  if (edit.contains("file")) {
    Result<std::string> file = NormalizeSourcePath(edit["file"].get<std::string>(), field + ".file");
    if (!file.ok()) return file.status();
    if (*file == ".") return bad("file", "names the source root; give the path of a file");
  }
  if (edit.contains("count")) {
    const Json& c = edit["count"];
    if (!c.is_number_integer() || c.get<long long>() < 1)
      return bad("count", "must be an integer >= 1 (the exact number of matches)");
  }
  if (edit.contains("pattern")) {
    const std::string pattern = edit["pattern"].get<std::string>();
    if (pattern.empty()) return bad("pattern", "is empty; give a regular expression the file must match");
    Result<std::regex> re = CompilePattern(pattern, kind == "replace", field + ".pattern");
    if (!re.ok()) return re.status();
  }
  if (edit.contains("line") && edit["line"].get<std::string>().find('\n') != std::string::npos) {
    return bad("line", "must be one line (no \"\\n\"); use one insert-after edit per line");
  }
  for (const std::string key : {"from", "to"}) {
    if (!edit.contains(key)) continue;
    const std::string ref = edit[key].get<std::string>();
    if (ref.empty() ||
        std::any_of(ref.begin(), ref.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); })) {
      return bad(key, QuoteValue(ref) + " is not an image reference (expected e.g. \"registry/namespace/name:tag\")");
    }
  }
  if (edit.contains("from")) {
    const std::string from = edit["from"].get<std::string>();
    size_t slash = from.rfind('/');
    size_t colon = from.rfind(':');
    if (from.find('@') != std::string::npos ||
        (colon != std::string::npos && (slash == std::string::npos || colon > slash))) {
      return bad("from", QuoteValue(from) + " has a tag or digest; give the image name alone (every tag of it is replaced)");
    }
  }
  return Status::OK();
}

Result<std::string> ApplyEdit(std::string_view text, const Json& edit, const std::string& file_name) {
  Result<Applied> r = Apply(text, edit, file_name);
  if (!r.ok()) return r.status();
  return std::move(r->text);
}

Result<std::vector<std::string>> ApplyEdits(const std::string& source_root, const std::vector<Json>& edits,
                                            const std::string& default_file) {
  std::error_code ec;
  const fs::path root = fs::canonical(source_root, ec);
  if (ec) return Status::NotFound("source directory " + source_root + ": " + ec.message());

  struct File {
    fs::path path;  // resolved, inside root
    std::string text;
    fs::perms perms = fs::perms::none;
    bool changed = false;
  };
  std::map<std::string, File> files;  // by normalised relative name
  std::vector<std::string> sentences;
  for (size_t i = 0; i < edits.size(); ++i) {
    const std::string field = "edits[" + std::to_string(i) + "]";
    const Json& edit = edits[i];
    MG_RETURN_IF_ERROR(ValidateEdit(edit, field));
    const std::string raw = edit.contains("file") ? edit["file"].get<std::string>() : default_file;
    Result<std::string> rel = NormalizeSourcePath(raw, field + ".file");
    if (!rel.ok()) return rel.status();
    if (*rel == ".") return Status::InvalidArgument(field + ".file: names the source root; give the path of a file");
    auto it = files.find(*rel);
    if (it == files.end()) {
      const fs::path path = fs::weakly_canonical(root / *rel, ec);
      if (ec) return Status::IOError(field + ": resolving " + *rel + " under " + root.string() + ": " + ec.message());
      const fs::path inside = path.lexically_relative(root);
      if (inside.empty() || *inside.begin() == "..") {
        return Status::InvalidArgument(field + ".file: " + QuoteValue(*rel) +
                                       " leads outside the source tree (through a symlink, to " + path.string() + ")");
      }
      if (!fs::is_regular_file(path, ec)) {
        return Status::FailedPrecondition(field + ": " + *rel + " is not a file in the source (" + root.string() +
                                          "); the upstream layout changed or the recipe names the wrong file");
      }
      Result<std::string> text = ReadFile(path.string());
      if (!text.ok()) return text.status().WithContext(field);
      File f{path, std::move(*text), fs::status(path, ec).permissions(), false};
      it = files.emplace(*rel, std::move(f)).first;
    }
    Result<Applied> applied = Apply(it->second.text, edit, *rel);
    if (!applied.ok()) return applied.status().WithContext(field);
    it->second.text = std::move(applied->text);
    it->second.changed = true;
    sentences.push_back(Sentence(edit, *rel, applied->summary));
  }
  for (const auto& [rel, f] : files) {
    if (!f.changed) continue;
    Status s = WriteFileAtomic(f.path.string(), f.text, static_cast<int>(f.perms & fs::perms::mask));
    if (!s.ok()) return s.WithContext("writing the edited " + rel);
  }
  return sentences;
}

}  // namespace mg
