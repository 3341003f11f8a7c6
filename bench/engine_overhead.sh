#!/usr/bin/env bash
# Engine overhead on a 100,000-task no-op, against ninja's no-op on as many edges (docs/benchmarks.md).
#
# usage: bench/engine_overhead.sh [BUILD_DIR]     (default: build-bench, then build)
# env:   TASKS=100000 VERSIONS=10 RUNS=5 KEEP=1 (keep the temp dir)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build="${1:-}"
if [[ -z "$build" ]]; then
  for d in "$root/build-bench" "$root/build"; do [[ -x "$d/bench/engine_overhead" ]] && { build="$d"; break; }; done
fi
bin="$build/bench/engine_overhead"
[[ -x "$bin" ]] || { echo "engine_overhead not built: cmake --build <dir> --target engine_overhead" >&2; exit 2; }
command -v ninja >/dev/null || { echo "ninja is required for the baseline" >&2; exit 2; }

TASKS="${TASKS:-100000}"
VERSIONS="${VERSIONS:-10}"
RUNS="${RUNS:-5}"
per_app=$((1 + 7 * VERSIONS))
apps=$(((TASKS + per_app - 1) / per_app))
work="$(mktemp -d "${TMPDIR:-/tmp}/mg-bench-engine.XXXXXX")"
[[ -n "${KEEP:-}" ]] || trap 'rm -rf "$work"' EXIT
timing="python3 $here/timing.py --runs $RUNS"

echo "== engine overhead: $apps apps x $VERSIONS versions = $((apps * per_app)) tasks, $RUNS timed runs, $(nproc) cores"
echo "-- populate (first run, not timed for the goal)"
"$bin" populate --state "$work/state" --tasks "$TASKS" --versions "$VERSIONS" | tee "$work/populate.json"

echo "-- mirrorgraph no-op, --offline semantics (every task cached)"
$timing --stdout "$work/noop.json" -- "$bin" noop --state "$work/state" --tasks "$TASKS" --versions "$VERSIONS" \
  | tee "$work/noop.timing.json"
cat "$work/noop.json"
echo "-- mirrorgraph no-op, online (discover and probe re-run through an instant fake runner, the rest cached)"
$timing --stdout "$work/online.json" -- "$bin" noop --online --state "$work/state" --tasks "$TASKS" \
  --versions "$VERSIONS" | tee "$work/online.timing.json"
cat "$work/online.json"

echo "-- ninja $(ninja --version): generate and build once"
edges=$(python3 "$here/gen_ninja.py" "$work/ninja" "$apps" "$VERSIONS")
echo "$edges edges"
ninja -C "$work/ninja" -j "$(nproc)" >/dev/null
ninja -C "$work/ninja" -n | grep -q "no work to do" || { echo "ninja is not up to date after the build" >&2; exit 1; }
echo "-- ninja no-op"
$timing -- ninja -C "$work/ninja" | tee "$work/ninja.timing.json"

python3 - "$work" <<'PY'
import json, sys, os
w = sys.argv[1]
load = lambda n: json.load(open(os.path.join(w, n)))
noop, noop_t = load("noop.json"), load("noop.timing.json")
onl, onl_t = load("online.json"), load("online.timing.json")
nin = load("ninja.timing.json")
ratio = noop_t["median_ms"] / nin["median_ms"]
ratio_on = onl_t["median_ms"] / nin["median_ms"]
mb = lambda kb: kb / 1024.0
print()
print("| run | tasks/edges | wall (median of %d) | expand | cache load | execute | peak RSS | vs ninja |" % len(nin["runs_ms"]))
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for name, j, t, r in (("mirrorgraph no-op (offline: all cached)", noop, noop_t, ratio),
                      ("mirrorgraph no-op (online observations)", onl, onl_t, ratio_on)):
    ms = j["ms"]
    print("| %s | %d | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f MB | %.2fx |" % (
        name, j["tasks"], t["median_ms"], ms["expand"], ms["cache_load"], ms["execute"],
        mb(t["peak_rss_kb"]), r))
print("| ninja %s no-op | %d | %.0f ms | | | | %.0f MB | 1.00x |" % (
    os.popen("ninja --version").read().strip(), noop["tasks"], nin["median_ms"], mb(nin["peak_rss_kb"])))
print()
ok_t = ratio <= 0.5
ok_m = mb(noop_t["peak_rss_kb"]) < 500
print("goal: no-op <= 0.5x ninja's no-op: %s (%.2fx); peak RSS < 500 MB: %s (%.0f MB)" % (
    "MET" if ok_t else "MISSED", ratio, "MET" if ok_m else "MISSED", mb(noop_t["peak_rss_kb"])))
PY
