#!/usr/bin/env bash
# integration.ci.examples_current: examples/ci/ holds exactly what `mirrorgraph ci github` and
# `mirrorgraph ci gitlab` write for the repository's mirror.toml (regenerate with the commands in
# their headers, from the repository root). Exercises --check's exit codes on the way.
#   examples_current_test.sh MIRRORGRAPH SOURCE_DIR
set -euo pipefail
mg=$1
cd "$2"
"$mg" ci github --output examples/ci/github-workflow.yml --check
"$mg" ci gitlab --output examples/ci/mirrorgraph.gitlab-ci.yml --check
# A stale file: exit 1, naming the file and the command.
work=$(mktemp -d "${TMPDIR:-/tmp}/mg-ci-check-XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "# edited by hand" >"$work/stale.yml"
set +e
"$mg" ci github --output "$work/stale.yml" --check 2>"$work/err"
rc=$?
"$mg" ci github --output "$work/missing.yml" --check 2>"$work/err2"
rc2=$?
"$mg" ci nowhere 2>"$work/err3"
rc3=$?
set -e
[ "$rc" -eq 1 ] || { echo "FAILED: --check on a stale file exited $rc, want 1" >&2; exit 1; }
grep -q "stale.yml is stale" "$work/err"
grep -q "mirrorgraph ci github -c mirror.toml --output $work/stale.yml" "$work/err"
[ "$rc2" -eq 1 ] || { echo "FAILED: --check on a missing file exited $rc2, want 1" >&2; exit 1; }
grep -q "missing.yml does not exist" "$work/err2"
[ "$rc3" -eq 2 ] || { echo "FAILED: an unknown ci target exited $rc3, want 2" >&2; exit 1; }
echo "examples/ci is current; --check and usage errors exit as documented"
