#!/usr/bin/env bash
# Configures (CMake + Ninja) and builds mirrorgraph with its tests, plugins and benchmarks.
#
#   scripts/build.sh              RelWithDebInfo into build/
#   scripts/build.sh --debug      Debug into build/ (reconfigures the same directory)
#   scripts/build.sh --sanitize   ASan + UBSan (-DMIRRORGRAPH_SANITIZE=ON) into build-asan/; with clang
#                                 installed, built by clang with the libFuzzer targets as well
#                                 (-DMIRRORGRAPH_FUZZ=ON: one instrumented tree for tests and fuzzers)
#   scripts/build.sh --tsan       ThreadSanitizer (-DMIRRORGRAPH_TSAN=ON) into build-tsan/, no benchmarks;
#                                 by clang when installed
#   scripts/build.sh ... --target T [--target T2]   build only these targets
#
# Environment: MG_JOBS (parallel compile jobs, default 2), MG_BUILD_DIR (overrides the directory),
# MG_UNITY=ON|OFF (unity-build the engine and plugins; default ON for the sanitizer trees, which
# are built whole by scripts/test.sh, OFF for build/, where one-file rebuilds matter).
# Prints the path of the mirrorgraph binary on the last line of stdout (built or not, with --target).
# Assumes the packages of scripts/install-deps.sh are installed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_type=RelWithDebInfo
sanitize=OFF
tsan=OFF
unity_default=OFF
bench=ON
dir_name=build
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --debug) build_type=Debug ;;
    --sanitize) sanitize=ON; unity_default=ON; dir_name=build-asan ;;
    --tsan) tsan=ON; bench=OFF; unity_default=ON; dir_name=build-tsan ;;
    --target) shift; targets+=(--target "${1:?--target needs a name}") ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
build_dir=${MG_BUILD_DIR:-$root/$dir_name}
jobs=${MG_JOBS:-2}
unity=${MG_UNITY:-$unity_default}

compiler_args=()
fuzz=OFF
# The sanitizer trees are built by clang when it is installed: the ASan tree then has the libFuzzer
# targets too, and clang compiles them in ~40% less time than g++ (TSan's two suites: 33 s against
# 57 s, ccache off; docs/benchmarks.md, "Build time").
if { [ "$sanitize" = ON ] || [ "$tsan" = ON ]; } && command -v clang++ >/dev/null && command -v clang >/dev/null; then
  compiler_args=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++)
  [ "$sanitize" = ON ] && fuzz=ON
  # A tree configured earlier with another compiler cannot switch in place.
  if [ -f "$build_dir/CMakeCache.txt" ] && ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang++' "$build_dir/CMakeCache.txt"; then
    echo "== $build_dir was configured with another compiler: reconfiguring from scratch" >&2
    rm -rf "$build_dir/CMakeCache.txt" "$build_dir/CMakeFiles"
  fi
fi

echo "== configure $build_dir ($build_type, sanitize=$sanitize, fuzz=$fuzz, tsan=$tsan, unity=$unity)" >&2
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" ${compiler_args[@]+"${compiler_args[@]}"} \
  -DMIRRORGRAPH_SANITIZE="$sanitize" -DMIRRORGRAPH_FUZZ="$fuzz" -DMIRRORGRAPH_TSAN="$tsan" \
  -DMIRRORGRAPH_BUILD_BENCH="$bench" -DMIRRORGRAPH_UNITY_BUILD="$unity" >&2
echo "== build with -j$jobs ${targets[*]+${targets[*]}}" >&2
start=$SECONDS
cmake --build "$build_dir" -j "$jobs" ${targets[@]+"${targets[@]}"} >&2
echo "== built in $((SECONDS - start)) s" >&2
echo "$build_dir/engine/mirrorgraph"
