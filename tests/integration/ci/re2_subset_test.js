// integration.ci.re2_subset: tests/tools/re2-subset, which stands in for gitlab-ci-local's native
// `re2` (scripts/install-test-tools.sh), behaves as RE2 does on what gitlab-ci-local builds from a
// pipeline — and throws on syntax where RE2 and RegExp disagree instead of matching differently.
// usage: node re2_subset_test.js SOURCE_DIR   (exit 0 passed, 1 failed)
"use strict";
const path = require("path");
const RE2 = require(path.resolve(process.argv[2], "tests/tools/re2-subset"));
let failed = 0;
const check = (what, ok) => { if (!ok) { failed++; console.error(`FAIL: ${what}`); } else console.log(`ok: ${what}`); };
const throws = (pattern, flags) => { try { new RE2(pattern, flags); return false; } catch (e) { return /re2-subset/.test(e.message); } };

// gitlab-ci-local's include: local pattern (parser-includes.js resolveIncludeLocal), built the same way.
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

// rules: if: $CI_COMMIT_TAG =~ /^v\d+\.\d+$/i, as utils.js evaluates it (String.prototype.match).
const rule = new RE2("^v\\d+\\.\\d+$", "i");
check("a rules regex matches", "V1.2".match(rule) !== null);
check("a rules regex rejects", "v1.2.3".match(rule) === null);
check("an RE2 is a RegExp", rule instanceof RegExp);
check("lazy and bounded quantifiers", new RE2("^a{2,3}?b+?$").test("aab"));

for (const [pattern, flags] of [["(?=a)b"], ["(?<n>a)"], ["(?i)a"], ["(a)\\1"], ["\\p{L}", "u"], ["a\\z"], ["\\Aa"], ["a", "y"], ["a\\"]]) {
  check(`/${pattern}/${flags ?? ""} throws (outside the shared syntax)`, throws(pattern, flags));
}
process.exit(failed ? 1 : 0);
