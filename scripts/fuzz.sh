#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan + UBSan) in build-asan/ — the instrumented tree
# scripts/build.sh --sanitize makes for the test suite — and runs each of them.
#
#   scripts/fuzz.sh [SECONDS]        every target for SECONDS (default 60) from its seed corpus
#   scripts/fuzz.sh --ci             every target for 8 s (what scripts/test.sh runs: from the seed
#                                    corpora, 8 s reach ~99% of the edges 15 s do; docs/benchmarks.md §9)
#   scripts/fuzz.sh --only a,b 600   only the named targets (config_fuzz, oci_fuzz, ...)
#   scripts/fuzz.sh --build-only     configure and build, run nothing
#
# Each run starts from a copy of fuzz/corpus/<target>/ in a temp directory (new inputs never land
# in the repository), with fuzz/<target>.dict when present, -rss_limit_mb=2048 and -timeout=30.
# Prints one line per target: `fuzz <target>: ok, N executions in S s` or `fuzz <target>: FAILED,
# ...` with the path of the input that crashed (kept in build-asan/crashes/<target>/) and the log.
# Ends with `fuzz: N passed, N failed`; exits 1 when a target crashed (or found a leak, a timeout,
# UB), 2 on a usage error. Environment: MG_JOBS (compile jobs and targets run at once, default 2),
# MG_FUZZ_BUILD_DIR (default build-asan/).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=60
only=""
build_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --ci) seconds=8 ;;
    --only) shift; only=${1:-} ;;
    --build-only) build_only=1 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *[!0-9]*|'') echo "fuzz.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
    *) seconds=$1 ;;
  esac
  shift
done
jobs=${MG_JOBS:-2}
build_dir=${MG_FUZZ_BUILD_DIR:-$root/build-asan}
if ! command -v clang++ >/dev/null || ! command -v clang >/dev/null; then
  echo "fuzz.sh: the fuzz targets need clang (libFuzzer); install it with scripts/install-deps.sh" >&2
  exit 2
fi

start=$SECONDS
MG_BUILD_DIR=$build_dir "$root/scripts/build.sh" --sanitize --target fuzzers >/dev/null
echo "== built in $((SECONDS - start)) s"
[ "$build_only" -eq 1 ] && exit 0

targets=()
for src in "$root"/fuzz/*_fuzz.cc; do
  t=$(basename "$src" .cc)
  if [ -z "$only" ] || [[ ",$only," == *",$t,"* ]]; then targets+=("$t"); fi
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz.sh: no target matches '$only'" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mg-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT

# Runs one target; writes its summary line to $work/<target>.result.
run_target() {
  local t=$1 corpus="$work/$1.corpus" crashes="$build_dir/crashes/$1" log="$build_dir/crashes/$1.log"
  mkdir -p "$corpus" "$crashes"
  cp -r "$root/fuzz/corpus/$t/." "$corpus/"
  local args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1
              -artifact_prefix="$crashes/")
  [ -f "$root/fuzz/$t.dict" ] && args+=(-dict="$root/fuzz/$t.dict")
  local rc=0
  "$build_dir/fuzz/$t" "${args[@]}" "$corpus" >"$log" 2>&1 || rc=$?
  local execs secs artifact
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" | tail -n 1)
  secs=$(sed -nE 's/^Done [0-9]+ runs in ([0-9]+) second.*/\1/p' "$log" | tail -n 1)
  artifact=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -n 1)
  if [ "$rc" -eq 0 ]; then
    echo "fuzz $t: ok, ${execs:-?} executions in ${secs:-$seconds} s, 0 crashes" >"$work/$t.result"
  else
    echo "fuzz $t: FAILED (exit $rc), ${execs:-?} executions, 1 crash: ${artifact:-no input written}; log: $log" \
      >"$work/$t.result"
  fi
}

echo "== fuzz ${#targets[@]} targets for $seconds s each, $jobs at a time"
running=0
for t in "${targets[@]}"; do
  run_target "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait

passed=0
failed=0
for t in "${targets[@]}"; do
  line=$(cat "$work/$t.result" 2>/dev/null || echo "fuzz $t: FAILED, no result")
  echo "$line"
  if [[ "$line" == *": ok,"* ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "== fuzzing took $((SECONDS - start)) s in all"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
