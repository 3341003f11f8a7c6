#!/bin/sh
# sdk.out_of_tree: the plugin SDK used the way a third party uses it.
#   1. `cmake --install` this project's build tree into a temporary prefix;
#   2. configure and build examples/third-party-plugin with find_package(mirrorgraph) against it;
#   3. load the resulting mirrorgraph-hello-extra.so through the engine's PluginRegistry (by path,
#      then installed and by name), and through the installed `mirrorgraph plugins` when present,
#      which lists the prefix's plugins and not the build tree's.
# Usage: out_of_tree_test.sh BUILD_DIR EXAMPLE_DIR PLUGIN_CHECK CMAKE GENERATOR
set -eu
build_dir=$1 example_dir=$2 plugin_check=$3 cmake=$4 generator=$5

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mg-sdk-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "== install $build_dir into $tmp/prefix"
if ! "$cmake" --install "$build_dir" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log"
  echo "FAIL: cmake --install failed; build every target first (ninja -C $build_dir), then rerun ctest" >&2
  exit 1
fi
for f in include/mirrorgraph/plugin.h include/mirrorgraph/plugin.hpp; do
  test -f "$tmp/prefix/$f" || { echo "FAIL: $f not installed" >&2; exit 1; }
done
config=$(find "$tmp/prefix" -name mirrorgraphConfig.cmake | head -n 1)
test -n "$config" || { echo "FAIL: mirrorgraphConfig.cmake not installed" >&2; exit 1; }
generic=$(find "$tmp/prefix" -name mirrorgraph-generic.so | head -n 1)
test -n "$generic" || { echo "FAIL: the generic plugin is not installed" >&2; exit 1; }

echo "== configure and build $example_dir against the installed SDK"
"$cmake" -S "$example_dir" -B "$tmp/example" -G "$generator" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  -DCMAKE_BUILD_TYPE=Debug
"$cmake" --build "$tmp/example"
plugin=$(find "$tmp/example" -name mirrorgraph-hello-extra.so | head -n 1)
test -n "$plugin" || { echo "FAIL: mirrorgraph-hello-extra.so was not built" >&2; exit 1; }

echo "== only the entry point is exported"
if command -v nm >/dev/null 2>&1; then
  # C symbols only (C++ vague-linkage symbols from libstdc++ headers start with _Z).
  exported=$(nm -D --defined-only "$plugin" | awk '{print $NF}' | grep -v '^_' | sort | tr '\n' ' ')
  echo "exported: $exported"
  test "$exported" = "mirrorgraph_plugin_v1 " || { echo "FAIL: expected only mirrorgraph_plugin_v1" >&2; exit 1; }
fi

echo "== load it through the engine"
"$plugin_check" "$plugin" hello-extra '{"repo":"https://example.invalid/hello.git"}' | tee "$tmp/check.out"
grep -q '"name":"hello-extra"' "$tmp/check.out" || { echo "FAIL: unexpected configure output" >&2; exit 1; }
grep -q '"version":"1.0.0"' "$tmp/check.out" || { echo "FAIL: unexpected discover output" >&2; exit 1; }

echo "== install the example next to the engine's plugins and load it by name"
"$cmake" --install "$tmp/example" --prefix "$tmp/prefix" >/dev/null
installed=$(find "$tmp/prefix" -name mirrorgraph-hello-extra.so | head -n 1)
test -n "$installed" || { echo "FAIL: cmake --install did not install the example plugin" >&2; exit 1; }
test "$(dirname "$installed")" = "$(dirname "$generic")" || {
  echo "FAIL: example installed to $(dirname "$installed"), engine plugins are in $(dirname "$generic")" >&2; exit 1; }
MIRRORGRAPH_PLUGIN_PATH=$(dirname "$installed") "$plugin_check" hello-extra hello-extra \
  '{"repo":"https://example.invalid/hello.git"}' | tee "$tmp/by-name.out"
grep -q "^hello-extra 1.0.0 $(realpath "$installed")\$" "$tmp/by-name.out" || { echo "FAIL: not loaded by name from $installed" >&2; exit 1; }
cli="$tmp/prefix/bin/mirrorgraph"
if [ -x "$cli" ]; then
  echo "== the installed CLI: mirrorgraph plugins --path, and by name"
  (cd "$tmp" && "$cli" plugins --path "$plugin") | tee "$tmp/cli.out"
  grep -q "^hello-extra 1.0.0 " "$tmp/cli.out" || { echo "FAIL: mirrorgraph plugins --path" >&2; exit 1; }
  # Other plugins in the search path may be broken (exit status 1); only this line matters.
  (cd "$tmp" && MIRRORGRAPH_PLUGIN_PATH=$(dirname "$installed") "$cli" plugins || true) | tee "$tmp/cli-list.out"
  grep -q "^hello-extra 1.0.0 $(realpath "$installed")\$" "$tmp/cli-list.out" || {
    echo "FAIL: mirrorgraph plugins does not list $installed" >&2; exit 1; }
  echo "== the installed CLI searches its own plugins, never the build tree's"
  (cd "$tmp" && env -u MIRRORGRAPH_PLUGIN_PATH "$cli" plugins || true) | tee "$tmp/cli-own.out"
  grep -q "^generic [^ ]* $(realpath "$generic")\$" "$tmp/cli-own.out" || {
    echo "FAIL: the installed mirrorgraph does not list $generic" >&2; exit 1; }
  if grep -q "$(realpath "$build_dir")/plugins" "$tmp/cli-own.out"; then
    echo "FAIL: the installed mirrorgraph searches the build tree's plugins" >&2; exit 1
  fi
else
  echo "(no mirrorgraph CLI installed: skipped the CLI checks)"
fi
echo "PASS"
