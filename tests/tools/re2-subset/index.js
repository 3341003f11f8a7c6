"use strict";
// mirrorgraph's tests install gitlab-ci-local with this package in place of `re2`, a native module
// with no reachable prebuilt binary: node-gyp compiled it (and its vendored abseil) from source in
// every CI run, ~70 s of the 2-core machine (docs/testing.md, "Node tools").
//
// gitlab-ci-local constructs an RE2 for each `include: local:` (the path, escaped, with `*` and `**`
// turned into `([^/])*?` and `.*?`) and for a `=~` / `!~` operator in `rules: if:`. This class is
// JavaScript's RegExp restricted to the syntax on which RE2 and RegExp agree for test() and match():
// literals, escaped metacharacters, `.`, character classes, the class escapes \d \D \w \W \s \S,
// \b \B, \n \r \t, plain groups, alternation, anchors and the quantifiers ? * + {n,m} (greedy or
// lazy); flags among g, i, m, s, u. Anything else — a group extension `(?...)` (lookaround, named
// group, inline flags), a back-reference, \p{...}, \A, \z or another escape — throws, naming the
// pattern, instead of matching with other semantics than GitLab's RE2.
const SAFE_ESCAPES = new Set([..."\\.*+?^$(){}[]|/-dDwWsSbBnrt"]);

function check(source, flags) {
  for (const f of flags) {
    if (!"gimsu".includes(f)) throw new Error(`re2 (tests/tools/re2-subset): flag "${f}" of /${source}/ is not supported`);
  }
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      const next = source[i + 1];
      if (next === undefined || !SAFE_ESCAPES.has(next)) {
        throw new Error(`re2 (tests/tools/re2-subset): the escape \\${next ?? ""} in /${source}/ is outside the ` +
          "syntax RE2 and RegExp share; install the real re2 in tests/tools to run this pipeline");
      }
      i++;
    } else if (c === "(" && source[i + 1] === "?") {
      throw new Error(`re2 (tests/tools/re2-subset): the group extension "(?" in /${source}/ is outside the ` +
        "syntax RE2 and RegExp share; install the real re2 in tests/tools to run this pipeline");
    }
  }
}

class RE2 extends RegExp {
  constructor(pattern, flags) {
    const source = pattern instanceof RegExp ? pattern.source : String(pattern);
    const f = flags === undefined ? (pattern instanceof RegExp ? pattern.flags : "") : String(flags);
    check(source, f);
    super(source, f);
  }
}

module.exports = RE2;
module.exports.default = RE2;
