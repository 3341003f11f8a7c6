#!/usr/bin/env bash
# Builds the Debian packages with CPack: mirrorgraph_<version>_<arch>.deb (the CLI, plugins,
# templates, man page, bash completion, systemd units) and mirrorgraph-dev_<version>_<arch>.deb
# (the plugin SDK). docs/install.md says what goes where.
#
#   scripts/package.sh            configure and build an optimized tree of the installed targets
#                                 only (no tests, no benchmarks) in build-deb/, then run cpack there
#
# The tree is RelWithDebInfo (-O2 -g -DNDEBUG, the flags Debian builds its own packages with) and
# CPack strips the files it packs, so the packages carry optimized code without debug info. It is
# a unity build (MIRRORGRAPH_UNITY_BUILD: half the clean build time on 2 cores, which is what CI
# pays, docs/benchmarks.md); ccache serves a rebuild of the same sources.
#
# Environment: MG_JOBS (parallel compile jobs, default 2), MG_PACKAGE_BUILD_DIR (default build-deb/
# in the checkout), MG_PACKAGE_OUT (where the .deb files go, default the build directory),
# MG_PACKAGE_BUILD_TYPE (default RelWithDebInfo; Release for -O3), MG_PACKAGE_UNITY (default ON).
# Prints the path of each .deb, one a line, on stdout (mirrorgraph first); the rest goes to stderr.
# Needs cmake, ninja, dpkg-shlibdeps (dpkg-dev) and file (scripts/install-deps.sh installs them).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "${1:-}" in
  -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "package.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac
build_dir=${MG_PACKAGE_BUILD_DIR:-$root/build-deb}
build_type=${MG_PACKAGE_BUILD_TYPE:-RelWithDebInfo}
out=${MG_PACKAGE_OUT:-$build_dir}
jobs=${MG_JOBS:-2}
for tool in cmake ninja cpack dpkg-shlibdeps file dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "package.sh: $tool is required (scripts/install-deps.sh)" >&2; exit 1; }
done

# /usr with lib/ (not lib/<multiarch>/): the plugins go to /usr/lib/mirrorgraph/plugins, the CMake
# package to /usr/lib/cmake/mirrorgraph.
echo "== configure $build_dir ($build_type, prefix /usr)" >&2
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" \
  -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_LIBDIR=lib \
  -DMIRRORGRAPH_BUILD_TESTS=OFF -DMIRRORGRAPH_BUILD_BENCH=OFF \
  -DMIRRORGRAPH_SANITIZE=OFF -DMIRRORGRAPH_TSAN=OFF -DMIRRORGRAPH_FUZZ=OFF \
  -DMIRRORGRAPH_UNITY_BUILD=${MG_PACKAGE_UNITY:-ON} >&2
echo "== build with -j$jobs" >&2
start=$SECONDS
cmake --build "$build_dir" -j "$jobs" >&2
echo "== built in $((SECONDS - start)) s" >&2

echo "== cpack" >&2
mkdir -p "$out"
# Old packages of another version must not be taken for this one's.
rm -f "$out"/mirrorgraph_*.deb "$out"/mirrorgraph-dev_*.deb
(cd "$build_dir" && cpack -G DEB -B "$out" >&2)
rm -rf "$out/_CPack_Packages"
debs=()
for name in mirrorgraph mirrorgraph-dev; do
  deb=$(find "$out" -maxdepth 1 -name "${name}_*.deb" | head -n 1)
  test -n "$deb" || { echo "package.sh: cpack wrote no ${name}_*.deb in $out" >&2; exit 1; }
  debs+=("$deb")
done
for deb in "${debs[@]}"; do
  dpkg-deb --field "$deb" Package Version Depends Recommends >&2
  echo "$deb"
done
