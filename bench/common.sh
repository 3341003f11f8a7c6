# shellcheck shell=bash
# Sourced by every bench/*.sh: the command line they share and the smoke mode's failure line.
#
#   bench_args NEED [ARGS...]   parses `[--smoke] [BUILD_DIR]`: sets bench_smoke (1 with --smoke,
#                               else 0) and bench_build (BUILD_DIR, else the first of build-bench
#                               and build under the source tree that holds NEED, a path inside a
#                               build directory such as bench/merge_bench; empty when none does),
#                               made absolute.
#   bench_fail MESSAGE...       prints `FAILED: MESSAGE...` on stderr and exits 1.
#   bench_need_built "TARGETS" PATH...
#                               exits 2 with the cmake command that builds TARGETS unless every PATH
#                               is an executable file.
#   bench_need_tools TOOL...    exits 2 naming the first TOOL that is not on PATH.
#
# A smoke run (docs/testing.md, "Benchmark smoke runs") is one tiny repetition that checks the
# benchmark still measures what it claims, never a duration; it ends with one `... smoke: ok` line.

# shellcheck disable=SC2034  # read by the scripts that source this file
bench_smoke=0
bench_build=""

bench_args() {
  local need=$1 d
  shift
  # shellcheck disable=SC2034
  if [[ "${1:-}" == "--smoke" ]]; then bench_smoke=1; shift; fi
  bench_build="${1:-}"
  if [[ -z "$bench_build" ]]; then
    for d in "$(dirname "$(dirname "${BASH_SOURCE[0]}")")"/{build-bench,build}; do
      [[ -x "$d/$need" ]] && { bench_build=$d; break; }
    done
  fi
  # Absolute, so it holds wherever the script changes directory to.
  if [[ -d "$bench_build" ]]; then bench_build="$(cd "$bench_build" && pwd)"; fi
  return 0
}

bench_fail() {
  echo "FAILED: $*" >&2
  exit 1
}

bench_need_built() {
  local targets=$1 path
  shift
  for path in "$@"; do
    [[ -x "$path" ]] || { echo "$path is not built: cmake --build <dir> --target $targets" >&2; exit 2; }
  done
}

bench_need_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
  done
}
