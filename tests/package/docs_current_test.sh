#!/usr/bin/env bash
# package.docs_current: the man page (packaging/mirrorgraph.1) and the bash completion
# (packaging/mirrorgraph.bash-completion) know every command and option that `mirrorgraph --help`
# lists, so neither falls behind the CLI; and the page renders without groff warnings.
# Usage: docs_current_test.sh MIRRORGRAPH SOURCE_DIR
set -euo pipefail
mg=$1 src=$2
help=$("$mg" --help)
# "  run              do everything…" under "commands:", up to the blank line.
commands=$(sed -n '/^commands:/,/^$/p' <<<"$help" | sed -nE 's/^  ([a-z]+)( .*)?$/\1/p')
options=$(sed -n '/^options:/,/^$/p' <<<"$help" | grep -oE '^  (-[a-z] \[ )?--[a-z-]+' | grep -oE -- '--[a-z-]+')
[ "$(wc -w <<<"$commands")" -ge 10 ] || { echo "FAIL: read only these commands from --help: $commands" >&2; exit 1; }
[ "$(wc -w <<<"$options")" -ge 20 ] || { echo "FAIL: read only these options from --help: $options" >&2; exit 1; }

man=$(sed 's/\\-/-/g; s/\\f[BIR]//g' "$src/packaging/mirrorgraph.1")
completion=$(cat "$src/packaging/mirrorgraph.bash-completion")
completed_commands=$(sed -nE 's/^ *local commands="([^"]*)"$/\1/p' <<<"$completion")
bad=0
for c in $commands; do
  grep -qE "^(\.B[RI]? )?$c\b" <<<"$man" || { echo "FAIL: the man page does not describe the command '$c'" >&2; bad=1; }
  grep -qw -- "$c" <<<"$completed_commands" || { echo "FAIL: bash completion does not offer the command '$c'" >&2; bad=1; }
done
for o in $options; do
  grep -q -- "$o\b" <<<"$man" || { echo "FAIL: the man page does not mention $o" >&2; bad=1; }
  grep -q -- "$o\b" <<<"$completion" || { echo "FAIL: bash completion does not offer $o" >&2; bad=1; }
done
if command -v man >/dev/null; then
  # The page as groff reads it renders without a warning (bad macros, unknown escapes).
  page=$(mktemp "${TMPDIR:-/tmp}/mg-man-XXXXXX")
  trap 'rm -f "$page"' EXIT
  sed 's/@[A-Z_]*@/x/g' "$src/packaging/mirrorgraph.1" >"$page"
  warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null) || true
  [ -z "$warnings" ] || { echo "FAIL: man --warnings: $warnings" >&2; bad=1; }
fi
[ $bad -eq 0 ] || exit 1
echo "PASS: $(wc -w <<<"$commands") commands, $(wc -w <<<"$options") options"
