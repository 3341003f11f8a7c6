#!/usr/bin/env bash
# The test command: installs the Debian packages, builds, and runs every test with ctest (unit,
# integration, crash/resume, kill, fault injection, C ABI, out-of-tree SDK) under sanitizers, then
# the fuzzers briefly. This is what CI runs.
#
#   scripts/test.sh               all of it: the whole suite in an ASan + UBSan build (build-asan/),
#                                 the executor, cache and subprocess suites in a ThreadSanitizer build
#                                 (build-tsan/), and every fuzz target for a few seconds
#   scripts/test.sh --quick       the whole suite in the plain RelWithDebInfo build (build/) only
#   scripts/test.sh --sanitize    the whole suite under ASan + UBSan only
#   scripts/test.sh --tsan        the executor, cache and subprocess suites under ThreadSanitizer only
#   scripts/test.sh ... -- ARGS   extra ctest arguments for the whole-suite step, e.g. -- -R 'unit\.util'
#
# No service needs to be running: integration tests start their own docker-registry on free
# 127.0.0.1 ports and remove it afterwards. Environment: MG_JOBS (compile and test jobs, default 2),
# MG_FUZZ=0 (skip the fuzz step).
# Ends with the line `N passed, N failed` over all steps; exits non-zero when any test failed or
# none ran.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
steps=(asan tsan fuzz)
ctest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) steps=(plain) ;;
    --sanitize) steps=(asan) ;;
    --tsan) steps=(tsan) ;;
    --) shift; ctest_args=("$@"); break ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
jobs=${MG_JOBS:-2}
# Sanitizer reports end the process with a non-zero status, so ctest counts them as failures.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}

start=$SECONDS
"$root/scripts/install-deps.sh"
"$root/scripts/enable-binfmt.sh"
"$root/scripts/fetch-test-assets.sh"
# The Node tools of the integration.ci.* tests. Without them those tests skip; in CI (CI=true)
# that is an error, so a green run always includes them.
if ! "$root/scripts/install-test-tools.sh"; then
  if [ "${CI:-}" = true ]; then echo "test.sh: the test tools could not be installed" >&2; exit 1; fi
  echo "test.sh: warning: the Node test tools are not installed; integration.ci.* tests will skip" >&2
fi

log=$(mktemp "${TMPDIR:-/tmp}/mg-test-XXXXXX")
trap 'rm -f "$log"' EXIT
passed=0
failed=0
ran=0
bad=0
report=()

# ctest_step NAME BUILD_ARGS... -- CTEST_ARGS...: builds, runs ctest, adds its counts.
ctest_step() {
  local name=$1; shift
  local build_args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do build_args+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  local t0=$SECONDS mg build_dir rc f t
  mg=$("$root/scripts/build.sh" ${build_args[@]+"${build_args[@]}"} | tail -n 1)
  build_dir=${mg%/engine/mirrorgraph}
  local t1=$SECONDS
  echo "== [$name] ctest in $build_dir"
  set +e
  ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  # ctest closes with "NN% tests passed, F tests failed out of T".
  read -r f t < <(sed -nE 's/^[0-9]+% tests passed, ([0-9]+) tests? failed out of ([0-9]+)$/\1 \2/p' "$log" | tail -n 1) || true
  if [ -z "${t:-}" ]; then
    echo "test.sh: [$name] ctest ran no test (exit status $rc)" >&2
    bad=1
    f=0 t=0
  fi
  [ "$rc" -ne 0 ] && bad=1
  passed=$((passed + t - f)); failed=$((failed + f)); ran=$((ran + t))
  report+=("$name: build $((t1 - t0)) s, tests $((SECONDS - t1)) s, $((t - f)) passed, $f failed")
}

for step in "${steps[@]}"; do
  case $step in
    plain) ctest_step plain -- ${ctest_args[@]+"${ctest_args[@]}"} ;;
    asan) ctest_step asan --sanitize -- ${ctest_args[@]+"${ctest_args[@]}"} ;;
    # The suites whose code runs on several threads at once: the executor (coordinator, pool, logs),
    # the action cache and the run journal; and subprocesses, whose vfork TSan runs as a fork.
    tsan) ctest_step tsan --tsan --target unit_exec --target unit_cache --target unit_util \
            -- -R '^unit\.(exec|cache)\.|^unit\.util\.subprocess_test$' ;;
    fuzz)
      # Skipped with MG_FUZZ=0.
      if [ -x "$root/scripts/fuzz.sh" ] && [ "${MG_FUZZ:-1}" != 0 ]; then
        t0=$SECONDS
        set +e
        # libFuzzer's own defaults (leak detection on), not the ctest steps' ASAN_OPTIONS.
        env -u ASAN_OPTIONS "$root/scripts/fuzz.sh" --ci 2>&1 | tee "$log"
        rc=${PIPESTATUS[0]}
        set -e
        read -r p f < <(sed -nE 's/^(fuzz: )?([0-9]+) passed, ([0-9]+) failed.*/\2 \3/p' "$log" | tail -n 1) || true
        if [ -z "${p:-}" ]; then echo "test.sh: [fuzz] no result line (exit status $rc)" >&2; bad=1; p=0 f=0; fi
        [ "$rc" -ne 0 ] && bad=1
        passed=$((passed + p)); failed=$((failed + f)); ran=$((ran + p + f))
        report+=("fuzz: $((SECONDS - t0)) s, $p passed, $f failed")
      fi ;;
  esac
done

echo "== total $((SECONDS - start)) s"
for line in "${report[@]}"; do echo "== $line"; done
if [ "$ran" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  echo "0 passed, 0 failed"
  exit 1
fi
echo "$passed passed, $failed failed"
if [ "$bad" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
