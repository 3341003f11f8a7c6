// integration.ci.re2_subset: tests/tools/re2-subset, which stands in for gitlab-ci-local's native
// `re2` (scripts/install-test-tools.sh), answers test() as RE2 does on the subset it accepts — the
// expected answers below are RE2's (its syntax and semantics: github.com/google/re2/wiki/Syntax) —
// and throws on constructs where RE2 and RegExp disagree instead of matching differently. When
// tests/tools/node_modules is installed, also that gitlab-ci-local's `re2` resolves to it.
// usage: node re2_subset_test.js SOURCE_DIR   (exit 0 passed, 1 failed)
"use strict";
const fs = require("fs");
const path = require("path");
const tools = path.resolve(process.argv[2], "tests/tools");
const RE2 = require(path.join(tools, "re2-subset"));
let failed = 0;
const check = (what, ok) => { if (!ok) { failed++; console.error(`FAIL: ${what}`); } else console.log(`ok: ${what}`); };
const test = (pattern, flags, input) => new RE2(pattern, flags).test(input);
const throws = (pattern, flags) => { try { new RE2(pattern, flags); return false; } catch (e) { return /re2-subset/.test(e.message); } };

// gitlab-ci-local's include: local pattern, built as parser-includes.js resolveIncludeLocal builds it.
const includePattern = (cwd, p) => {
  let s = `${cwd}/${p}`.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  s = s.replace(/\\\*\\\*/g, ".*?").replace(/\\\*/g, "([^/])*?");
  return new RE2(`^${s}`);
};
const exact = includePattern("/tmp/p", ".gitlab/mirrorgraph.gitlab-ci.yml");
check("an include: local path matches itself", exact.test("/tmp/p/.gitlab/mirrorgraph.gitlab-ci.yml"));
check("an include: local path's dots are literal", !exact.test("/tmp/p/.gitlab/mirrorgraphXgitlab-ci.yml"));
const star = includePattern("/tmp/p", "ci/*.yml");
check("* matches within a directory", star.test("/tmp/p/ci/a.yml"));
check("* does not cross a /", !star.test("/tmp/p/ci/sub/a.yml") && !star.test("/tmp/p/ci/a.yaml"));
const glob = includePattern("/tmp/p", "ci/**.yml");
check("** crosses directories", glob.test("/tmp/p/ci/sub/a.yml"));
check("** crosses a \\r in a file name, as RE2's dot does", glob.test("/tmp/p/ci/a\rb.yml"));

// rules: if: $CI_COMMIT_TAG =~ /^v\d+\.\d+$/, as utils.js evaluates it (String.prototype.match).
const rule = new RE2("^v\\d+\\.\\d+$", "");
check("a rules regex matches", "v1.2".match(rule) !== null);
check("a rules regex rejects", "v1.2.3".match(rule) === null);
check("lazy quantifiers and alternation", test("^(a|ab)+?c$", "", "abac"));

// Where RegExp alone would answer otherwise: RE2's answers.
check(". matches \\r and U+2028 (RE2's dot excludes \\n only)", test("^a.b$", "", "a\rb") && test("^a.b$", "", "a\u2028b"));
check(". does not match \\n without s, does with s", !test("^a.b$", "", "a\nb") && test("^a.b$", "s", "a\nb"));
check("\\s is [\\t\\n\\f\\r ] (not \\v, not U+00A0)", test("^\\s$", "", "\t") && !test("^\\s$", "", "\v") && !test("^\\s$", "", "\u00a0"));
check("\\S matches U+00A0", test("^\\S$", "", "\u00a0"));
check("\\s inside a class", test("^[\\s/]$", "", " ") && !test("^[\\s/]$", "", "\v"));
check(". and [^/] match one code point", test("^.$", "", "\u{1F433}") && test("^[^/]$", "", "\u{1F433}"));
check("\\b is ASCII", !test("a\\b", "", "a_") && test("a\\b", "", "a-"));
check("a - that ends a class after \\s is a literal", test("^[\\s-]+$", "", " -") && !test("^[\\s-]+$", "", "!"));

for (const [pattern, flags] of [["(?=a)b"], ["(?<n>a)"], ["(?i)a"], ["(a)\\1"], ["\\p{L}"], ["a\\z"], ["\\Aa"],
                                ["a\\"], ["a{2}"], ["^[]a]$"], ["^[^]a]$"], ["[\\b]"], ["[\\S]"], ["[[:alpha:]]"],
                                ["^s$", "i"], ["^b", "m"], ["a", "y"],
                                // RE2 reads the - as a literal, a translation of \s would make it a range.
                                ["^[\\w\\s-.]+$"], ["^[a-\\s]$"],
                                // RE2 accepts these; RegExp's u mode refuses them: re2-subset's message, not V8's.
                                ["a\\-b"], ["a]"]]) {
  check(`/${pattern}/${flags ?? ""} throws (outside the subset)`, throws(pattern, flags));
}

// The stand-in is what gitlab-ci-local loads (package.json "overrides"), not the native module.
const gcl = path.join(tools, "node_modules/gitlab-ci-local/src");
if (fs.existsSync(gcl)) {
  const resolved = require.resolve("re2", { paths: [gcl] });
  check(`gitlab-ci-local's re2 is re2-subset (${resolved})`, fs.realpathSync(resolved) === path.join(tools, "re2-subset/index.js"));
} else {
  console.log(`note: ${gcl} is not installed (scripts/install-test-tools.sh): which re2 gitlab-ci-local loads is not checked`);
}
process.exit(failed ? 1 : 0);
