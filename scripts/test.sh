#!/usr/bin/env bash
# The test command: installs the Debian packages, builds, and runs every test with ctest (unit,
# integration, crash/resume, C ABI, out-of-tree SDK), then the fuzzers briefly (scripts/fuzz.sh --ci).
#
#   scripts/test.sh               RelWithDebInfo build in build/
#   scripts/test.sh --sanitize    ASan + UBSan build in build-asan/
#   scripts/test.sh -- ARGS...    extra ctest arguments, e.g. -- -R 'unit\.util' or -- -L integration
#
# No service needs to be running: integration tests start their own docker-registry on free
# 127.0.0.1 ports and remove it afterwards. Environment: MG_JOBS (compile and test jobs, default 2).
# Ends with the line `N passed, N failed`; exits non-zero when any test failed or none ran.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_args=()
ctest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize|--debug) build_args+=("$1") ;;
    --) shift; ctest_args=("$@"); break ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
jobs=${MG_JOBS:-2}

start=$SECONDS
"$root/scripts/install-deps.sh"
"$root/scripts/enable-binfmt.sh"
"$root/scripts/fetch-test-assets.sh"
mg=$("$root/scripts/build.sh" ${build_args[@]+"${build_args[@]}"} | tail -n 1)
build_dir=${mg%/engine/mirrorgraph}
built=$SECONDS

log=$(mktemp "${TMPDIR:-/tmp}/mg-ctest-XXXXXX")
trap 'rm -f "$log"' EXIT
echo "== ctest in $build_dir"
set +e
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" ${ctest_args[@]+"${ctest_args[@]}"} 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# ctest closes with "NN% tests passed, F tests failed out of T".
read -r failed total < <(sed -nE 's/^[0-9]+% tests passed, ([0-9]+) tests? failed out of ([0-9]+)$/\1 \2/p' "$log" | tail -n 1) || true

# The fuzz step: every libFuzzer target briefly (scripts/fuzz.sh --ci), each counted as one test.
# Skipped when ctest arguments select tests, or with MG_FUZZ=0.
fuzz_passed=0 fuzz_failed=0
if [ ${#ctest_args[@]} -eq 0 ] && [ "${MG_FUZZ:-1}" != 0 ]; then
  echo "== fuzz (scripts/fuzz.sh --ci)"
  "$root/scripts/fuzz.sh" --ci 2>&1 | tee "$log" || true
  read -r fuzz_passed fuzz_failed < <(sed -nE 's/^fuzz: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$log") ||
    { fuzz_passed=0 fuzz_failed=1; echo "test.sh: the fuzz step did not finish (see above)" >&2; }
fi
echo "== build $((built - start)) s, tests $((SECONDS - built)) s"
if [ -z "${total:-}" ]; then
  echo "test.sh: ctest ran no test (exit status $rc)" >&2
  echo "0 passed, 0 failed"
  exit 1
fi
echo "$((total - failed + fuzz_passed)) passed, $((failed + fuzz_failed)) failed"
if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$fuzz_failed" -ne 0 ]; then exit 1; fi
