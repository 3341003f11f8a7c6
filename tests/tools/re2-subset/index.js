"use strict";
// mirrorgraph's tests install gitlab-ci-local with this package in place of `re2`, a native module
// with no reachable prebuilt binary: node-gyp compiled it (and its vendored abseil) from source in
// every CI run, ~70 s of the 2-core machine (docs/testing.md, "Node tools").
//
// gitlab-ci-local constructs an RE2 for each `include: local:` (the path, escaped, with `*` and `**`
// turned into `([^/])*?` and `.*?`) and for a `=~` / `!~` operator in `rules: if:`, and asks only
// whether it matches (test(), or match() compared with null). This class is JavaScript's RegExp on
// a subset of RE2's syntax, translated so that whether a string matches is what node-re2 answers
// (node-re2 matches by code point, as RegExp's `u` flag does, always added here):
//   - literals, escaped metacharacters, \d \D \w \W \b \B (ASCII in both), \n \r \t, plain groups,
//     alternation, ^ and $ (no `m` flag: start and end of the input in both), * + ? and their lazy
//     forms;
//   - `.` becomes [^\n] unless the `s` flag is given (RE2's dot excludes \n only; RegExp's also
//     \r, U+2028 and U+2029); \s and \S become RE2's [\t\n\f\r ] and its complement (RegExp's
//     include \v and Unicode spaces);
//   - character classes, but not one that starts with `]` or `^]` (a literal in RE2, the end of an
//     empty class in RegExp), not \b, \B or \S inside one, not \s next to a `-` inside one (RE2
//     reads that `-` as a literal, the translation would make it a range), and not a POSIX class;
//   - flags g and s.
// Anything else throws, naming the construct (or RegExp's own complaint, for syntax that RegExp's
// `u` mode refuses and RE2 accepts, such as \- outside a class) and the pattern as given: group
// extensions `(?...)` (lookaround, named groups, inline flags), back-references, counted repetition
// {n,m}, \p{...}, \A, \z, other escapes, and the flags i (case folding differs at the edges), m
// (line ends differ: RE2's are \n only), y and d — rather than matching with other semantics than
// GitLab's RE2. Not reproduced: what match() captures inside a repeated group that can match
// empty (RegExp clears and stops such passes, RE2 does as Perl), and strings holding lone UTF-16
// surrogates (node-re2 reads them as U+FFFD; text read from UTF-8 files cannot hold them).
const SAFE_ESCAPES = new Set([..."\\.*+?^$(){}[]|/-dDwWbBnrt"]);
const RE2_SPACE = "\\t\\n\\f\\r ";

function failure(what, source, flags) {
  return new Error(`re2 (tests/tools/re2-subset): ${what} in /${source}/${flags} is outside the subset of RE2 ` +
    "this stand-in reproduces; install the real re2 in tests/tools to run this pipeline");
}

function translate(source, flags) {
  const fail = (what) => { throw failure(what, source, flags); };
  for (const f of flags) if (!"gsu".includes(f)) fail(`the flag "${f}"`);
  const dotAll = flags.includes("s");
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      const next = source[i + 1];
      if (next === undefined) fail("a trailing backslash");
      i++;
      if (next === "s" && inClass && (source[i - 2] === "-" || (source[i + 1] === "-" && source[i + 2] !== "]"))) {
        fail("\\s next to a - inside a character class");
      }
      if (next === "s") { out += inClass ? RE2_SPACE : `[${RE2_SPACE}]`; continue; }
      if (next === "S" && !inClass) { out += `[^${RE2_SPACE}]`; continue; }
      if (inClass && "bBS".includes(next)) fail(`the escape \\${next} inside a character class`);
      if (!SAFE_ESCAPES.has(next)) fail(`the escape \\${next}`);
      out += c + next;
      continue;
    }
    if (inClass) {
      if (c === "[" && source[i + 1] === ":") fail("a POSIX class [:...:]");
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      let j = i + 1;
      if (source[j] === "^") j++;
      if (source[j] === "]") fail("a character class that starts with ]");
      out += source.slice(i, j);
      i = j - 1;
      inClass = true;
      continue;
    }
    if (c === "(" && source[i + 1] === "?") fail('the group extension "(?"');
    if (c === "{" || c === "}") fail("a counted repetition {n,m}");
    out += c === "." && !dotAll ? "[^\\n]" : c;
  }
  return out;
}

function compile(source, flags) {
  const translated = translate(source, flags);
  try {
    return new RegExp(translated, flags.includes("u") ? flags : flags + "u");
  } catch (e) {
    throw failure(`syntax RegExp refuses in u mode (${e.message})`, source, flags);
  }
}

class RE2 extends RegExp {
  constructor(pattern, flags) {
    const source = pattern instanceof RegExp ? pattern.source : String(pattern);
    const f = flags === undefined ? (pattern instanceof RegExp ? pattern.flags : "") : String(flags);
    super(compile(source, f));
  }
}

module.exports = RE2;
module.exports.default = RE2;
