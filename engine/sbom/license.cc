#include "sbom/license.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "sbom/deb822.h"
#include "sbom/spdx_license_list.h"
#include "util/sha256.h"
#include "util/strings.h"

namespace mg {
namespace {

// Expressions nested deeper than this (parentheses, or DEP-5 comma groups) are not expressions.
constexpr int kMaxDepth = 32;
// Operands beyond this many in one expression make it "not an expression" (one LicenseRef).
constexpr size_t kMaxOperands = 512;


bool EqualsIgnoreCase(std::string_view a, std::string_view b) { return a.size() == b.size() && AsciiLower(a) == AsciiLower(b); }

bool IsLicenseRefChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-'; }
bool IsLicenseRefString(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), IsLicenseRefChar); }

// [A-Za-z0-9.-] only, as LicenseRef ids require; runs of other bytes become one '-'.
std::string LicenseRefSafe(std::string_view s, size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max) break;
    if (IsLicenseRefChar(c)) {
      out.push_back(c);
    } else if (out.empty() || out.back() != '-') {
      out.push_back('-');
    }
  }
  return out.empty() ? "unnamed" : out;
}

std::string CutText(std::string_view text) {
  if (text.size() <= kMaxLicenseTextBytes) return std::string(text);
  return std::string(text.substr(0, kMaxLicenseTextBytes)) + "\n[...]";
}

ExtractedLicense MakeRef(std::string_view name, std::string text) {
  text = CutText(text);
  const std::string hashed = name == text ? text : std::string(name) + "\n" + text;
  ExtractedLicense e;
  e.id = "LicenseRef-" + LicenseRefSafe(name, 40) + "-" + Sha256Hex(hashed).substr(0, 8);
  e.name = std::string(name.substr(0, 256));
  e.text = std::move(text);
  return e;
}

using IdMap = std::unordered_map<std::string, const char*>;

IdMap LowerIndex(const char* const* ids, size_t count) {
  IdMap map;
  for (size_t i = 0; i < count; ++i) map.emplace(AsciiLower(ids[i]), ids[i]);
  return map;
}

// Built once per list (thread-safe static initialisation); the lists are immutable data.
const IdMap& LicenseIndex() {
  static const IdMap index = LowerIndex(kSpdxLicenseIds, kSpdxLicenseIdCount);
  return index;
}
const IdMap& ExceptionIndex() {
  static const IdMap index = LowerIndex(kSpdxExceptionIds, kSpdxExceptionIdCount);
  return index;
}

// "GPL-2", "gpl-2.0+", "LGPL2.1+", "GPLv3", "AGPL-3", "GFDL-NIV-1.3+" as the SPDX GNU id ("" when
// `s` is not one of those or names no listed version).
std::string GnuId(std::string_view s) {
  std::string l = AsciiLower(s);
  bool later = false;
  if (!l.empty() && l.back() == '+') {
    later = true;
    l.pop_back();
  }
  for (const char* suffix : {"-or-later", "-only"}) {
    if (EndsWith(l, suffix)) return "";  // already SPDX: the list has it
  }
  std::string family;
  std::string rest;
  bool niv = false;
  for (const char* f : {"agpl", "lgpl", "gpl", "gfdl"}) {
    if (StartsWith(l, f)) {
      family = f;
      rest = l.substr(family.size());
      break;
    }
  }
  if (family.empty()) return "";
  if (family == "gfdl" && StartsWith(rest, "-niv")) {
    niv = true;
    rest = rest.substr(4);
  }
  if (StartsWith(rest, "-")) rest = rest.substr(1);
  if (StartsWith(rest, "v")) rest = rest.substr(1);
  if (rest.empty() || rest.size() > 4) return "";
  for (char c : rest) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return "";
  }
  if (rest.find('.') == std::string::npos) rest += ".0";
  std::string id = AsciiLower(family) + "-" + rest + (niv ? "-no-invariants" : "") + (later ? "-or-later" : "-only");
  return CanonicalSpdxLicenseId(id);
}

// A leaf of an expression, mapped: `text` is an SPDX expression ("MIT", "GPL-2.0-or-later WITH
// Bison-exception-2.2", "Artistic-1.0-Perl OR GPL-1.0-or-later", "LicenseRef-…").
struct Node {
  enum Kind { kLeaf, kAnd, kOr } kind = kLeaf;
  std::string text;       // kLeaf
  bool leaf_has_or = false;
  std::vector<Node> kids;  // kAnd, kOr

  static Node Leaf(std::string text) {
    Node n;
    n.text = std::move(text);
    n.leaf_has_or = n.text.find(" OR ") != std::string::npos;
    return n;
  }
  static Node Join(Kind kind, Node a, Node b) {
    Node n;
    n.kind = kind;
    for (Node* x : {&a, &b}) {
      if (x->kind == kind) {
        for (Node& k : x->kids) n.kids.push_back(std::move(k));
      } else {
        n.kids.push_back(std::move(*x));
      }
    }
    return n;
  }
  bool TopIsOr() const { return kind == kOr || (kind == kLeaf && leaf_has_or); }
};

std::string Render(const Node& n) {
  if (n.kind == Node::kLeaf) return n.text;
  std::string out;
  for (const Node& k : n.kids) {
    if (!out.empty()) out += n.kind == Node::kAnd ? " AND " : " OR ";
    const bool paren = n.kind == Node::kAnd && k.TopIsOr();
    out += paren ? "(" + Render(k) + ")" : Render(k);
  }
  return out;
}

// The operands of a top-level AND (the node itself otherwise), each rendered as an AND operand.
void AndOperands(const Node& n, std::vector<std::string>* out) {
  if (n.kind == Node::kAnd) {
    for (const Node& k : n.kids) AndOperands(k, out);
    return;
  }
  out->push_back(n.TopIsOr() ? "(" + Render(n) + ")" : Render(n));
}

// Sorted and distinct; "(…)" sorts by its content.
std::string JoinAnd(std::vector<std::string> operands) {
  auto key = [](const std::string& s) { return std::string_view(s).substr(s.size() > 0 && s[0] == '(' ? 1 : 0); };
  std::sort(operands.begin(), operands.end(), [&](const std::string& a, const std::string& b) {
    return key(a) != key(b) ? key(a) < key(b) : a < b;
  });
  operands.erase(std::unique(operands.begin(), operands.end()), operands.end());
  if (operands.size() == 1 && operands[0].front() == '(' && operands[0].back() == ')') {
    return operands[0].substr(1, operands[0].size() - 2);
  }
  std::string out;
  for (const std::string& o : operands) out += (out.empty() ? "" : " AND ") + o;
  return out;
}

// Collects the LicenseRefs a conversion makes, by id.
struct Refs {
  std::map<std::string, ExtractedLicense> by_id;
  std::string Add(ExtractedLicense e) {
    std::string id = e.id;
    by_id.emplace(id, std::move(e));
    return id;
  }
  std::vector<ExtractedLicense> Sorted() const {
    std::vector<ExtractedLicense> out;
    for (const auto& [id, e] : by_id) out.push_back(e);
    return out;
  }
};

std::string ExceptionId(std::string_view name) {
  std::string id = CanonicalSpdxExceptionId(name);
  if (id.empty()) id = CanonicalSpdxExceptionId(std::string(name) + "-exception");
  return id;
}

// ---- DEP-5 License fields ------------------------------------------------------------------

class Dep5Expression {
 public:
  Dep5Expression(std::string_view line, const Dep5Copyright& file, std::string_view source_path, Refs* refs)
      : file_(file), source_path_(source_path), refs_(refs) {
    // Words, with each comma a word of its own.
    std::string cur;
    auto flush = [&] {
      if (!cur.empty()) words_.push_back(cur);
      cur.clear();
    };
    for (char c : line) {
      if (c == ',') {
        flush();
        words_.push_back(",");
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        flush();
      } else {
        cur.push_back(c);
      }
    }
    flush();
  }

  // The field as one node; nullopt-like false when it does not parse.
  bool Parse(Node* out) {
    if (words_.empty() || words_.size() > kMaxOperands * 4) return false;
    // Comma groups: "A or B, and C" is (A or B) and C.
    std::vector<std::pair<Node::Kind, std::vector<std::string>>> groups(1);
    groups[0].first = Node::kAnd;
    for (size_t i = 0; i < words_.size(); ++i) {
      if (words_[i] != ",") {
        groups.back().second.push_back(words_[i]);
        continue;
      }
      Node::Kind op = Node::kAnd;
      if (i + 1 < words_.size() && (EqualsIgnoreCase(words_[i + 1], "and") || EqualsIgnoreCase(words_[i + 1], "or"))) {
        op = EqualsIgnoreCase(words_[i + 1], "or") ? Node::kOr : Node::kAnd;
        ++i;
      }
      groups.push_back({op, {}});
    }
    Node acc;
    for (size_t g = 0; g < groups.size(); ++g) {
      Node n;
      if (!ParseGroup(groups[g].second, &n)) return false;
      acc = g == 0 ? std::move(n) : Node::Join(groups[g].first, std::move(acc), std::move(n));
    }
    *out = std::move(acc);
    return true;
  }

  // The whole field as one LicenseRef (it did not parse).
  Node Whole(std::string_view line) { return Node::Leaf(RefFor(std::string(Trim(line)), "")); }

 private:
  static bool IsOp(const std::string& w) {
    return EqualsIgnoreCase(w, "and") || EqualsIgnoreCase(w, "or") || EqualsIgnoreCase(w, "with");
  }

  // or-list of and-lists of terms.
  bool ParseGroup(const std::vector<std::string>& w, Node* out) {
    size_t i = 0;
    bool have = false;
    Node or_acc;
    while (true) {
      Node and_acc;
      bool have_and = false;
      while (true) {
        Node term;
        if (!ParseTerm(w, &i, &term)) return false;
        and_acc = have_and ? Node::Join(Node::kAnd, std::move(and_acc), std::move(term)) : std::move(term);
        have_and = true;
        if (i < w.size() && EqualsIgnoreCase(w[i], "and")) {
          ++i;
          continue;
        }
        break;
      }
      or_acc = have ? Node::Join(Node::kOr, std::move(or_acc), std::move(and_acc)) : std::move(and_acc);
      have = true;
      if (i < w.size() && EqualsIgnoreCase(w[i], "or")) {
        ++i;
        continue;
      }
      break;
    }
    if (i != w.size()) return false;
    *out = std::move(or_acc);
    return true;
  }

  // name-words ["with" exception-words ["exception"]]
  bool ParseTerm(const std::vector<std::string>& w, size_t* i, Node* out) {
    std::string name;
    while (*i < w.size() && !IsOp(w[*i])) name += (name.empty() ? "" : " ") + w[(*i)++];
    if (name.empty()) return false;
    std::string exception;
    if (*i < w.size() && EqualsIgnoreCase(w[*i], "with")) {
      ++*i;
      std::vector<std::string> ex;
      while (*i < w.size() && !IsOp(w[*i])) ex.push_back(w[(*i)++]);
      if (!ex.empty() && EqualsIgnoreCase(ex.back(), "exception")) ex.pop_back();
      for (const std::string& e : ex) exception += (exception.empty() ? "" : "-") + e;
      if (exception.empty()) return false;
    }
    if (++operands_ > kMaxOperands) return false;
    *out = Node::Leaf(MapLeaf(name, exception));
    return true;
  }

  std::string MapLeaf(const std::string& name, const std::string& exception) {
    const std::string spdx = name.find(' ') == std::string::npos ? DebianShortNameToSpdx(name) : "";
    if (!spdx.empty() && exception.empty()) return spdx;
    if (!spdx.empty() && spdx.find(' ') == std::string::npos) {
      const std::string ex = ExceptionId(exception);
      if (!ex.empty()) return spdx + " WITH " + ex;
    }
    return RefFor(exception.empty() ? name : name + " with " + exception + " exception", name);
  }

  // A LicenseRef for `full` (a short name, or "X with Y exception"), with the file's text for it
  // (else for `base`, the name without its exception).
  std::string RefFor(const std::string& full, const std::string& base) {
    const std::string* text = FindText(full);
    if (text == nullptr && !base.empty() && base != full) text = FindText(base);
    std::string body = text != nullptr ? *text
                                       : "The license named \"" + full + "\" in " + std::string(source_path_) +
                                             ", which does not include its text.";
    return refs_->Add(MakeRef(full, std::move(body)));
  }

  const std::string* FindText(const std::string& name) const {
    for (const auto& [n, t] : file_.texts) {
      if (n == name) return &t;
    }
    for (const auto& [n, t] : file_.texts) {
      if (EqualsIgnoreCase(n, name)) return &t;
    }
    return nullptr;
  }

  const Dep5Copyright& file_;
  std::string_view source_path_;
  Refs* refs_;
  std::vector<std::string> words_;
  size_t operands_ = 0;
};

// ---- apk / npm expressions ------------------------------------------------------------------

class LooseExpression {
 public:
  LooseExpression(std::string_view text, std::string_view source_path, Refs* refs)
      : source_path_(source_path), refs_(refs), tokens_(TokenizeLicenseExpression(text)) {}

  bool Parse(Node* out) {
    if (tokens_.empty() || tokens_.size() > kMaxOperands * 4) return false;
    if (!Or(0, out)) return false;
    return pos_ == tokens_.size() && !placeholder_;
  }

 private:
  bool IsWord(const char* w) const { return pos_ < tokens_.size() && EqualsIgnoreCase(tokens_[pos_], w); }
  bool Or(int depth, Node* out) {
    if (!And(depth, out)) return false;
    while (IsWord("or")) {
      ++pos_;
      Node next;
      if (!And(depth, &next)) return false;
      *out = Node::Join(Node::kOr, std::move(*out), std::move(next));
    }
    return true;
  }
  // Operands side by side without an operator ("MIT BSD-2-Clause", old apk) are joined with AND
  // when both are SPDX list ids; otherwise ("SEE LICENSE IN x") the text is not an expression.
  bool And(int depth, Node* out) {
    if (!Term(depth, out)) return false;
    bool prev_listed = last_listed_;
    while (pos_ < tokens_.size() && !IsWord("or") && tokens_[pos_] != ")") {
      const bool explicit_and = IsWord("and");
      if (explicit_and) ++pos_;
      Node next;
      if (!Term(depth, &next)) return false;
      if (!explicit_and && !(prev_listed && last_listed_)) return false;
      prev_listed = last_listed_;
      *out = Node::Join(Node::kAnd, std::move(*out), std::move(next));
    }
    return true;
  }
  bool Term(int depth, Node* out) {
    if (depth > kMaxDepth || pos_ >= tokens_.size()) return false;
    if (tokens_[pos_] == "(") {
      ++pos_;
      if (!Or(depth + 1, out) || pos_ >= tokens_.size() || tokens_[pos_] != ")") return false;
      ++pos_;
      last_listed_ = true;
      return true;
    }
    if (tokens_[pos_] == ")" || IsWord("and") || IsWord("or") || IsWord("with")) return false;
    if (++operands_ > kMaxOperands) return false;
    const std::string name = tokens_[pos_++];
    std::string exception;
    if (IsWord("with")) {
      ++pos_;
      if (pos_ >= tokens_.size() || tokens_[pos_] == "(" || tokens_[pos_] == ")") return false;
      exception = tokens_[pos_++];
    }
    *out = Node::Leaf(MapLeaf(name, exception));
    return true;
  }

  std::string MapLeaf(const std::string& name, const std::string& exception) {
    std::string id = MapId(name);
    last_listed_ = !id.empty() && !StartsWith(id, "LicenseRef-");
    if (!id.empty() && exception.empty()) return Use(id);
    if (!id.empty() && id.find(' ') == std::string::npos) {
      const std::string ex = ExceptionId(exception);
      if (!ex.empty()) return Use(id) + " WITH " + ex;
    }
    const std::string full = exception.empty() ? name : name + " WITH " + exception;
    return refs_->Add(MakeRef(full, NotListed(full)));
  }

  // `id` as it goes into the expression: someone else's LicenseRef is defined with a text saying
  // where it was declared (its own text is not at hand).
  std::string Use(const std::string& id) {
    if (StartsWith(id, "LicenseRef-")) {
      refs_->by_id.emplace(id, ExtractedLicense{id, id,
                                                "The license declared as \"" + id + "\"" +
                                                    (source_path_.empty() ? std::string() : " in " + std::string(source_path_)) +
                                                    "; its text is not part of this document."});
    }
    return id;
  }

  std::string NotListed(const std::string& name) const {
    return "The license declared as \"" + name + "\"" +
           (source_path_.empty() ? std::string() : " in " + std::string(source_path_)) +
           ", which is not on the SPDX License List.";
  }

  // An SPDX id for one operand, "" when it has none.
  std::string MapId(const std::string& name) {
    if (StartsWith(name, "LicenseRef-") && IsLicenseRefString(name.substr(11))) return name;
    if (IsPlaceholder(name)) {
      placeholder_ = true;  // "UNLICENSED", "UNKNOWN": the whole text is kept as declared
      return "";
    }
    std::string id = DebianShortNameToSpdx(name);
    if (!id.empty()) return id;
    // A "+" after a listed non-GNU id ("MPL-1.1+") is SPDX syntax for "or later".
    if (name.size() > 1 && name.back() == '+') {
      id = CanonicalSpdxLicenseId(std::string_view(name).substr(0, name.size() - 1));
      if (!id.empty()) return id + "+";
    }
    return "";
  }

  static bool IsPlaceholder(const std::string& s) {
    const std::string l = AsciiLower(s);
    return l == "unlicensed" || l == "unknown" || l == "proprietary" || l == "custom" || l == "other" ||
           l == "none" || l == "noassertion";
  }

  std::string_view source_path_;
  Refs* refs_;
  std::vector<std::string> tokens_;
  size_t pos_ = 0;
  size_t operands_ = 0;
  bool placeholder_ = false;
  bool last_listed_ = false;  // the last operand read is an SPDX list id (or a parenthesised group)
};

}  // namespace

std::string CanonicalSpdxLicenseId(std::string_view id) {
  auto it = LicenseIndex().find(AsciiLower(id));
  return it == LicenseIndex().end() ? std::string() : std::string(it->second);
}

std::string CanonicalSpdxExceptionId(std::string_view id) {
  auto it = ExceptionIndex().find(AsciiLower(id));
  return it == ExceptionIndex().end() ? std::string() : std::string(it->second);
}

std::string DebianShortNameToSpdx(std::string_view short_name) {
  const std::string l = AsciiLower(Trim(short_name));
  if (l.empty() || l.size() > 128) return "";
  static const std::map<std::string, std::string> kDebian = {
      {"expat", "MIT"},
      {"perl", "Artistic-1.0-Perl OR GPL-1.0-or-later"},
      {"artistic", "Artistic-1.0-Perl"},
      {"cc0", "CC0-1.0"},
      {"python-cnri", "CNRI-Python"},
      {"psf-2", "PSF-2.0"},
      {"zope-1.1", "ZPL-1.1"},
      {"zope-2.0", "ZPL-2.0"},
      {"zope-2.1", "ZPL-2.1"},
      {"w3c-software", "W3C"},
      {"efl-1", "EFL-1.0"},
      {"efl-2", "EFL-2.0"},
      {"apache-1", "Apache-1.0"},
      {"apache-2", "Apache-2.0"},
      {"mpl-2", "MPL-2.0"},
      {"openssl", "OpenSSL"},
      {"bsl-1", "BSL-1.0"},
      {"boost-1.0", "BSL-1.0"},
  };
  if (auto it = kDebian.find(l); it != kDebian.end()) return it->second;
  if (std::string gnu = GnuId(l); !gnu.empty()) return gnu;
  return CanonicalSpdxLicenseId(l);
}

Dep5Copyright ParseDep5(std::string_view text) {
  Dep5Copyright out;
  std::vector<Deb822Paragraph> paragraphs;
  Deb822Options options;
  options.max_value_bytes = kMaxLicenseTextBytes;
  ForEachDeb822Paragraph(text, options, [&](Deb822Paragraph& p) {
    paragraphs.push_back(std::move(p));
    return paragraphs.size() < kMaxDep5Fields * 4;
  });
  if (paragraphs.empty()) return out;
  const std::string* format = Deb822Field(paragraphs[0], "format");
  if (format == nullptr) return out;
  const std::string f = AsciiLower(*format);
  if (f.find("copyright-format") == std::string::npos && f.find("dep5") == std::string::npos &&
      f.find("dep-5") == std::string::npos) {
    return out;
  }
  out.machine_readable = true;
  std::vector<std::pair<std::string, std::string>> inline_texts;
  for (size_t i = 0; i < paragraphs.size(); ++i) {
    const std::string* license = Deb822Field(paragraphs[i], "license");
    if (license == nullptr) continue;
    const size_t nl = license->find('\n');
    const std::string first(Trim(std::string_view(*license).substr(0, nl)));
    const std::string body = nl == std::string::npos ? "" : std::string(Trim(std::string_view(*license).substr(nl + 1)));
    const bool header = i == 0;
    const bool files = Deb822Field(paragraphs[i], "files") != nullptr;
    if (header || files) {
      if (!first.empty() && out.license_fields.size() < kMaxDep5Fields) out.license_fields.push_back(first);
      if (!first.empty() && !body.empty()) inline_texts.emplace_back(first, CutText(body));
    } else if (!first.empty() && !body.empty() && out.texts.size() < kMaxDep5Fields) {
      out.texts.emplace_back(first, CutText(body));  // a standalone License paragraph
    }
  }
  for (auto& [name, body] : inline_texts) {
    if (out.texts.size() >= kMaxDep5Fields * 2) break;
    out.texts.emplace_back(std::move(name), std::move(body));
  }
  return out;
}

DeclaredLicense DebianCopyrightLicense(std::string_view copyright, std::string_view source_path) {
  const Dep5Copyright file = ParseDep5(copyright);
  DeclaredLicense out;
  if (!file.machine_readable) return out;
  Refs refs;
  std::vector<std::string> operands;
  std::set<std::string> seen;
  for (const std::string& field : file.license_fields) {
    if (!seen.insert(field).second) continue;
    Refs field_refs;  // a field that fails half way defines none of its operands' refs
    Dep5Expression e(field, file, source_path, &field_refs);
    Node n;
    if (!e.Parse(&n)) {
      field_refs.by_id.clear();
      n = e.Whole(field);
    }
    AndOperands(n, &operands);
    refs.by_id.merge(field_refs.by_id);
  }
  if (operands.empty()) return out;
  out.expression = JoinAnd(std::move(operands));
  out.extracted = refs.Sorted();
  return out;
}

DeclaredLicense NormalizeLicenseExpression(std::string_view declared, std::string_view source_path) {
  DeclaredLicense out;
  const std::string text(Trim(declared.substr(0, std::min(declared.size(), kMaxLicenseTextBytes))));
  if (text.empty()) return out;
  Refs refs;
  LooseExpression e(text, source_path, &refs);
  Node n;
  if (e.Parse(&n)) {
    out.expression = Render(n);
    out.extracted = refs.Sorted();
    return out;
  }
  // Not an expression: one LicenseRef for the whole text, the text as declared.
  ExtractedLicense whole = MakeRef(text, text);
  out.expression = whole.id;
  out.extracted.push_back(std::move(whole));
  return out;
}

std::vector<std::string> TokenizeLicenseExpression(std::string_view text) {
  std::vector<std::string> tokens;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) tokens.push_back(cur);
    cur.clear();
  };
  for (char c : text) {
    if (c == '(' || c == ')') {
      flush();
      tokens.push_back(std::string(1, c));
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      flush();
    } else {
      cur.push_back(c);
    }
  }
  flush();
  return tokens;
}

}  // namespace mg
