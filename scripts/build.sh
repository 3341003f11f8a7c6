#!/usr/bin/env bash
# Configures (CMake + Ninja) and builds mirrorgraph with its tests, plugins and benchmarks.
#
#   scripts/build.sh              RelWithDebInfo into build/
#   scripts/build.sh --debug      Debug into build/ (reconfigures the same directory)
#   scripts/build.sh --sanitize   ASan + UBSan (-DMIRRORGRAPH_SANITIZE=ON) into build-asan/
#
# Environment: MG_JOBS (parallel compile jobs, default 2), MG_BUILD_DIR (overrides the directory).
# Prints the path of the mirrorgraph binary on the last line of stdout. Assumes the packages of
# scripts/install-deps.sh are installed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_type=RelWithDebInfo
sanitize=OFF
dir_name=build
for arg in "$@"; do
  case "$arg" in
    --debug) build_type=Debug ;;
    --sanitize) sanitize=ON; dir_name=build-asan ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
build_dir=${MG_BUILD_DIR:-$root/$dir_name}
jobs=${MG_JOBS:-2}

echo "== configure $build_dir ($build_type, sanitize=$sanitize)" >&2
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" \
  -DMIRRORGRAPH_SANITIZE="$sanitize" >&2
echo "== build with -j$jobs" >&2
start=$SECONDS
cmake --build "$build_dir" -j "$jobs" >&2
echo "== built in $((SECONDS - start)) s" >&2
echo "$build_dir/engine/mirrorgraph"
